/**
 * Worker entry: receives packed jobs, runs the shared pure handlers, and
 * posts the result buffer back (transferred, not copied). Test-only faults
 * make it throw, exit or hang so the pool's recovery paths can be proven.
 */
import { parentPort } from 'node:worker_threads';
import type { JobRequest, JobResponse } from './job.js';
import { runRecover, runTransfer } from './job-codec.js';

if (!parentPort) throw new Error('worker.ts must run as a worker thread');
const port = parentPort;

port.postMessage({ ready: true });

port.on('message', (req: JobRequest) => {
  if (req.fault === 'throw') throw new Error('injected worker fault');
  if (req.fault === 'exit') process.exit(7);
  if (req.fault === 'hang') {
    for (;;) {
      // Spin until the pool's timeout terminates this thread.
    }
  }
  let res: JobResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = req.kind === 'recover' ? runRecover(req.payload) : runTransfer(req.payload);
    res = { id: req.id, ok: true, result };
    transfer = [result.buffer as ArrayBuffer];
  } catch (e) {
    res = { id: req.id, ok: false, error: (e as Error).message };
  }
  port.postMessage(res, transfer);
});
