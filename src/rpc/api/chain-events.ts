/**
 * The chain, pool and sync events the subscriptions (subscriptions.ts) and
 * polling filters (filters.ts) feed on, fanned out from one listener per
 * source that is attached only while someone consumes that topic.
 */
import type { Blockchain, NewHeadEvent } from '../../core/chain/blockchain.js';
import type { TxPool } from '../../core/txpool/txpool.js';
import { hashToHex } from '../../crypto/primitives.js';
import type { Block } from '../../types/block.js';
import type { Transaction } from '../../types/transaction.js';
import { logger } from '../../util/log.js';

const log = logger('rpc');

export interface PendingEvent {
  txs: readonly Transaction[];
  /** 0x hashes, computed once for every consumer. */
  hashes: readonly string[];
}

export type SyncStatus = false | { startingBlock: bigint; currentBlock: bigint; highestBlock: bigint };

export interface ChainEventsOptions {
  /** How often sync progress is sampled while a syncing subscription exists (the sync layer has no event for it). */
  syncPollMs?: number;
}

type Off = () => void;

/** Consumers of one topic; `attach` runs when the first arrives and its result when the last leaves. */
class Topic<T> {
  private readonly fns = new Set<(v: T) => void>();
  private detach: Off | undefined;

  constructor(private readonly name: string, private readonly attach: () => Off) {}

  get size(): number {
    return this.fns.size;
  }

  add(fn: (v: T) => void): Off {
    const own = (v: T) => fn(v);
    this.fns.add(own);
    if (this.fns.size === 1) this.detach = this.attach();
    return () => {
      if (!this.fns.delete(own)) return;
      if (this.fns.size === 0) this.stop();
    };
  }

  emit(v: T): void {
    // A copy: a consumer may leave (or another join) while we deliver.
    for (const fn of [...this.fns]) {
      try {
        fn(v);
      } catch (e) {
        log.error('RPC event consumer failed', { topic: this.name, err: e as Error });
      }
    }
  }

  stop(): void {
    this.fns.clear();
    const d = this.detach;
    this.detach = undefined;
    d?.();
  }
}

export class ChainEvents {
  private readonly heads: Topic<readonly Block[]>;
  private readonly pending: Topic<PendingEvent>;
  private readonly syncing: Topic<SyncStatus>;
  private queue: (() => void)[] = [];
  private flushing: NodeJS.Immediate | undefined;

  constructor(chain: Blockchain, pool: TxPool, readSync: () => SyncStatus, opts: ChainEventsOptions = {}) {
    const pollMs = opts.syncPollMs ?? 1000;
    this.heads = new Topic('heads', () => {
      const on = (ev: NewHeadEvent) => this.later(() => this.heads.emit(ev.added.length ? ev.added : [ev.block]));
      chain.on('head', on);
      return () => chain.off('head', on);
    });
    this.pending = new Topic('pending', () => {
      const on = (txs: Transaction[]) => this.later(() => this.pending.emit({ txs, hashes: txs.map((t) => hashToHex(t.hash())) }));
      pool.on('pending', on);
      return () => pool.off('pending', on);
    });
    this.syncing = new Topic('syncing', () => {
      let last = readSync() !== false;
      const timer = setInterval(() => {
        const s = readSync();
        // geth reports the start of a sync (with progress) and its end (false), not every step.
        if ((s !== false) === last) return;
        last = s !== false;
        this.syncing.emit(s);
      }, pollMs);
      timer.unref();
      return () => clearInterval(timer);
    });
  }

  /** Canonical blocks in the order they joined the chain (several after a reorg). */
  onHeads(fn: (blocks: readonly Block[]) => void): Off {
    return this.heads.add(fn);
  }

  /** Transactions that became executable in the pool. */
  onPending(fn: (ev: PendingEvent) => void): Off {
    return this.pending.add(fn);
  }

  /** Sync started (with its progress) or ended (false). */
  onSyncing(fn: (s: SyncStatus) => void): Off {
    return this.syncing.add(fn);
  }

  /** Consumers across all topics (for tests and leak checks). */
  get consumers(): number {
    return this.heads.size + this.pending.size + this.syncing.size;
  }

  close(): void {
    this.heads.stop();
    this.pending.stop();
    this.syncing.stop();
    this.queue = [];
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
  }

  /**
   * Delivery waits for the next turn of the event loop: the pool and chain
   * emit inside their admission and import paths, which must neither pay
   * for formatting notifications nor see a consumer's failure.
   */
  private later(task: () => void): void {
    this.queue.push(task);
    this.flushing ??= setImmediate(() => {
      this.flushing = undefined;
      const q = this.queue;
      this.queue = [];
      for (const t of q) t();
    });
  }
}
