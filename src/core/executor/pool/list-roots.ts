/**
 * Tx roots of upcoming blocks on the worker pool: import asks for them with
 * the blocks' senders (`prefetch`), so a block's body check finds its root
 * computed beside the execution of the block before. A root still queued when
 * it is needed is computed by the main thread itself; a lost job falls back
 * to the main thread.
 */
import { asHash, type Hash } from '../../../crypto/primitives.js';
import { orderedTrieRoot } from '../../../state/trie/ordered.js';
import { packListRoot, runListRoot } from './job-codec.js';
import { WorkerJobError, type FallbackReason } from './job.js';
import type { WorkerPool } from './worker-pool.js';

/** Below this a root costs less than the message that would carry it. */
const MIN_ITEMS = 64;

interface Pending {
  group: number;
  root: Promise<Hash>;
}

export class ListRoots {
  private readonly pending = new WeakMap<object, Pending>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly onFallback: (reason: FallbackReason) => void,
  ) {}

  /** Starts the root of `items`, remembered under `key` (a block's tx list). */
  prefetch(key: object, items: readonly Uint8Array[]): void {
    if (items.length < MIN_ITEMS || this.pending.has(key)) return;
    const group = this.pool.newGroup();
    const root = this.pool.submit('list-root', packListRoot(items), group, undefined, items.length).then((r) => asHash(r));
    // Seen by root(); a job lost before anybody asks must not be an unhandled rejection.
    root.catch(() => undefined);
    this.pending.set(key, { group, root });
  }

  /** `items` is only called when the root must be computed here. */
  async root(key: object, items: () => readonly Uint8Array[]): Promise<Hash> {
    const p = this.pending.get(key);
    if (!p) return orderedTrieRoot(items());
    this.pending.delete(key);
    await this.pool.help(p.group, (_kind, payload) => runListRoot(payload));
    try {
      return await p.root;
    } catch (e) {
      this.onFallback(e instanceof WorkerJobError ? e.reason : 'worker-error');
      return orderedTrieRoot(items());
    }
  }
}
