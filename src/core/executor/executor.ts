/**
 * TxExecutor: the one executor of a process, handed to block import and the
 * miner. With `parallel` off it is the serial reference. With it on, a block
 * runs as: sender recovery on the worker pool (phase 0) → lane classification
 * → serial lane through the reference state transition, transfer runs cut
 * into micro-batches → per batch: serial precheck in tx order, outcome
 * computation (inline or on workers), serial merge in tx order. Any surprise
 * restores the pre-batch snapshot and runs that batch serially; shadow mode
 * runs the serial reference beside it and keeps the serial result.
 */
import { availableParallelism } from 'node:os';
import type { Address, Hash } from '../../crypto/primitives.js';
import { orderedTrieRoot } from '../../state/trie/ordered.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { GasPool } from '../execution/gas-pool.js';
import { applySerialRange, executeSerial, type BlockExecutor, type ExecutionResult } from '../execution/state-processor.js';
import type { BlockContext } from '../execution/state-transition.js';
import { commitTransaction } from '../execution/commit.js';
import { InvalidTxError } from '../execution/errors.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';
import { makeBatches, type Segment } from './batching.js';
import { classifyAll } from './classify.js';
import { computeInline, computeOnWorkers, outcomesFit } from './compute.js';
import { defaultExecutorConfig, type TxExecutorConfig } from './config.js';
import { fallbackToSerial } from './fallback.js';
import { WorkerJobError } from './pool/job.js';
import { mergeBatch, type MergeFn } from './merge.js';
import { precheckBatch } from './precheck.js';
import { runShadowed } from './shadow.js';
import { SenderRecovery } from './pool/sender-recovery.js';
import { ListRoots } from './pool/list-roots.js';
import type { TransferInput, TransferOutcome } from './transfer-outcome.js';
import { WorkerPool } from './pool/worker-pool.js';
import { ExecutorStatsRecorder, type ExecutorObserver, type ExecutorStats } from './stats.js';
import { yieldToEventLoop } from '../../util/yield.js';

// The node imports the observer type from here.
export type { ExecutorObserver } from './stats.js';


/** Code the executor runs, injectable where another implementation is needed (tests inject faulty ones); not settings. */
export interface TxExecutorParts {
  merge?: MergeFn;
  /** The pool's worker entry module (default: pool/worker-thread.js) and its `workerData`. */
  workerUrl?: URL;
  workerData?: unknown;
}

export class TxExecutor implements BlockExecutor {
  readonly config: TxExecutorConfig;
  private readonly rec: ExecutorStatsRecorder;
  private readonly pool: WorkerPool | undefined;
  private readonly recovery: SenderRecovery | undefined;
  private readonly roots: ListRoots | undefined;
  private readonly merge: MergeFn;

  constructor(options: Partial<TxExecutorConfig> & TxExecutorParts = {}, observer: ExecutorObserver = {}) {
    const { merge, workerUrl, workerData, ...config } = options;
    this.config = { ...defaultExecutorConfig(), ...config };
    this.merge = merge ?? mergeBatch;
    this.rec = new ExecutorStatsRecorder(observer);
    if (this.config.parallel && this.config.workers > 0) {
      this.pool = new WorkerPool({
        size: this.config.workers,
        jobTimeoutMs: this.config.jobTimeoutMs,
        workerUrl,
        workerData,
        onEvent: (e) => {
          if (e.type === 'queue') this.rec.pool(this.pool?.size ?? 0, e.depth);
        },
      });
      this.recovery = new SenderRecovery(this.pool, this.config.recoverChunk, (r) => this.rec.fallback(r));
      this.roots = new ListRoots(this.pool, (r) => this.rec.fallback(r));
      this.rec.pool(this.pool.size, 0);
    }
  }

