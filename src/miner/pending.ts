/**
 * The "pending" block a mining node reports (go-ethereum's worker snapshot):
 * the next block on the head, assembled from the pool exactly as the miner
 * assembles it, unsealed. Built only when asked for and cached: per head, and
 * within a head refreshed on pool changes no more than once per recommit
 * interval, so RPC polling cannot make the node assemble a block per call.
 */
import { hashToHex } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import type { TxPool } from '../core/txpool/txpool.js';
import type { BuiltBlock, MinerWorker } from './assembler.js';

/**
 * geth's minimum recommit interval (1 s; its default is 3 s): how stale the
 * pending block may be, within one head, with respect to the pool. A new head
 * always rebuilds it.
 */
export const PENDING_RECOMMIT_MS = 1000;

interface Entry {
  parent: string;
  builtAt: number;
  /** The pool has changed since this build started. */
  poolChanged: boolean;
  result: Promise<BuiltBlock>;
}

export class PendingBlockBuilder {
  private entry: Entry | undefined;

  constructor(
    private readonly chain: Blockchain,
    pool: TxPool,
    private readonly worker: MinerWorker,
    /** The clique votes the miner would put in the block. */
    private readonly proposals: () => Map<string, boolean>,
    private readonly now: () => number = () => Date.now(),
    private readonly recommitMs = PENDING_RECOMMIT_MS,
  ) {
    pool.on('pending', () => {
      if (this.entry) this.entry.poolChanged = true;
    });
  }

  /** The pending block and the state after it; concurrent callers share one build. */
  get(): Promise<BuiltBlock> {
    const parent = this.chain.currentHeader();
    const parentHex = hashToHex(this.chain.currentHash());
    const now = this.now();
    const e = this.entry;
    if (e && e.parent === parentHex && (!e.poolChanged || now - e.builtAt < this.recommitMs)) return e.result;
    const result = this.worker.build(parent, BigInt(Math.floor(now / 1000)), this.proposals());
    const entry: Entry = { parent: parentHex, builtAt: now, poolChanged: false, result };
    this.entry = entry;
    // A failed build must not be served from the cache to every later caller.
    result.catch(() => {
      if (this.entry === entry) this.entry = undefined;
    });
    return result;
  }
}
