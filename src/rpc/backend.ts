/**
 * What the RPC namespaces read and drive: the chain, the pool, the miner (for
 * clique votes), the keys the user unlocked, and the node's identity. The
 * node assembles it; the API modules only see this surface.
 */
import type { Address } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import type { TxPool } from '../core/txpool/txpool.js';
import type { Miner } from '../miner/miner.js';

export interface PeerInfo {
  id: string;
  addrs: string[];
  head?: string;
  number?: string;
}

export interface P2pBackend {
  peerCount(): number;
  peers(): PeerInfo[];
  nodeInfo(): Record<string, unknown>;
  addPeer(multiaddr: string): Promise<boolean>;
  /** Disconnects a peer (by id or /p2p/ multiaddr); false when it was not connected. */
  removePeer(peer: string): Promise<boolean>;
  syncing(): false | { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint };
}

export interface NodeBackend {
  chain: Blockchain;
  pool: TxPool;
  miner?: Miner;
  networkId: bigint;
  clientVersion: string;
  /** Accounts eth_sendTransaction may sign for (dev mode, or --allow-insecure-unlock). */
  signers: Map<string, { address: Address; key: Uint8Array }>;
  /** Suggested tip for gasPrice / maxPriorityFeePerGas. */
  suggestedTip: bigint;
  p2p?: P2pBackend;
}