  /**
   * Whether one more thread (the state-root worker) would run on a core of
   * its own now: the machine has more cores than the main thread and the
   * pool, or the pool has nothing to do. On 2 cores, during an import the
   * pool is recovering the next blocks' senders, and a root computed beside
   * it only takes that core's time (measured slower than computing it here).
   */
  spareCore(): boolean {
    const pool = this.pool;
    if (!pool) return true;
    if (availableParallelism() > pool.size + 1) return true;
    return pool.queueDepth === 0 && pool.busyWorkers === 0;
  }

  get stats(): ExecutorStats {
    return this.rec.stats;
  }

  get parallel(): boolean {
    return this.config.parallel;
  }

  get workerCount(): number {
    return this.pool?.size ?? 0;
  }

  async whenReady(): Promise<void> {
    await this.pool?.whenReady();
  }

  /** Starts recovering the senders of upcoming blocks, then their tx roots (import lookahead). */
  prefetch(blocks: readonly { transactions: readonly Transaction[] }[], chainId: bigint): void {
    if (!this.recovery) return;
    for (const b of blocks) {
      this.recovery.prefetch(b.transactions, chainId);
      this.roots!.prefetch(b.transactions, b.transactions.map((tx) => tx.encode()));
    }
  }

  /** A block's tx root: prefetched on the pool, or computed here. */
  async txRoot(txs: readonly Transaction[]): Promise<Hash> {
    const encodings = () => txs.map((tx) => tx.encode());
    return this.roots ? this.roots.root(txs, encodings) : orderedTrieRoot(encodings());
  }

  async recoverSenders(txs: readonly Transaction[], chainId: bigint): Promise<Address[]> {
    return this.rec.timedAsync('recover', async () => {
      if (!this.recovery) return txs.map((tx) => tx.sender(chainId));
      return this.recovery.recover(txs, chainId);
    });
  }

  private shadowDue(number: bigint): boolean {
    const n = this.config.shadow;
    return n > 0 && number % BigInt(n) === 0n;
  }

  async executeBlock(ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint): Promise<ExecutionResult> {
    if (!this.config.parallel) return executeSerial(ctx, state, txs, senders, gasLimit);
    if (!this.shadowDue(ctx.number)) return this.executeParallel(ctx, state, txs, senders, gasLimit);
    return runShadowed(ctx, state, txs, senders, gasLimit, (pstate) => this.executeParallel(ctx, pstate, txs, senders, gasLimit), this.rec, this.config.shadowHalt);
  }

  private async executeParallel(ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint): Promise<ExecutionResult> {
    const lanes = this.rec.timed('classify', () => classifyAll(txs, state));
    const receipts: Receipt[] = [];
    const gp = new GasPool(gasLimit);
    let cumulative = 0n;
    let i = 0;
    while (i < txs.length) {
      if (lanes[i] === 'serial') {
        cumulative = applySerialRange(ctx, state, txs, senders, i, i + 1, gp, receipts, cumulative);
        this.rec.txs('serial', 1);
        i++;
        continue;
      }
      let j = i;
      while (j < txs.length && lanes[j] === 'transfer') j++;
      for (const seg of makeBatches(txs, senders, ctx.author, i, j, this.config.batchMax)) {
        cumulative = await this.runSegment(ctx, state, txs, senders, seg, gp, receipts, cumulative);
        // Let worker messages in, so the pool is refilled (e.g. with the next block's recovery).
        if (seg.end - seg.start > 64) await yieldToEventLoop();
      }
      i = j;
    }
    return { receipts, gasUsed: cumulative };
  }

