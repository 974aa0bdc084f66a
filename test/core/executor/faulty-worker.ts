/**
 * A pool worker entry that answers like the real one (pool/worker-thread)
 * but, while armed, makes the first job it receives throw, exit or hang. The
 * arm flag is shared by all workers (and their replacements), so one fault fires.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { answerJob } from '../../../src/core/executor/pool/job-codec.js';
import type { JobRequest } from '../../../src/core/executor/pool/job.js';

export type WorkerFault = 'throw' | 'exit' | 'hang';

export interface FaultyWorkerData {
  fault: WorkerFault;
  /** Int32Array over a SharedArrayBuffer: 1 = armed; the worker that fires resets it. */
  armed: Int32Array;
}

/** The options for TxExecutor/WorkerPool, and `arm()` to make the next job fault. */
export function faultyWorker(fault: WorkerFault): { workerUrl: URL; workerData: FaultyWorkerData; arm(): void } {
  const armed = new Int32Array(new SharedArrayBuffer(4));
  return {
    workerUrl: new URL('./faulty-worker.js', import.meta.url),
    workerData: { fault, armed },
    arm: () => Atomics.store(armed, 0, 1),
  };
}

// Imported on the main thread (by the test, for faultyWorker) it does nothing else.
if (parentPort) {
  const port = parentPort;
  const { fault, armed } = workerData as FaultyWorkerData;
  port.postMessage({ ready: true });
  port.on('message', (req: JobRequest) => {
    if (Atomics.compareExchange(armed, 0, 1, 0) === 1) {
      if (fault === 'throw') throw new Error('injected worker fault');
      if (fault === 'exit') process.exit(7);
      for (;;) {
        // Spin until the pool's timeout terminates this thread.
      }
    }
    const [res, transfer] = answerJob(req);
    port.postMessage(res, transfer);
  });
}
