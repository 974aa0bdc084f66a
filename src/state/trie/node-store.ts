/**
 * Where tries read their nodes: the database (schema.trieNode(hash)) behind
 * an LRU of recently read or committed node encodings.
 */
import { bytesToHex } from '../../crypto/bytes.js';
import type { KeyValueReader } from '../database.js';
import { schema } from '../schema.js';
import type { NodeSource } from './trie.js';

export class TrieNodeStore implements NodeSource {
  private readonly lru = new Map<string, Uint8Array>();

  constructor(private readonly kv: KeyValueReader, private readonly maxCachedNodes = 500_000) {}

  getNode(hash: Uint8Array): Uint8Array | undefined {
    const k = bytesToHex(hash, false);
    const hit = this.lru.get(k);
    if (hit) {
      this.lru.delete(k);
      this.lru.set(k, hit);
      return hit;
    }
    const v = this.kv.get(schema.trieNode(hash));
    if (v) this.cache(hash, v);
    return v;
  }

  cache(hash: Uint8Array, node: Uint8Array): void {
    const k = bytesToHex(hash, false);
    this.lru.delete(k);
    this.lru.set(k, node);
    if (this.lru.size > this.maxCachedNodes) this.lru.delete(this.lru.keys().next().value as string);
  }
}
