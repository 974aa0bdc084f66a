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

interface Pending {
  group: number;
  done: Promise<void>;
}

export class SenderRecovery {
  private readonly pending = new WeakMap<readonly Transaction[], Pending>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly chunk: number,
    private readonly onFallback: (reason: FallbackReason) => void,
  ) {}

  /** Starts recovery of a block's txs if it has not started yet. */
  prefetch(txs: readonly Transaction[], chainId: bigint): void {
    if (txs.length === 0 || this.pending.has(txs)) return;
    if (txs.every((tx) => tx.cachedSender() !== undefined)) return;
    const group = this.pool.newGroup();
    const jobs: Promise<void>[] = [];
    // A set smaller than a chunk per thread (an RPC batch) is split so the workers and the
    // main thread (which helps with still-queued chunks) share it instead of one worker doing it all.
    const chunk = Math.min(this.chunk, Math.max(MIN_CHUNK, Math.ceil(txs.length / (this.pool.size + 1))));
    for (let s = 0; s < txs.length; s += chunk) {
      const slice = txs.slice(s, s + chunk);
      const payload = packRecover(slice.map((tx) => tx.encode()), chainId);
      jobs.push(
        this.pool.submit('recover', payload, group, slice).then(
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
    this.prefetch(txs, chainId);
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
}

function install(txs: readonly Transaction[], result: Uint8Array): void {
  for (let i = 0; i < txs.length; i++) {
    const r = unpackRecover(result, i);
    if (r.sender && txs[i]!.cachedSender() === undefined) txs[i]!.setSender(r.sender);
    if (r.hash) txs[i]!.setHash(r.hash);
  }
}
