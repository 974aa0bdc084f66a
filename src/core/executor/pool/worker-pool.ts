/**
 * The worker pool: `node:worker_threads` started once and kept warm (Lodestar's
 * BLS pool is the model). Jobs wait in one FIFO queue; each worker holds at
 * most `maxInFlight` so it never idles while the main thread is busy. A worker
 * that errors, exits or exceeds the job timeout is terminated and replaced,
 * and its jobs reject with a WorkerJobError naming the reason, so the caller
 * can fall back to serial execution. While the main thread waits for a group
 * of jobs it takes queued (not yet dispatched) ones itself (`runGroup`).
 * Never decides anything about consensus: it only moves buffers.
 */
import { Worker } from 'node:worker_threads';
import type { JobKind, JobRequest, JobResponse } from './job.js';
import { WorkerJobError } from './job.js';

interface PendingJob {
  id: number;
  kind: JobKind;
  payload: Uint8Array;
  resolve: (r: Uint8Array) => void;
  reject: (e: Error) => void;
  group: number;
  /** Opaque to the pool: handed back to the inline handler (e.g. the decoded txs of a chunk). */
  tag: unknown;
  /** Units of work the job carries (txs of a recovery chunk), for `backlog`. */
  weight: number;
  /** Set once a worker owns the job. */
  timer?: NodeJS.Timeout;
  started?: number;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, PendingJob>;
  ready: boolean;
}

export interface WorkerPoolOptions {
  size: number;
  /** A job not answered within this many ms makes its worker be replaced. */
  jobTimeoutMs?: number;
  maxInFlight?: number;
  onEvent?: (e: PoolEvent) => void;
  /** Worker entry module (default: worker-thread.js), and the `workerData` each worker starts with. */
  workerUrl?: URL;
  workerData?: unknown;
}

export type PoolEvent =
  | { type: 'replaced'; reason: 'worker-error' | 'worker-exit' | 'worker-timeout' }
  | { type: 'job-done'; kind: JobKind; ms: number; inline: boolean }
  | { type: 'queue'; depth: number };

export type InlineHandler = (kind: JobKind, payload: Uint8Array, tag: unknown) => Uint8Array;

