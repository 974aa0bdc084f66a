/** The `admin_*` namespace: peers and node info, adding and removing peers, through the P2P backend when p2p runs. */
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import type { NamespaceMethods } from './namespace.js';

export function adminMethods(b: NodeBackend): NamespaceMethods {
  return {
    peers: { fn: () => b.p2p?.peers() ?? [], max: 0 },
    nodeInfo: { fn: () => b.p2p?.nodeInfo() ?? { name: b.clientVersion, protocols: {} }, max: 0 },
    addPeer: { fn: async ([addr]) => {
      if (typeof addr !== 'string') throw new InvalidParamsError('expected a multiaddr string');
      if (!b.p2p) throw new RpcError(-32000, 'p2p is not running');
      return b.p2p.addPeer(addr);
    }, min: 1, max: 1 },
    removePeer: { fn: async ([peer]) => {
      if (typeof peer !== 'string') throw new InvalidParamsError('expected a peer id or a multiaddr with /p2p/<id>');
      if (!b.p2p) throw new RpcError(-32000, 'p2p is not running');
      return b.p2p.removePeer(peer);
    }, min: 1, max: 1 },
  };
}
