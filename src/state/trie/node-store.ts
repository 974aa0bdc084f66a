/**
 * Where tries read their nodes: the database (schema.trieNode(hash)) behind a
 * cache of recently read or committed node encodings (two generations of
 * plain Maps: util/generational-cache), bounded in bytes by `--cache`.
 */
import type { KeyValueReader } from '../database.js';
import { schema } from '../schema.js';
import type { NodeSource } from './trie.js';
import type { DirtyNodeCache } from './dirty-nodes.js';
import { bytesKey as keyOf } from '../../crypto/bytes.js';
import { cacheBudget, entryBytes } from '../cache-budget.js';
import { GenerationalCache } from '../../util/generational-cache.js';

export class TrieNodeStore implements NodeSource {
  private readonly cached: GenerationalCache<Uint8Array>;

  /** With pruning: nodes committed but not yet flushed, read before the cache and the disk. */
  dirty: DirtyNodeCache | undefined;

  constructor(private readonly kv: KeyValueReader, maxCachedBytes = cacheBudget().trieCleanBytes) {
    this.cached = new GenerationalCache<Uint8Array>(Number.MAX_SAFE_INTEGER, { maxBytes: maxCachedBytes, weigh: entryBytes });
  }

  /** Node encodings held by the cache (tests). */
  get cachedEntries(): number {
    return this.cached.size;
  }

  getNode(hash: Uint8Array): Uint8Array | undefined {
    const k = keyOf(hash);
    if (this.dirty) {
      const d = this.dirty.getByKey(k);
      if (d) return d;
    }
    let v = this.cached.get(k);
    if (v) return v;
    v = this.kv.get(schema.trieNode(hash));
    if (v) this.cached.set(k, v);
    return v;
  }

  cache(hash: Uint8Array, node: Uint8Array): void {
    this.cached.set(keyOf(hash), node);
  }

  /** cache() by the hash's key string (a flush has the keys, not the hashes). */
  cacheByKey(key: string, node: Uint8Array): void {
    this.cached.set(key, node);
  }
}
