/**
 * Trie nodes committed but not yet on disk, with reference counts (go-ethereum's
 * hashdb under `--gcmode full`). A node counts the dirty parents that point at
 * it, a state root additionally the blocks that keep it; dereferencing a root
 * frees every node no kept state reaches any more, so short-lived nodes are
 * never written. Insertion order is flush order: a node is inserted after its
 * children, so flushing the oldest first never puts a node on disk before what
 * it points to, and a root on disk always has its whole trie there.
 *
 * Stored compactly, because pruning only works while the kept states fit in
 * the budget (past it, every node is flushed before it dies, as in an
 * archive): encodings are packed into large slabs, a node is one slot in
 * typed columns, and its counted children are the slot and insertion number
 * of each (8 bytes) after its encoding in the slab, rather than a list of
 * keys: a parent releases exactly the insertions it counted. Measured on 300k
 * nodes: about 100 bytes beyond the encoding, against ~750 for a Map of
 * objects each with its own buffer and child-key array.
 */
import { schema } from '../schema.js';
import type { WriteBatch } from '../database.js';
import { bytesKey, keyBytes } from '../../crypto/bytes.js';

export const keyOf = bytesKey;
const hashOf = keyBytes;

/** Bytes a node costs beyond its encoding: its map entry and key string, and its slot in the columns (measured, see the header). */
const ENTRY_OVERHEAD = 100;
const SLAB = 4 << 20;

export class DirtyNodeCache {
  /** Node key → slot. Map order is insertion order, i.e. flush order. */
  private readonly index = new Map<string, number>();
  private slab: Uint32Array = new Uint32Array(1024);
  private pos: Uint32Array = new Uint32Array(1024);
  private len: Uint32Array = new Uint32Array(1024);
  private refs: Int32Array = new Int32Array(1024);
  /** How many counted children follow the encoding in the slab: each its slot and the low 32 bits of its insertion number (a slot may be reused). */
  private nk: Uint8Array = new Uint8Array(1024);
  /** Insertion order, for flushing the head's oldest nodes first. */
  private seq: Float64Array = new Float64Array(1024);
  /** The low 32 bits of seq, what a parent keeps of each counted child (an integer column: no float modulo per child). */
  private seqLow: Uint32Array = new Uint32Array(1024);
  private nextSeq = 0;
  /** Each slot's key (the Map's own string): a freed node leaves the index by it. */
  private keys: (string | undefined)[] = [];
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private slabs: (Uint8Array | undefined)[] = [];
  private slabLive: number[] = [];
  private writeSlab = -1;
  private writePos = SLAB;
  private encBytes = 0;
  /** Bytes of all slabs allocated. */
  private held = 0;
  /** Reused by insert for the children it counts. */
  private readonly kidScratch: number[] = [];
  private readonly kidSeqScratch: number[] = [];
  /** Estimated memory held, for the flush budget. */
  bytes = 0;

  get size(): number {
    return this.index.size;
  }

