/**
 * Where tries read their nodes: the database (schema.trieNode(hash)) behind a
 * cache of recently read or committed node encodings. The cache is two
 * generations of plain Maps (a hit in the old one is promoted; when the young
 * one fills, it becomes the old one): O(1) without the delete/re-insert churn
 * of an exact LRU, which profiled as the import's single hottest function.
 */
import type { KeyValueReader } from '../database.js';
import { schema } from '../schema.js';
import type { NodeSource } from './trie.js';
import type { DirtyNodeCache } from './dirty-nodes.js';

const keyOf = (h: Uint8Array) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('latin1');

export class TrieNodeStore implements NodeSource {
  private young = new Map<string, Uint8Array>();
  private old = new Map<string, Uint8Array>();
  private readonly generation: number;

  /** With pruning: nodes committed but not yet flushed, read before the cache and the disk. */
  dirty: DirtyNodeCache | undefined;

  constructor(private readonly kv: KeyValueReader, maxCachedNodes = 500_000) {
    this.generation = Math.max(1, Math.floor(maxCachedNodes / 2));
  }

  getNode(hash: Uint8Array): Uint8Array | undefined {
    if (this.dirty) {
      const d = this.dirty.get(hash);
      if (d) return d;
    }
    const k = keyOf(hash);
    let v = this.young.get(k);
    if (v) return v;
    v = this.old.get(k);
    if (!v) v = this.kv.get(schema.trieNode(hash));
    if (v) this.put(k, v);
    return v;
  }

  cache(hash: Uint8Array, node: Uint8Array): void {
    this.put(keyOf(hash), node);
  }

  private put(k: string, v: Uint8Array): void {
    this.young.set(k, v);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
