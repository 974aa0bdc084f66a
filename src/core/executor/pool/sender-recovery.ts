/**
 * Phase 0: sender recovery (and tx hashing) for whole blocks on the worker
 * pool, the way go-ethereum's sender cacher works. Import asks for blocks
 * ahead of the one executing (`prefetch`), so recovery of block N+1 overlaps
 * execution of block N; when a block's senders are needed, the main thread
 * takes that block's still-queued chunks itself instead of idling. A failed
 * job falls back to recovery on the main thread; a tx whose signature a
 * worker rejected is recovered again on the main thread to raise the typed
 * error of the serial path.
 */
import type { Address } from '../../../crypto/primitives.js';
import type { Transaction } from '../../../types/transaction.js';
import { packRecover, runRecover, unpackRecover } from './job-codec.js';
import { WorkerJobError, type FallbackReason } from './job.js';
import type { WorkerPool } from './worker-pool.js';

/** Below this a job's message costs more than the recoveries it carries. */
const MIN_CHUNK = 32;
/**
 * The main thread's recovery rate as a fraction of a worker's, since it also
 * serves RPC, admits and mines. TPS bench, 2 cores, alternating runs: 0.25 gave
 * 9.9k accepted tx/s against 9.3k with no main share; 1 (an even split) 7.7k.
 */
const MAIN_WEIGHT = 0.25;

interface Pending {
  group: number;
  done: Promise<void>;
}

export class SenderRecovery {
  private readonly pending = new WeakMap<readonly Transaction[], Pending>();
  /** Txs the main thread has taken in `share` and not recovered yet. */
  private mainBacklog = 0;

  constructor(
    private readonly pool: WorkerPool,
    private readonly chunk: number,
    private readonly onFallback: (reason: FallbackReason) => void,
  ) {}

  /** Starts recovery of a block's txs on the pool if it has not started yet. */
  prefetch(txs: readonly Transaction[], chainId: bigint): void {
    if (txs.length === 0 || this.pending.has(txs)) return;
    if (txs.every((tx) => tx.cachedSender() !== undefined)) return;
    this.start(txs, txs, chainId);
  }

  /** Submits `part` of `txs` in chunks, recorded under `txs`. */
  private start(txs: readonly Transaction[], part: readonly Transaction[], chainId: bigint): void {
    const group = this.pool.newGroup();
    const jobs: Promise<void>[] = [];
    // A set smaller than a chunk per thread (an RPC batch) is split so the workers and the
    // main thread (which helps with still-queued chunks) share it instead of one worker doing it all.
    const chunk = Math.min(this.chunk, Math.max(MIN_CHUNK, Math.ceil(part.length / (this.pool.size + 1))));
    for (let s = 0; s < part.length; s += chunk) {
      const slice = part.slice(s, s + chunk);
      const payload = packRecover(slice.map((tx) => tx.encode()), chainId);
      jobs.push(
        this.pool.submit('recover', payload, group, slice, slice.length).then(
          (result) => install(slice, result),
          (e: unknown) => {
            // A lost job is not an invalid block: recover this chunk on the main thread.
            this.onFallback(e instanceof WorkerJobError ? e.reason : 'worker-error');
          },
        ),
      );
    }
    this.pending.set(txs, { group, done: Promise.all(jobs).then(() => undefined) });
  }

  async recover(txs: readonly Transaction[], chainId: bigint): Promise<Address[]> {
    if (!this.pending.has(txs) && txs.some((tx) => tx.cachedSender() === undefined)) await this.share(txs, chainId);
    const p = this.pending.get(txs);
    if (p) {
      await this.pool.help(p.group, (_kind, payload, tag) => {
        const result = runRecover(payload);
        install(tag as Transaction[], result);
        return result;
      });
      await p.done;
      this.pending.delete(txs);
    }
    // Anything still without a sender (worker fallback or a bad signature)
    // goes through the serial path, which throws the typed error.
    return txs.map((tx) => tx.cachedSender() ?? tx.sender(chainId));
  }

  /**
   * Recovery that is wanted now (an RPC batch, a block nobody prefetched):
   * the main thread would otherwise wait idle, and jobs handed to a worker
   * cannot be taken back, so it keeps the share that makes every thread
   * finish together (the main thread counted as MAIN_WEIGHT of a worker),
   * given what each already holds: the workers' backlog and the main
   * thread's own shares of earlier batches still running. All of it when the
   * rest would be smaller than a worthwhile job.
   */
  private async share(txs: readonly Transaction[], chainId: bigint): Promise<void> {
    const n = txs.length;
    const even = ((this.pool.backlog + this.mainBacklog + n) * MAIN_WEIGHT) / (this.pool.size + MAIN_WEIGHT);
    let mine = Math.max(0, Math.min(n, Math.ceil(even - this.mainBacklog)));
    if (n - mine < Math.min(MIN_CHUNK, this.chunk)) mine = n;
    if (mine < n) this.start(txs, txs.slice(mine), chainId);
    this.mainBacklog += mine;
    for (let s = 0; s < mine; s += this.chunk) {
      const end = Math.min(mine, s + this.chunk);
      // A bad signature is left for the serial path in `recover` to raise its typed error.
      for (let i = s; i < end; i++) {
        try {
          txs[i]!.sender(chainId);
        } catch {
          /* raised again in recover */
        }
      }
      this.mainBacklog -= end - s;
      // Between slices the workers are refilled and RPC requests get their turn.
      if (end < mine) await new Promise<void>((r) => setImmediate(r));
    }
  }
}

function install(txs: readonly Transaction[], result: Uint8Array): void {
  for (let i = 0; i < txs.length; i++) {
    const r = unpackRecover(result, i);
    if (r.sender && txs[i]!.cachedSender() === undefined) txs[i]!.setSender(r.sender);
    if (r.hash) txs[i]!.setHash(r.hash);
  }
}