  /** A copy of the node's encoding: a view would keep a whole slab alive in whatever holds it. */
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.getByKey(keyOf(hash));
  }

  getByKey(key: string): Uint8Array | undefined {
    const s = this.index.get(key);
    return s === undefined ? undefined : this.view(s).slice();
  }

  has(hash: Uint8Array): boolean {
    return this.index.has(keyOf(hash));
  }

  private view(s: number): Uint8Array {
    const p = this.pos[s]!;
    return this.slabs[this.slab[s]!]!.subarray(p, p + this.len[s]!);
  }

  /**
   * Adds a node (by its nodeKey) whose children were inserted before it, or are
   * on disk. `childKeys` are the hashes it refers to (hashedChildKeys, plus an
   * account leaf's storage root). Only those dirty now are counted: one on
   * disk is never freed here. `enc` is copied into
   * a slab: the caller's buffer (a view into a worker's message) is not kept.
   */
  insert(key: string, enc: Uint8Array, childKeys: readonly string[]): void {
    if (this.index.has(key)) return;
    const kids = this.kidScratch;
    const kidSeqs = this.kidSeqScratch;
    kids.length = 0;
    kidSeqs.length = 0;
    for (let i = 0; i < childKeys.length; i++) {
      const c = this.index.get(childKeys[i]!);
      if (c === undefined) continue;
      this.refs[c]!++;
      kids.push(c);
      kidSeqs.push(this.seqLow[c]!);
    }
    const s = this.allocSlot();
    this.store(s, enc, kids, kidSeqs);
    this.refs[s] = 0;
    this.seqLow[s] = this.nextSeq >>> 0;
    this.seq[s] = this.nextSeq++;
    this.keys[s] = key;
    this.index.set(key, s);
    this.bytes += this.cost(s);
  }

  /** What slot `s` counts against the budget. */
  private cost(s: number): number {
    return this.len[s]! + 8 * this.nk[s]! + ENTRY_OVERHEAD;
  }

  private allocSlot(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    if (this.nextSlot === this.slab.length) {
      const grow = <T extends Uint32Array | Int32Array | Uint8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.slab = grow(this.slab);
      this.pos = grow(this.pos);
      this.len = grow(this.len);
      this.refs = grow(this.refs);
      this.nk = grow(this.nk);
      this.seq = grow(this.seq);
      this.seqLow = grow(this.seqLow);
    }
    return this.nextSlot++;
  }

  /** Copies `enc`, then each of `kids` with its insertion number (4 + 4 bytes), to the end of the current slab (a new one when it is full). */
  private store(s: number, enc: Uint8Array, kids: readonly number[], kidSeqs: readonly number[]): void {
    const size = enc.length + 8 * kids.length;
    if (this.writePos + size > SLAB) {
      let i = this.slabs.indexOf(undefined);
      if (i < 0) i = this.slabs.length;
      this.slabs[i] = new Uint8Array(Math.max(SLAB, size));
      this.held += this.slabs[i]!.length;
      this.slabLive[i] = 0;
      this.writeSlab = i;
      this.writePos = 0;
    }
    const slab = this.slabs[this.writeSlab]!;
    slab.set(enc, this.writePos);
    let o = this.writePos + enc.length;
    for (let j = 0; j < kids.length; j++) {
      o = put32(slab, o, kids[j]!);
      o = put32(slab, o, kidSeqs[j]!);
    }
    this.slab[s] = this.writeSlab;
    this.pos[s] = this.writePos;
    this.len[s] = enc.length;
    this.nk[s] = kids.length;
    this.writePos += size;
    this.slabLive[this.writeSlab]! += size;
    this.encBytes += size;
  }

  /** The j-th counted child stored after `s`'s encoding: its slot (`word` 0) or insertion number (`word` 1). */
  private kidAt(s: number, j: number, word: 0 | 1): number {
    return get32(this.slabs[this.slab[s]!]!, this.pos[s]! + this.len[s]! + 8 * j + 4 * word);
  }

  /** Removes slot `s`; a slab whose last node leaves is released, and sparse slabs are compacted. */
  private drop(s: number): void {
    this.index.delete(this.keys[s]!);
    this.keys[s] = undefined;
    const cost = this.cost(s);
    const n = cost - ENTRY_OVERHEAD;
    this.bytes -= cost;
    this.encBytes -= n;
    const b = this.slab[s]!;
    if ((this.slabLive[b]! -= n) === 0 && b !== this.writeSlab) this.release(b);
    this.freeSlots.push(s);
    this.maybeCompact();
  }

  private release(b: number): void {
    this.held -= this.slabs[b]!.length;
    this.slabs[b] = undefined;
  }

  /** Slabs held more than twice the live encodings (long-lived nodes pin them): move the nodes of the sparse ones. */
  private maybeCompact(): void {
    if (this.held <= 2 * this.encBytes + 4 * SLAB) return;
    const sparse = new Set<number>();
    for (let i = 0; i < this.slabs.length; i++) {
      if (this.slabs[i] && i !== this.writeSlab && this.slabLive[i]! < this.slabs[i]!.length / 2) sparse.add(i);
    }
    for (const s of this.index.values()) {
      const b = this.slab[s]!;
      if (!sparse.has(b)) continue;
      const enc = this.view(s);
      const kids: number[] = [];
      const kidSeqs: number[] = [];
      for (let j = 0; j < this.nk[s]!; j++) {
        kids.push(this.kidAt(s, j, 0));
        kidSeqs.push(this.kidAt(s, j, 1));
      }
      const size = enc.length + 8 * kids.length;
      this.slabLive[b]! -= size;
      this.encBytes -= size;
      this.store(s, enc, kids, kidSeqs);
    }
    for (const i of sparse) this.release(i);
  }

  /**
   * The dirty nodes `s` counted at insert that are still those insertions. One
   * since flushed and forgotten is on disk; if its hash came back, that is a
   * new insertion counted by its own parents, not this one's to release.
   */
  private countedChildren(s: number, fn: (child: number) => void): void {
    const n = this.nk[s]!;
    for (let j = 0; j < n; j++) {
      const c = this.kidAt(s, j, 0);
      if (this.keys[c] !== undefined && this.seqLow[c] === this.kidAt(s, j, 1)) fn(c);
    }
  }

  /** A block keeps this root (no-op when the root is on disk already). */
  reference(root: Uint8Array): void {
    const s = this.index.get(keyOf(root));
    if (s !== undefined) this.refs[s]!++;
  }

  /** A block no longer keeps this root: frees what nothing else reaches. */
  dereference(root: Uint8Array): void {
    const k = keyOf(root);
    const s = this.index.get(k);
    if (s === undefined) return;
    if (--this.refs[s]! <= 0) this.free(s);
  }

  private free(root: number): void {
    // Iterative: a long freed chain (deep storage tries) must not overflow the stack.
    const stack = [root];
    while (stack.length) {
      const s = stack.pop()!;
      // Pushed once, when its count reaches zero (a parent releases only the insertions it counted, so the count cannot pass below).
      this.countedChildren(s, (c) => {
        if (--this.refs[c]! === 0) stack.push(c);
      });
      this.drop(s);
    }
  }

  /** Every dirty node `root` reaches (counted references), children before parents. */
  private reachable(root: number): number[] {
    const out: number[] = [];
    const seen = new Set<number>([root]);
    // Post-order without recursion: a node is emitted after all its dirty children.
    const stack: { s: number; kids: number[]; i: number }[] = [{ s: root, kids: this.kids(root), i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.kids.length) {
        const c = top.kids[top.i++]!;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push({ s: c, kids: this.kids(c), i: 0 });
        }
        continue;
      }
      stack.pop();
      out.push(top.s);
    }
    return out;
  }

  private kids(s: number): number[] {
    const out: number[] = [];
    this.countedChildren(s, (c) => out.push(c));
    return out;
  }

  /**
   * Puts the oldest nodes into `batch` until the estimate is at most
   * `targetBytes`; returns their keys. They stay readable here until the
   * caller, once the batch is written, hands the keys to `forget`.
   *
   * With `live` (the head's root), the oldest of the nodes the head reaches go
   * first: those must reach the disk some day, while a node only older kept
   * states reach dies within the window and need never be written. Children
   * of a head-reached node are head-reached and older, so the order still puts
   * children first. Only when the head's nodes are not enough do the others
   * follow, oldest first.
   */
  flushOldest(batch: WriteBatch, targetBytes: number, live?: Uint8Array): string[] {
    const out: string[] = [];
    let bytes = this.bytes;
    const chosen = new Set<number>();
    const put = (s: number) => {
      const k = this.keys[s]!;
      batch.put(schema.trieNode(hashOf(k)), this.view(s).slice());
      bytes -= this.cost(s);
      chosen.add(s);
      out.push(k);
    };
    const ls = live && this.index.get(keyOf(live));
    if (ls !== undefined) {
      const seq = this.seq;
      for (const s of this.reachable(ls).sort((a, b) => seq[a]! - seq[b]!)) {
        if (bytes <= targetBytes) break;
        put(s);
      }
    }
    if (bytes > targetBytes) {
      for (const s of this.index.values()) {
        if (bytes <= targetBytes) break;
        if (!chosen.has(s)) put(s);
      }
    }
    return out;
  }

  /**
   * Puts every dirty node `root` reaches into `batch`, children first (a
   * whole state to disk: at shutdown, or periodically to bound crash repair).
   */
  flushRoot(batch: WriteBatch, root: Uint8Array): string[] {
    const rs = this.index.get(keyOf(root));
    if (rs === undefined) return [];
    const out: string[] = [];
    for (const s of this.reachable(rs)) {
      const enc = this.view(s);
      const k = this.keys[s]!;
      batch.put(schema.trieNode(hashOf(k)), enc.slice());
      out.push(k);
    }
    return out;
  }

  /**
   * Drops flushed nodes (now on disk). A flushed node's dirty parents keep its
   * slot and insertion number; when they are freed it is simply not found.
   */
  forget(keys: readonly string[], onForget?: (key: string, enc: Uint8Array) => void): void {
    for (const k of keys) {
      const s = this.index.get(k);
      if (s === undefined) continue;
      onForget?.(k, this.view(s).slice());
      this.drop(s);
    }
  }
}


function put32(b: Uint8Array, o: number, v: number): number {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = v >>> 24;
  return o + 4;
}

function get32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