const WORKER_URL = new URL('./worker-thread.js', import.meta.url);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: PendingJob[] = [];
  private nextId = 1;
  private nextGroup = 1;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly workerUrl: URL;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.timeoutMs = opts.jobTimeoutMs ?? 30_000;
    // Deep enough that a worker stays busy through the main thread's synchronous stretches
    // (executing, hashing, writing a block), when nobody is there to refill it.
    this.maxInFlight = opts.maxInFlight ?? 16;
    this.workerUrl = opts.workerUrl ?? WORKER_URL;
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  /** Units of work (txs) queued or on the workers, not yet answered. */
  get backlog(): number {
    let n = 0;
    for (const job of this.queue) n += job.weight;
    for (const s of this.slots) for (const job of s.inFlight.values()) n += job.weight;
    return n;
  }

  get busyWorkers(): number {
    return this.slots.filter((s) => s.inFlight.size > 0).length;
  }

  /** Resolves once every worker has loaded (tests use it to start from a warm pool). */
  async whenReady(): Promise<void> {
    while (this.slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 5));
  }

  /** True while more work can be queued without piling up (backpressure for producers). */
  canAcceptWork(): boolean {
    return this.queue.length < this.slots.length * this.maxInFlight * 4;
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl, { workerData: this.opts.workerData });
    // A worker gets jobs only once its modules (WASM keccak, the native addon) are loaded,
    // so a cold start never counts against a job's timeout.
    const slot: Slot = { worker, inFlight: new Map(), ready: false };
    worker.on('message', (msg: JobResponse | { ready: true }) => {
      if ('ready' in msg) {
        slot.ready = true;
        this.dispatch();
      } else this.onMessage(slot, msg);
    });
    worker.on('error', (err) => this.retire(slot, 'worker-error', err.message));
    worker.on('exit', (code) => {
      if (!this.closed) this.retire(slot, 'worker-exit', `worker exited with code ${code}`);
    });
    // A warm idle pool must not keep the process alive on its own.
    worker.unref();
    return slot;
  }

  private onMessage(slot: Slot, msg: JobResponse): void {
    const job = slot.inFlight.get(msg.id);
    if (!job) return;
    slot.inFlight.delete(msg.id);
    if (slot.inFlight.size === 0) slot.worker.unref();
    clearTimeout(job.timer);
    if (msg.ok) {
      this.opts.onEvent?.({ type: 'job-done', kind: job.kind, ms: performance.now() - (job.started ?? 0), inline: false });
      job.resolve(msg.result);
    } else {
      job.reject(new WorkerJobError('worker-error', msg.error));
    }
    this.dispatch();
  }

  /** Fails a worker's jobs and replaces it (unless the pool is closing). */
  private retire(slot: Slot, reason: 'worker-error' | 'worker-exit' | 'worker-timeout', message: string): void {
    const idx = this.slots.indexOf(slot);
    if (idx < 0) return;
    for (const job of slot.inFlight.values()) {
      clearTimeout(job.timer);
      job.reject(new WorkerJobError(reason, message));
    }
    slot.inFlight.clear();
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('message');
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(idx, 1);
      return;
    }
    this.slots[idx] = this.spawn();
    this.opts.onEvent?.({ type: 'replaced', reason });
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      while (slot.ready && slot.inFlight.size < this.maxInFlight && this.queue.length > 0) {
        const job = this.queue.shift()!;
        // Busy workers keep the process alive until their answers arrive; idle ones don't.
        if (slot.inFlight.size === 0) slot.worker.ref();
        slot.inFlight.set(job.id, job);
        job.started = performance.now();
        job.timer = setTimeout(() => this.retire(slot, 'worker-timeout', `job ${job.id} (${job.kind}) timed out after ${this.timeoutMs} ms`), this.timeoutMs);
        job.timer.unref();
        // Copy into a fresh buffer we can transfer: payloads are often views into larger buffers.
        const payload = job.payload.byteOffset === 0 && job.payload.byteLength === job.payload.buffer.byteLength
          ? job.payload : job.payload.slice();
        const req: JobRequest = { id: job.id, kind: job.kind, payload };
        slot.worker.postMessage(req, [payload.buffer as ArrayBuffer]);
      }
    }
    this.opts.onEvent?.({ type: 'queue', depth: this.queue.length });
  }

  /** Queues one job for a worker. */
  submit(kind: JobKind, payload: Uint8Array, group = 0, tag: unknown = undefined, weight = 1): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new WorkerJobError('pool-closed', 'worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind, payload, resolve, reject, group, tag, weight });
      this.dispatch();
    });
  }

  /** A fresh group id: jobs submitted under it can be helped along by `help`. */
  newGroup(): number {
    return this.nextGroup++;
  }

  /**
   * Runs a group of jobs and waits for all of them, taking the group's queued
   * jobs onto the main thread with `inline` while waiting, one at a time with
   * a turn of the event loop in between so workers are refilled. Results keep
   * the input order, whatever finished first.
   */
  async runGroup(kind: JobKind, payloads: Uint8Array[], inline: InlineHandler | undefined, tags?: unknown[]): Promise<Uint8Array[]> {
    const group = this.newGroup();
    const all = Promise.all(payloads.map((p, i) => this.submit(kind, p, group, tags?.[i])));
    // A job may fail while the main thread is still helping: the caller sees it on `all`.
    all.catch(() => undefined);
    if (inline) await this.help(group, inline);
    return all;
  }

  /** Runs this group's undispatched jobs on the calling thread until none is left in the queue. */
  async help(group: number, inline: InlineHandler): Promise<void> {
    for (;;) {
      let idx = -1;
      for (let i = this.queue.length - 1; i >= 0; i--) {
        if (this.queue[i]!.group === group) {
          idx = i;
          break;
        }
      }
      if (idx < 0) return;
      const job = this.queue.splice(idx, 1)[0]!;
      const t0 = performance.now();
      try {
        job.resolve(inline(job.kind, job.payload, job.tag));
      } catch (e) {
        job.reject(e as Error);
      }
      this.opts.onEvent?.({ type: 'job-done', kind: job.kind, ms: performance.now() - t0, inline: true });
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new WorkerJobError('pool-closed', 'worker pool closed'));
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (s) => {
        for (const job of s.inFlight.values()) {
          clearTimeout(job.timer);
          job.reject(new WorkerJobError('pool-closed', 'worker pool closed'));
        }
        s.worker.removeAllListeners();
        s.worker.on('error', () => {});
        await s.worker.terminate();
      }),
    );
  }
}