  /**
   * The miner's entry point: applies a run of transfer-lane txs (picked by the
   * miner in price/nonce order) until the first invalid one, which is left
   * out with the state as before it (go-ethereum's commitTransaction reverts
   * to a snapshot). Batches go through the parallel path when it is on; a
   * batch whose precheck finds a bad tx is applied tx by tx instead, so the
   * result is the same with parallel on and off.
   */
  async applyRun(
    ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[],
    gp: GasPool, receipts: Receipt[], cumulative: bigint,
  ): Promise<{ applied: number; cumulative: bigint; failure?: InvalidTxError }> {
    const segments: Segment[] = this.config.parallel
      ? makeBatches(txs, senders, ctx.author, 0, txs.length, this.config.batchMax)
      : [{ kind: 'serial', start: 0, end: txs.length }];
    for (const seg of segments) {
      if (seg.kind === 'batch' && seg.end - seg.start > 1) {
        const pre = this.rec.timed('precheck', () => precheckBatch(ctx, state, txs, senders, seg.start, seg.end, gp.gas));
        if (pre.ok) {
          cumulative = await this.runPrechecked(ctx, state, txs, senders, seg, pre.inputs, gp, receipts, cumulative);
          continue;
        }
      }
      for (let i = seg.start; i < seg.end; i++) {
        const res = commitTransaction(ctx, state, txs[i]!, senders[i]!, gp, cumulative);
        if (res.failure) return { applied: i, cumulative, failure: res.failure };
        receipts.push(res.receipt);
        cumulative = res.receipt.cumulativeGasUsed;
      }
    }
    return { applied: txs.length, cumulative };
  }

  private async runSegment(
    ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], seg: Segment,
    gp: GasPool, receipts: Receipt[], cumulative: bigint,
  ): Promise<bigint> {
    const size = seg.end - seg.start;
    // A single tx, or one touching the author, is cheapest and safest through the reference.
    if (seg.kind === 'serial' || size === 1) {
      this.rec.txs('transfer', size);
      return applySerialRange(ctx, state, txs, senders, seg.start, seg.end, gp, receipts, cumulative);
    }
    const pre = this.rec.timed('precheck', () => precheckBatch(ctx, state, txs, senders, seg.start, seg.end, gp.gas));
    if (!pre.ok) {
      // The serial run raises the reference error for the offending tx (or, if
      // the precheck was stricter than the rules, simply executes the batch).
      return fallbackToSerial(this.rec, 'precheck', ctx, state, txs, senders, seg, gp, receipts, cumulative);
    }
    return this.runPrechecked(ctx, state, txs, senders, seg, pre.inputs, gp, receipts, cumulative);
  }

  /** Compute and merge of a batch whose precheck passed against the current state. */
  private async runPrechecked(
    ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], seg: Segment,
    inputs: readonly TransferInput[], gp: GasPool, receipts: Receipt[], cumulative: bigint,
  ): Promise<bigint> {
    const size = seg.end - seg.start;
    const inline = !this.pool || size < this.config.inlineBelow;
    let outcomes: TransferOutcome[];
    if (inline) {
      outcomes = this.rec.timed('compute', () => computeInline(inputs, ctx.config.txGas));
    } else {
      try {
        const t0 = performance.now();
        outcomes = await computeOnWorkers(this.pool!, inputs, ctx.config.txGas, this.config.transferChunk);
        this.rec.phase('compute', performance.now() - t0);
      } catch (e) {
        return fallbackToSerial(this.rec, e instanceof WorkerJobError ? e.reason : 'worker-error', ctx, state, txs, senders, seg, gp, receipts, cumulative);
      }
      if (!outcomesFit(inputs, outcomes, ctx.config.txGas)) {
        return fallbackToSerial(this.rec, 'result-mismatch', ctx, state, txs, senders, seg, gp, receipts, cumulative);
      }
    }
    this.rec.batch(size, inline);
    this.rec.txs('transfer', size);
    const snap = state.snapshot();
    const gasBefore = gp.gas;
    const receiptsBefore = receipts.length;
    try {
      return this.rec.timed('merge', () => this.merge(state, txs, senders, ctx.author, seg.start, outcomes, gp, receipts, cumulative));
    } catch {
      state.revertToSnapshot(snap);
      gp.gas = gasBefore;
      receipts.length = receiptsBefore;
      return fallbackToSerial(this.rec, 'result-mismatch', ctx, state, txs, senders, seg, gp, receipts, cumulative);
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
