/**
 * How many workers the executor's pool starts by default. Lodestar uses
 * cores − 1 so the main thread keeps a core; here the main thread also takes
 * queued chunks itself while it waits, so on small machines one worker per
 * core minus the main thread's share is what keeps both cores busy without
 * oversubscribing them. Measured on the bench (see README).
 */
import { availableParallelism } from 'node:os';

export function defaultWorkerCount(): number {
  const cores = availableParallelism();
  return Math.max(1, cores - 1);
}
