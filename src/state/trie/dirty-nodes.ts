/**
 * Trie nodes committed but not yet on disk, with reference counts (go-ethereum's
 * hashdb under `--gcmode full`). A node counts the dirty parents that point at
 * it, a state root additionally the blocks that keep it; dereferencing a root
 * frees every node no kept state reaches any more, so short-lived nodes are
 * never written. Insertion order is flush order: a node is inserted after its
 * children, so flushing the oldest first never puts a node on disk before what
 * it points to, and a root on disk always has its whole trie there.
 */
import { schema } from '../schema.js';
import type { WriteBatch } from '../database.js';

import { bytesKey, keyBytes } from '../../crypto/bytes.js';

export const keyOf = bytesKey;
const hashOf = keyBytes;

const NO_CHILDREN: string[] = [];

/** Bytes a dirty entry costs beyond its encoding (map entry, key string, object, child keys), estimated. */
const ENTRY_OVERHEAD = 160;
const CHILD_OVERHEAD = 48;

interface DirtyNode {
  enc: Uint8Array;
  /** Dirty parents pointing here, plus external references (kept block roots). */
  refs: number;
  /** Hashed children, as keys; only those still dirty matter. */
  children: string[];
}

export class DirtyNodeCache {
  private readonly nodes = new Map<string, DirtyNode>();
  /** Estimated memory held, for the flush budget. */
  bytes = 0;

  get size(): number {
    return this.nodes.size;
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.nodes.get(keyOf(hash))?.enc;
  }

  has(hash: Uint8Array): boolean {
    return this.nodes.has(keyOf(hash));
  }

  /**
   * Adds a node (by its nodeKey) whose children were inserted before it, or are
   * on disk. Only children dirty now are counted and remembered: one on disk is
   * never freed here, and one re-inserted later is not this node's to release.
   */
  insert(key: string, enc: Uint8Array, childKeys: readonly string[]): void {
    if (this.nodes.has(key)) return;
    let children = NO_CHILDREN;
    for (const c of childKeys) {
      const d = this.nodes.get(c);
      if (!d) continue;
      d.refs++;
      if (children === NO_CHILDREN) children = [];
      children.push(c);
    }
    this.nodes.set(key, { enc, refs: 0, children });
    this.bytes += enc.length + ENTRY_OVERHEAD + children.length * CHILD_OVERHEAD;
  }

  /** A block keeps this root (no-op when the root is on disk already). */
  reference(root: Uint8Array): void {
    const d = this.nodes.get(keyOf(root));
    if (d) d.refs++;
  }

  /** A block no longer keeps this root: frees what nothing else reaches. */
  dereference(root: Uint8Array): void {
    const k = keyOf(root);
    const d = this.nodes.get(k);
    if (!d) return;
    if (--d.refs <= 0) this.free(k, d);
  }

  private free(rootKey: string, rootNode: DirtyNode): void {
    // Iterative: a long freed chain (deep storage tries) must not overflow the stack.
    const stack: [string, DirtyNode][] = [[rootKey, rootNode]];
    while (stack.length) {
      const [k, d] = stack.pop()!;
      this.nodes.delete(k);
      this.bytes -= d.enc.length + ENTRY_OVERHEAD + d.children.length * CHILD_OVERHEAD;
      for (const c of d.children) {
        const cd = this.nodes.get(c);
        if (cd && --cd.refs <= 0) stack.push([c, cd]);
      }
    }
  }

  /**
   * Puts the oldest nodes into `batch` until the estimate is at most
   * `targetBytes`; returns their keys. They stay readable here until the
   * caller, once the batch is written, hands the keys to `forget`.
   */
  flushOldest(batch: WriteBatch, targetBytes: number): string[] {
    const out: string[] = [];
    let bytes = this.bytes;
    for (const [k, d] of this.nodes) {
      if (bytes <= targetBytes) break;
      batch.put(schema.trieNode(hashOf(k)), d.enc);
      bytes -= d.enc.length + ENTRY_OVERHEAD + d.children.length * CHILD_OVERHEAD;
      out.push(k);
    }
    return out;
  }

  /**
   * Puts every dirty node `root` reaches into `batch`, children first (a
   * whole state to disk: at shutdown, or periodically to bound crash repair).
   */
  flushRoot(batch: WriteBatch, root: Uint8Array): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const rk = keyOf(root);
    if (!this.nodes.has(rk)) return out;
    // Post-order without recursion: a node is emitted after all its dirty children.
    const stack: { k: string; i: number }[] = [{ k: rk, i: 0 }];
    seen.add(rk);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const d = this.nodes.get(top.k)!;
      if (top.i < d.children.length) {
        const c = d.children[top.i++]!;
        if (!seen.has(c) && this.nodes.has(c)) {
          seen.add(c);
          stack.push({ k: c, i: 0 });
        }
        continue;
      }
      stack.pop();
      batch.put(schema.trieNode(hashOf(top.k)), d.enc);
      out.push(top.k);
    }
    return out;
  }

  /**
   * Drops flushed nodes (now on disk). A flushed node's dirty parents keep
   * its key in their child lists; when they are freed it is simply not found.
   */
  forget(keys: readonly string[], onForget?: (hash: Uint8Array, enc: Uint8Array) => void): void {
    for (const k of keys) {
      const d = this.nodes.get(k);
      if (!d) continue;
      this.nodes.delete(k);
      this.bytes -= d.enc.length + ENTRY_OVERHEAD + d.children.length * CHILD_OVERHEAD;
      onForget?.(hashOf(k), d.enc);
    }
  }
}
