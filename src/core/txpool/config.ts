/** Txpool settings, with go-ethereum's defaults (`--txpool.*`). */

export interface TxPoolConfig {
  /** Minimum gas price (tip for 1559) for remote txs. */
  priceLimit: bigint;
  /** Percent a replacement must raise both fee cap and tip by. */
  priceBump: bigint;
  accountSlots: number;
  globalSlots: number;
  accountQueue: number;
  globalQueue: number;
  /** Milliseconds a non-executable tx of a remote account may wait. */
  lifetimeMs: number;
  /** File (in the datadir) keeping local txs across restarts; empty = none. */
  journal: string;
  /** Don't treat RPC-submitted txs as local. */
  noLocals: boolean;
  /** Senders (0x-hex, lower case) whose txs are local from any source (go-ethereum's --txpool.locals). */
  locals: string[];
  /**
   * Most txs the pool keeps for local senders, pending and queued together.
   * Locals are exempt from the price floor and from eviction, so without a
   * ceiling one RPC client could grow the pool (and the journal) without bound.
   */
  localSlots: number;
}

export const MAX_TX_SIZE = 4 * 32 * 1024;

export function defaultTxPoolConfig(): TxPoolConfig {
  return {
    priceLimit: 1n,
    priceBump: 10n,
    accountSlots: 16,
    globalSlots: 5120,
    accountQueue: 64,
    globalQueue: 1024,
    lifetimeMs: 3 * 60 * 60 * 1000,
    journal: 'transactions.rlp',
    noLocals: false,
    locals: [],
    localSlots: 65_536,
  };
}
