/**
 * Trie nodes and their encoding. Nodes are immutable once built (updates copy
 * the path from the root), so a trie copy is just a second root pointer. Each
 * node caches its RLP encoding and hash the first time they are needed —
 * that is the deferred hashing: a block's updates re-encode only the nodes on
 * changed paths, once, at hash/commit time. The RLP here is hand-written:
 * generic RLP would allocate per field on the hottest path of the node.
 */
import { keccak256 } from '../../crypto/keccak.js';

export const enum Kind {
  Leaf = 0,
  Ext = 1,
  Branch = 2,
  Ref = 3,
}

export interface LeafNode { kind: Kind.Leaf; path: Uint8Array; value: Uint8Array; enc?: Uint8Array; hash?: Uint8Array; key?: string; stored?: boolean; gen?: number }
export interface ExtNode { kind: Kind.Ext; path: Uint8Array; child: TrieNode; enc?: Uint8Array; hash?: Uint8Array; key?: string; stored?: boolean; gen?: number }
export interface BranchNode { kind: Kind.Branch; children: (TrieNode | undefined)[]; value: Uint8Array | undefined; enc?: Uint8Array; hash?: Uint8Array; key?: string; stored?: boolean; gen?: number }
/** A node known only by hash, loaded on first use. */
export interface RefNode { kind: Kind.Ref; hash: Uint8Array; key?: string; enc?: undefined; stored: true }

export type TrieNode = LeafNode | ExtNode | BranchNode | RefNode;

/**
 * Every node is built by these four, with all fields present in one order, so
 * V8 gives every kind one hidden class: the hot reads (`kind`, `stored`,
 * `enc`, `hash`) stay monomorphic. Built as literals of differing shapes with
 * fields added later (enc, hash, key, stored), nodes had dozens of shapes, and
 * the commit's visit and the encoders ran megamorphic.
 */
function makeNode(kind: Kind, path: Uint8Array | undefined, value: Uint8Array | undefined, child: TrieNode | undefined,
  children: (TrieNode | undefined)[] | undefined, hash: Uint8Array | undefined, stored: boolean, gen: number): unknown {
  return { kind, path, value, child, children, enc: undefined, hash, key: undefined, stored, gen };
}

export function leafNode(path: Uint8Array, value: Uint8Array, gen = 0): LeafNode {
  return makeNode(Kind.Leaf, path, value, undefined, undefined, undefined, false, gen) as LeafNode;
}

export function extNode(path: Uint8Array, child: TrieNode, gen = 0): ExtNode {
  return makeNode(Kind.Ext, path, undefined, child, undefined, undefined, false, gen) as ExtNode;
}

export function branchNode(children: (TrieNode | undefined)[], value: Uint8Array | undefined, gen = 0): BranchNode {
  return makeNode(Kind.Branch, undefined, value, undefined, children, undefined, false, gen) as BranchNode;
}

/** A node known by hash (stored somewhere the trie's source can load it from). */
export function refNode(hash: Uint8Array, key?: string): RefNode {
  const n = makeNode(Kind.Ref, undefined, undefined, undefined, undefined, hash, true, 0) as RefNode;
  if (key !== undefined) n.key = key;
  return n;
}

/**
 * `gen` marks a node created by one trie since its last copy(): nobody else
 * can see it, so that trie may change it in place (clearing its cached
 * encoding, hash and stored mark) instead of copying the path. copy() gives
 * both tries fresh generations, so every node that existed becomes shared,
 * i.e. immutable, for both.
 */
let lastGen = 0;
export function nextGen(): number {
  return ++lastGen;
}

// --- RLP building blocks (prefixes written in place: these run for every node on every changed path) ---

function prefixSize(len: number): number {
  return len < 56 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : len < 0x1000000 ? 4 : 5;
}

/** Writes an RLP length prefix at `o`; returns the offset after it. */
function writePrefix(out: Uint8Array, o: number, len: number, short: number, long: number): number {
  if (len < 56) {
    out[o] = short + len;
    return o + 1;
  }
  const n = prefixSize(len) - 1;
  out[o++] = long + n;
  for (let i = n - 1; i >= 0; i--) out[o++] = (len >>> (8 * i)) & 0xff;
  return o;
}

function stringSize(b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) return 1;
  return b.length + prefixSize(b.length);
}

function writeString(out: Uint8Array, o: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[o] = b[0]!;
    return o + 1;
  }
  o = writePrefix(out, o, b.length, 0x80, 0xb7);
  out.set(b, o);
  return o + b.length;
}

