/**
 * The p2p side of the RPC (admin_peers / admin_nodeInfo / admin_addPeer /
 * admin_removePeer, net_peerCount, eth_syncing): the P2pBackend the RPC
 * sees, read from the host and the sync driver.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { bytesToHex } from '../crypto/bytes.js';
import type { P2pNode } from '../network/host.js';
import { REQUEST_TIMEOUT_MS } from '../network/reqresp/protocol.js';
import type { P2pBackend } from '../rpc/backend.js';
import type { SyncDriver } from '../sync/driver.js';

export class PeerAddressError extends Error {
  override readonly name = 'PeerAddressError';
  readonly code = 'no-peer-id';
}

export function p2pBackend(host: P2pNode, sync: SyncDriver): P2pBackend {
  return {
    peerCount: () => host.peers.size,
    peers: () => [...host.peers].map(([id, st]) => ({
      id,
      addrs: host.remoteAddrs(id),
      head: bytesToHex(st.headHash),
      number: '0x' + st.headNumber.toString(16),
    })),
    nodeInfo: () => ({
      id: host.libp2p.peerId.toString(),
      listenAddrs: host.libp2p.getMultiaddrs().map((a) => a.toString()),
      protocols: { gtos: { network: host.networkId.toString(), genesis: bytesToHex(host.chain.genesisHash), head: bytesToHex(host.chain.currentHash()) } },
    }),
    addPeer: async (addr: string) => {
      await host.dial(multiaddr(addr), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return true;
    },
    removePeer: async (peer: string) => {
      let id = peer;
      if (peer.startsWith('/')) {
        const fromAddr = multiaddr(peer).getPeerId();
        if (!fromAddr) throw new PeerAddressError('the multiaddr names no peer id (/p2p/<id>)');
        id = fromAddr;
      }
      return host.disconnect(id, 'removed by admin_removePeer');
    },
    syncing: () => {
      const p = sync.progress;
      return p ? { ...p } : false;
    },
  };
}
