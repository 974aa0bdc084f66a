/**
 * What the RPC namespaces read and drive: the chain, the pool, the miner (for
 * clique votes), the keys the user unlocked, and the node's identity. The
 * node assembles it; the API modules only see this surface, so rpc never
 * imports the miner, network or sync layers.
 */
import type { Address } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import type { TxPool } from '../core/txpool/txpool.js';
import type { StateDB } from '../state/statedb/statedb.js';
import type { Block } from '../types/block.js';

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

/** The part of the miner the RPC uses: whether it seals (eth_mining) and its clique votes (clique_propose/discard/proposals). */
export interface MinerBackend {
  readonly isRunning: boolean;
  /** Votes to add (authorize) or drop a signer, by 0x address, in the blocks this node seals. */
  propose(address: string, authorize: boolean): void;
  discard(address: string): void;
  /** Open votes: 0x address → authorize. */
  getProposals(): ReadonlyMap<string, boolean>;
}

/** The block the miner would seal next (head+1, unsealed) and the state after it: the `pending` block tag. */
export interface PendingBackend {
  get(): Promise<{ block: Block; state: StateDB }>;
}

export interface NodeBackend {
  chain: Blockchain;
  pool: TxPool;
  miner?: MinerBackend;
  /** Only where the node mines; without it `pending` means latest, as on a geth node that does not mine. */
  pending?: PendingBackend;
  networkId: bigint;
  clientVersion: string;
  /** Accounts eth_sendTransaction may sign for (dev mode, or --allow-insecure-unlock). */
  signers: Map<string, { address: Address; key: Uint8Array }>;
  /** Suggested tip for gasPrice / maxPriorityFeePerGas. */
  suggestedTip: bigint;
  p2p?: P2pBackend;
  /** Gas eth_call and eth_estimateGas may use at most (--rpc.gascap); absent or 0 = no cap. */
  gasCap?: bigint;
  /** Largest fee (wei, gasLimit × fee cap) of a tx sent through the RPC (--rpc.txfeecap); absent or 0 = no cap. */
  txFeeCap?: bigint;
}