/** A two-item list (leaf or extension): a string, then a string or an embedded (raw) node. */
function pair(first: Uint8Array, second: Uint8Array, secondRaw: boolean): Uint8Array {
  const payload = stringSize(first) + (secondRaw ? second.length : stringSize(second));
  const out = new Uint8Array(prefixSize(payload) + payload);
  let o = writePrefix(out, 0, payload, 0xc0, 0xf7);
  o = writeString(out, o, first);
  if (secondRaw) out.set(second, o);
  else writeString(out, o, second);
  return out;
}

/** Hex-prefix (compact) encoding of a nibble path. */
export function hexPrefix(path: Uint8Array, leaf: boolean): Uint8Array {
  const odd = path.length & 1;
  const out = new Uint8Array((path.length >> 1) + 1);
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let i = 0;
  if (odd) {
    out[0]! |= path[0]!;
    i = 1;
  }
  for (let o = 1; i < path.length; i += 2, o++) out[o] = (path[i]! << 4) | path[i + 1]!;
  return out;
}

export function hexPrefixDecode(b: Uint8Array): { path: Uint8Array; leaf: boolean } {
  if (b.length === 0) throw new Error('empty hex-prefix path');
  const flag = b[0]! >> 4;
  const leaf = flag >= 2;
  const odd = flag & 1;
  const path = new Uint8Array((b.length - 1) * 2 + odd);
  let o = 0;
  if (odd) path[o++] = b[0]! & 0x0f;
  for (let i = 1; i < b.length; i++) {
    path[o++] = b[i]! >> 4;
    path[o++] = b[i]! & 0x0f;
  }
  return { path, leaf };
}


/** The reference a parent holds to `n`: its hash, or its encoding when under 32 bytes (embedded raw). */
function refBytes(n: TrieNode): Uint8Array {
  if (n.kind === Kind.Ref) return n.hash;
  const enc = encodeNode(n);
  return enc.length < 32 ? enc : nodeHash(n);
}

export function encodeNode(n: Exclude<TrieNode, RefNode>): Uint8Array {
  if (n.enc) return n.enc;
  let enc: Uint8Array;
  if (n.kind === Kind.Leaf) {
    enc = pair(hexPrefix(n.path, true), n.value, false);
  } else if (n.kind === Kind.Ext) {
    const r = refBytes(n.child);
    enc = pair(hexPrefix(n.path, false), r, r.length < 32);
  } else {
    enc = encodeBranch(n);
  }
  n.enc = enc;
  return enc;
}

/** A branch written straight into one buffer; a 32-byte ref is a hash (0xa0 + 32 bytes), a shorter one an embedded node. */
function encodeBranch(n: BranchNode): Uint8Array {
  const refs: (Uint8Array | undefined)[] = new Array(16);
  let payload = 0;
  for (let i = 0; i < 16; i++) {
    const c = n.children[i];
    if (!c) {
      payload += 1;
      continue;
    }
    const r = refBytes(c);
    refs[i] = r;
    payload += r.length < 32 ? r.length : 33;
  }
  payload += n.value === undefined ? 1 : stringSize(n.value);
  const out = new Uint8Array(prefixSize(payload) + payload);
  let o = writePrefix(out, 0, payload, 0xc0, 0xf7);
  for (let i = 0; i < 16; i++) {
    const r = refs[i];
    if (!r) out[o++] = 0x80;
    else if (r.length < 32) {
      out.set(r, o);
      o += r.length;
    } else {
      out[o++] = 0xa0;
      out.set(r, o);
      o += 32;
    }
  }
  if (n.value === undefined) out[o] = 0x80;
  else writeString(out, o, n.value);
  return out;
}

export function nodeHash(n: TrieNode): Uint8Array {
  if (n.kind === Kind.Ref) return n.hash;
  if (!n.hash) n.hash = keccak256(encodeNode(n));
  return n.hash;
}

/** A node's hash as a map key (latin1, one char per byte), computed once per node object. */
export function nodeKey(n: TrieNode): string {
  if (n.key === undefined) {
    const h = nodeHash(n);
    n.key = Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('latin1');
  }
  return n.key;
}

/**
 * The keys of the hashes `n` refers to (its children of 32 bytes or more;
 * embedded ones hold no hashes). Cached per child object, so a subtree
 * unchanged for many blocks is keyed once, not at every parent's commit.
 */
export function hashedChildKeys(n: Exclude<TrieNode, RefNode>): string[] {
  const out: string[] = [];
  const add = (c: TrieNode | undefined) => {
    if (!c) return;
    if (c.kind === Kind.Ref || encodeNode(c).length >= 32) out.push(nodeKey(c));
  };
  if (n.kind === Kind.Branch) for (const c of n.children) add(c);
  else if (n.kind === Kind.Ext) add(n.child);
  return out;
}
