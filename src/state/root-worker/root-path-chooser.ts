/**
 * Chooses, block by block, where the state root is computed: on the main
 * thread or on the state-root worker, by which has cost the main thread less
 * time per transaction lately. The worker's cost is its synchronous part plus
 * the time the main thread sat idle waiting for it (the wall time of the wait
 * less the event loop's utilisation meanwhile): in an import nothing else is
 * queued, so the whole wait counts; in the miner, RPC ingestion runs during
 * it, so little does. Measured on 2 cores (import of 10k-tx blocks), the
 * worker took 0.55–0.86 s per block against 0.34–0.41 s inline, so a fixed
 * choice would be wrong for one of the two uses.
 */
import { performance } from 'node:perf_hooks';

export type RootPath = 'main' | 'worker';

/** Samples of a path before the chooser trusts its average. */
const WARMUP = 2;

export class RootPathChooser {
  /** Main-thread milliseconds per transaction, exponentially averaged. */
  private readonly cost: Record<RootPath, number> = { main: 0, worker: 0 };
  private readonly samples: Record<RootPath, number> = { main: 0, worker: 0 };
  private picks = 0;

  /**
   * `probeEvery`: every Nth pick takes the path that lost, so its average
   * follows a change of load (sync → mining); `alpha`: the weight of a new sample.
   */
  constructor(private readonly probeEvery = 32, private readonly alpha = 0.3) {}

  pick(): RootPath {
    if (this.samples.main < WARMUP) return 'main';
    if (this.samples.worker < WARMUP) return 'worker';
    const best: RootPath = this.cost.worker < this.cost.main ? 'worker' : 'main';
    this.picks++;
    if (this.picks % this.probeEvery === 0) return best === 'main' ? 'worker' : 'main';
    return best;
  }

  record(path: RootPath, mainThreadMs: number, txs: number): void {
    const perTx = mainThreadMs / Math.max(1, txs);
    const n = this.samples[path]++;
    this.cost[path] = n === 0 ? perTx : this.cost[path] + this.alpha * (perTx - this.cost[path]);
  }

  /** The averages (ms per tx) and sample counts, for logs and tests. */
  get figures(): { main: number; worker: number; mainSamples: number; workerSamples: number } {
    return { main: this.cost.main, worker: this.cost.worker, mainSamples: this.samples.main, workerSamples: this.samples.worker };
  }
}

/** Main-thread time lost while awaiting `p`: the wait less what the event loop did meanwhile. */
export async function idleWhile<T>(p: Promise<T>): Promise<{ value: T; idleMs: number }> {
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const value = await p;
  const wall = performance.now() - t0;
  const busy = performance.eventLoopUtilization(elu0).utilization;
  return { value, idleMs: wall * (1 - busy) };
}
