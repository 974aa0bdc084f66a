/**
 * The executor's bookkeeping: counters and phase timings (`ExecutorStats`),
 * and the observer the node wires to its Prometheus registry. Every count
 * goes through one ExecutorStatsRecorder so stats and observer never drift.
 */
import type { FallbackReason } from './pool/job.js';

export type Phase = 'recover' | 'classify' | 'precheck' | 'compute' | 'merge' | 'shadow';

/** What the executor reports; the node wires it to its Prometheus registry. */
export interface ExecutorObserver {
  batch?(size: number, inline: boolean): void;
  txs?(lane: 'transfer' | 'serial', n: number): void;
  fallback?(reason: FallbackReason): void;
  shadowCheck?(mismatch: boolean): void;
  phase?(phase: Phase, seconds: number): void;
  pool?(size: number, queueDepth: number): void;
}

export interface ExecutorStats {
  batches: number;
  inlineBatches: number;
  transferTxs: number;
  serialTxs: number;
  fallbacks: Partial<Record<FallbackReason, number>>;
  shadowChecks: number;
  shadowMismatches: number;
  phaseMs: Record<Phase, number>;
}

export function newStats(): ExecutorStats {
  return {
    batches: 0, inlineBatches: 0, transferTxs: 0, serialTxs: 0, fallbacks: {}, shadowChecks: 0, shadowMismatches: 0,
    phaseMs: { recover: 0, classify: 0, precheck: 0, compute: 0, merge: 0, shadow: 0 },
  };
}

export class ExecutorStatsRecorder {
  readonly stats: ExecutorStats = newStats();

  constructor(private readonly observer: ExecutorObserver = {}) {}

  phase(phase: Phase, ms: number): void {
    this.stats.phaseMs[phase] += ms;
    this.observer.phase?.(phase, ms / 1000);
  }

  timed<T>(phase: Phase, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.phase(phase, performance.now() - t0);
    }
  }

  async timedAsync<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.phase(phase, performance.now() - t0);
    }
  }

  fallback(reason: FallbackReason): void {
    this.stats.fallbacks[reason] = (this.stats.fallbacks[reason] ?? 0) + 1;
    this.observer.fallback?.(reason);
  }

  txs(lane: 'transfer' | 'serial', n: number): void {
    if (lane === 'transfer') this.stats.transferTxs += n;
    else this.stats.serialTxs += n;
    this.observer.txs?.(lane, n);
  }

  batch(size: number, inline: boolean): void {
    this.stats.batches++;
    if (inline) this.stats.inlineBatches++;
    this.observer.batch?.(size, inline);
  }

  shadowCheck(mismatch: boolean): void {
    this.stats.shadowChecks++;
    this.observer.shadowCheck?.(mismatch);
    if (mismatch) this.stats.shadowMismatches++;
  }

  pool(size: number, queueDepth: number): void {
    this.observer.pool?.(size, queueDepth);
  }
}
