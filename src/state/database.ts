/**
 * The key-value layer under everything: LevelDB (classic-level) with
 * synchronous point reads (trie nodes are read on the execution hot path) and
 * atomic write batches. `MemoryDatabase` has the same surface for tries that
 * never touch disk (tx/receipt roots, scratch state in tests and benches).
 * Owns no key layout: see schema.ts.
 */
import { ClassicLevel } from 'classic-level';
import { bytesToHex, hexToBytes } from '../crypto/bytes.js';

export interface KeyValueReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

export interface WriteBatch {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  /** Number of queued operations. */
  readonly size: number;
  /** Applies every queued operation atomically. */
  write(): Promise<void>;
}

export interface KeyValueStore extends KeyValueReader {
  batch(): WriteBatch;
  /** Keys and values whose key starts with `prefix`, in key order. */
  iterate(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

export class DatabaseError extends Error {
  override name = 'DatabaseError';
}

/**
 * LevelDB's open failure in the words a user can act on. Only LEVEL_LOCKED
 * is another process: a LOCK file we may not create ("IO error: …/LOCK:
 * Permission denied") is a permissions problem, though it names the lock.
 */
function openFailure(path: string, e: unknown): DatabaseError {
  const err = e as Error & { cause?: Error & { code?: string } };
  const code = err.cause?.code;
  const why = err.cause?.message ?? err.message;
  if (code === 'LEVEL_LOCKED' || /already held by process/i.test(why)) return new DatabaseError(`database ${path} is in use by another process (${why})`);
  if (code === 'EROFS' || /read-only file system/i.test(why)) return new DatabaseError(`cannot open database ${path}: read-only file system (${why})`);
  if (code === 'EACCES' || code === 'EPERM' || /permission denied|operation not permitted/i.test(why)) return new DatabaseError(`cannot open database ${path}: permission denied (${why})`);
  if (code === 'ENOSPC' || /no space left/i.test(why)) return new DatabaseError(`cannot open database ${path}: no space left on device (${why})`);
  return new DatabaseError(`cannot open database ${path}: ${why}`);
}

function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

/** A Buffer view of the same memory (no copy). */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

type Op = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** A batch that queues operations and hands them, in order, to `apply` on write. */
function collectBatch(apply: (ops: readonly Op[]) => Promise<void>): WriteBatch {
  const ops: Op[] = [];
  return {
    put(key, value) {
      ops.push({ type: 'put', key, value });
    },
    del(key) {
      ops.push({ type: 'del', key });
    },
    get size() {
      return ops.length;
    },
    async write() {
      if (ops.length > 0) await apply(ops);
    },
  };
}

/**
 * A write the database refused (full disk, I/O error). Fatal for the node: after
 * the first one every later write is refused with the same error, so nothing
 * is half-applied on top of a state that could not be saved (go-ethereum's
 * log.Crit). LevelDB batches are atomic, so the refused write left nothing.
 */
export class StorageWriteError extends DatabaseError {
  override name = 'StorageWriteError';
}

export class LevelDatabase implements KeyValueStore {
  private failure: StorageWriteError | undefined;
  private readonly failureListeners: ((e: StorageWriteError) => void)[] = [];

  private constructor(private readonly db: ClassicLevel<Buffer, Buffer>, readonly path: string) {}

  /** Called once, on the first refused write. */
  onWriteFailure(fn: (e: StorageWriteError) => void): void {
    this.failureListeners.push(fn);
  }

  get writeFailure(): StorageWriteError | undefined {
    return this.failure;
  }

  /** Opens (creating if needed) the database at `path`. Fails clearly if another process holds its lock. */
  static async open(path: string): Promise<LevelDatabase> {
    // 'buffer' encoding and chained batches skip abstract-level's per-op transcoding:
    // measured ~3x faster than array batches of views for a block's trie nodes.
    // LevelDB's default cache and write buffer: a 128 MB cache, 32 MB buffer and 8 MB files
    // measured no different on a 150-block import (2,915–3,274 vs 3,037–3,090 tx/s).
    const db = new ClassicLevel<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (e) {
      throw openFailure(path, e);
    }
    return new LevelDatabase(db, path);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.db.getSync(asBuffer(key)) ?? undefined;
  }

  batch(): WriteBatch {
    const db = this.db;
    return collectBatch(async (ops) => {
      if (this.failure) throw this.failure;
      const b = db.batch();
      for (const op of ops) {
        if (op.type === 'put') b.put(asBuffer(op.key), asBuffer(op.value));
        else b.del(asBuffer(op.key));
      }
      try {
        await b.write();
      } catch (e) {
        const cause = (e as Error & { cause?: Error }).cause ?? (e as Error);
        const why = /no space left/i.test(cause.message) ? `no space left on device (${cause.message})` : cause.message;
        this.failure ??= new StorageWriteError(`database write failed: ${why}`, { cause: e });
        for (const fn of this.failureListeners.splice(0)) fn(this.failure);
        throw this.failure;
      }
    });
  }

  async *iterate(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const upper = prefixUpperBound(prefix);
    const opts = upper ? { gte: asBuffer(prefix), lt: asBuffer(upper) } : { gte: asBuffer(prefix) };
    for await (const [k, v] of this.db.iterator(opts)) yield [new Uint8Array(k), new Uint8Array(v)];
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

export class MemoryDatabase implements KeyValueStore {
  private readonly map = new Map<string, Uint8Array>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(bytesToHex(key, false));
  }

  batch(): WriteBatch {
    const map = this.map;
    return collectBatch(async (ops) => {
      for (const op of ops) {
        const k = bytesToHex(op.key, false);
        if (op.type === 'put') map.set(k, op.value);
        else map.delete(k);
      }
    });
  }

  async *iterate(prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
    const p = bytesToHex(prefix, false);
    const keys = [...this.map.keys()].filter((k) => k.startsWith(p)).sort();
    for (const k of keys) yield [hexToBytes(k), this.map.get(k)!];
  }

  get entries(): number {
    return this.map.size;
  }

  async close(): Promise<void> {}
}
