/**
 * Shared per process: the trie node store (LRU over LevelDB, with pruning the
 * dirty-node cache in front of it), code reads, and
 * the most recently committed account tries kept in memory, so the next
 * block on top of a head starts from decoded nodes instead of re-reading them.
 */
import { bytesToHex } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import type { KeyValueStore } from '../database.js';
import { schema } from '../schema.js';
import { TrieNodeStore } from '../trie/node-store.js';
import { DirtyNodeCache } from '../trie/dirty-nodes.js';
import { SecureTrie } from '../trie/trie.js';
import type { SnapshotTree } from '../snapshot/snapshot-tree.js';

export class StateDatabase {
  readonly nodes: TrieNodeStore;
  private readonly recent = new Map<string, SecureTrie>();
  private readonly codeCache = new Map<string, Uint8Array>();

  /** The flat state, when the chain keeps one: StateDBs of the roots it has read accounts from it. */
  flat: SnapshotTree | undefined;

  /** Set with pruning (`--gcmode full`): commits go here instead of the write batch. */
  readonly dirty: DirtyNodeCache | undefined;

  constructor(readonly kv: KeyValueStore, opts: { cachedNodeBytes?: number; pruning?: boolean } = {}) {
    this.nodes = new TrieNodeStore(kv, opts.cachedNodeBytes);
    if (opts.pruning) this.nodes.dirty = this.dirty = new DirtyNodeCache();
  }

  openTrie(root: Hash): SecureTrie {
    const t = this.recent.get(bytesToHex(root));
    return t ? t.copy() : new SecureTrie(root, this.nodes);
  }

  openStorageTrie(root: Hash): SecureTrie {
    return new SecureTrie(root, this.nodes);
  }

  /** Keeps a committed account trie in memory for the next openTrie of its root. */
  remember(root: Hash, trie: SecureTrie): void {
    const k = bytesToHex(root);
    this.recent.delete(k);
    this.recent.set(k, trie.copy());
    while (this.recent.size > 16) this.recent.delete(this.recent.keys().next().value as string);
  }

  code(codeHash: Hash): Uint8Array | undefined {
    const k = bytesToHex(codeHash);
    let c = this.codeCache.get(k);
    if (!c) {
      c = this.kv.get(schema.code(codeHash));
      if (c) this.codeCache.set(k, c);
    }
    return c;
  }
}
