/**
 * Worker entry: receives packed jobs, runs the shared pure handlers, and
 * posts the result buffer back (transferred, not copied).
 */
import { parentPort } from 'node:worker_threads';
import type { JobRequest } from './job.js';
import { answerJob } from './job-codec.js';

if (!parentPort) throw new Error('worker-thread.ts must run as a worker thread');
const port = parentPort;

port.postMessage({ ready: true });

port.on('message', (req: JobRequest) => {
  const [res, transfer] = answerJob(req);
  port.postMessage(res, transfer);
});
