/**
 * Main-thread side of the state-root worker: sends a block's account updates,
 * answers the worker's node requests from the node store (dirty cache, cache,
 * disk), and resolves with the root and the committed nodes. One request at a
 * time, in order. A worker that fails, exits or times out rejects the request
 * (RootWorkerError) and is replaced; the caller computes the root itself.
 */
import { Worker } from 'node:worker_threads';
import { asHash, type Hash } from '../../crypto/primitives.js';
import type { NodeSource } from '../trie/trie.js';
import { packEncodings, packUpdates, unpackHashes, type AccountUpdate } from './root-codec.js';
import type { RootRequest, RootResponse, RootThreadData } from './root-protocol.js';
import { cacheBudget } from '../cache-budget.js';

const THREAD_URL = new URL('./root-thread.js', import.meta.url);

export class RootWorkerError extends Error {
  override name = 'RootWorkerError';
}

export interface RootResult {
  root: Hash;
  /** Committed nodes, packed (see root-codec's forEachCommittedNode). */
  nodes: Uint8Array;
}

interface Pending {
  id: number;
  resolve: (r: RootResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class StateRootWorker {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;
  /** Requests answered by the worker, and those it failed (the caller then computed inline). */
  readonly stats = { computed: 0, failed: 0, nodeRequests: 0, nodesSent: 0 };

  constructor(
    private readonly source: NodeSource,
    private readonly opts: { timeoutMs?: number; cachedNodeBytes?: number } = {},
  ) {}

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 60_000;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const data: RootThreadData = { cachedNodeBytes: this.opts.cachedNodeBytes ?? cacheBudget().trieCleanBytes };
    const w = new Worker(THREAD_URL, { workerData: data });
    this.worker = w;
    w.unref();
    this.ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: RootResponse) => {
        if (m.type === 'ready') resolve();
        else this.onMessage(m);
      });
      w.on('error', (e) => {
        reject(e);
        this.fail(`state-root worker error: ${e.message}`);
      });
      w.on('exit', (code) => {
        reject(new RootWorkerError(`state-root worker exited with code ${code}`));
        if (!this.closed) this.fail(`state-root worker exited with code ${code}`);
      });
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Drops the worker (a fresh one starts on the next request) and rejects what was in flight. */
  private fail(why: string): void {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => {});
      void w.terminate();
    }
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(new RootWorkerError(why));
    }
  }

  private onMessage(m: RootResponse): void {
    const p = this.pending;
    if (!p || m.type === 'ready' || m.id !== p.id) return;
    if (m.type === 'need') {
      const hashes = unpackHashes(m.hashes);
      this.stats.nodeRequests++;
      this.stats.nodesSent += hashes.length;
      const encodings = packEncodings(hashes.map((h) => this.source.getNode(h)));
      const req: RootRequest = { type: 'nodes', id: p.id, encodings };
      this.worker?.postMessage(req, [encodings.buffer as ArrayBuffer]);
      return;
    }
    this.pending = undefined;
    clearTimeout(p.timer);
    if (m.type === 'done') {
      this.stats.computed++;
      p.resolve({ root: asHash(m.root), nodes: m.nodes });
    } else {
      p.reject(new RootWorkerError(`state-root worker: ${m.message}`));
    }
  }

  /** The account trie's root after `updates` on `parentRoot`, computed on the worker. */
  compute(parentRoot: Hash, updates: readonly AccountUpdate[]): Promise<RootResult> {
    const run = async (): Promise<RootResult> => {
      if (this.closed) throw new RootWorkerError('state-root worker is closed');
      await this.start();
      const w = this.worker;
      if (!w) throw new RootWorkerError('state-root worker is not running');
      const id = this.nextId++;
      const payload = packUpdates(updates);
      w.ref();
      try {
        return await new Promise<RootResult>((resolve, reject) => {
          const timer = setTimeout(() => this.fail(`state root not computed within ${this.timeoutMs} ms`), this.timeoutMs);
          this.pending = { id, resolve, reject, timer };
          const req: RootRequest = { type: 'root', id, parentRoot: parentRoot.slice(), updates: payload };
          w.postMessage(req, [payload.buffer as ArrayBuffer]);
        });
      } catch (e) {
        this.stats.failed++;
        throw e;
      } finally {
        this.worker?.unref();
      }
    };
    const r = this.chain.then(run, run);
    this.chain = r.catch(() => undefined);
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail('state-root worker closed');
  }
}
