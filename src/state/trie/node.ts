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

export interface LeafNode { kind: Kind.Leaf; path: Uint8Array; value: Uint8Array; enc?: Uint8Array; hash?: Uint8Array; stored?: boolean; gen?: number }
export interface ExtNode { kind: Kind.Ext; path: Uint8Array; child: TrieNode; enc?: Uint8Array; hash?: Uint8Array; stored?: boolean; gen?: number }
export interface BranchNode { kind: Kind.Branch; children: (TrieNode | undefined)[]; value: Uint8Array | undefined; enc?: Uint8Array; hash?: Uint8Array; stored?: boolean; gen?: number }
/** A node known only by hash, loaded on first use. */
export interface RefNode { kind: Kind.Ref; hash: Uint8Array; enc?: undefined; stored: true }

export type TrieNode = LeafNode | ExtNode | BranchNode | RefNode;

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

// --- RLP building blocks ---

function lengthPrefix(len: number, short: number, long: number): Uint8Array {
  if (len < 56) return Uint8Array.of(short + len);
  if (len < 0x100) return Uint8Array.of(long + 1, len);
  if (len < 0x10000) return Uint8Array.of(long + 2, len >> 8, len & 0xff);
  if (len < 0x1000000) return Uint8Array.of(long + 3, len >> 16, (len >> 8) & 0xff, len & 0xff);
  return Uint8Array.of(long + 4, len >>> 24, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff);
}

function stringSize(b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) return 1;
  return b.length + (b.length < 56 ? 1 : b.length < 0x100 ? 2 : b.length < 0x10000 ? 3 : 4);
}

function writeString(out: Uint8Array, o: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) {
    out[o] = b[0]!;
    return o + 1;
  }
  const p = lengthPrefix(b.length, 0x80, 0xb7);
  out.set(p, o);
  out.set(b, o + p.length);
  return o + p.length + b.length;
}

function list(items: Uint8Array[], raw: boolean[]): Uint8Array {
  let payload = 0;
  for (let i = 0; i < items.length; i++) payload += raw[i] ? items[i]!.length : stringSize(items[i]!);
  const head = lengthPrefix(payload, 0xc0, 0xf7);
  const out = new Uint8Array(head.length + payload);
  out.set(head, 0);
  let o = head.length;
  for (let i = 0; i < items.length; i++) {
    if (raw[i]) {
      out.set(items[i]!, o);
      o += items[i]!.length;
    } else o = writeString(out, o, items[i]!);
  }
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


/**
 * The reference a parent holds to `n`: its encoding when shorter than 32
 * bytes (embedded), else the RLP string of its hash.
 */
export function childRef(n: TrieNode): { bytes: Uint8Array; raw: boolean } {
  if (n.kind === Kind.Ref) return { bytes: n.hash, raw: false };
  const enc = encodeNode(n);
  if (enc.length < 32) return { bytes: enc, raw: true };
  return { bytes: nodeHash(n), raw: false };
}

export function encodeNode(n: Exclude<TrieNode, RefNode>): Uint8Array {
  if (n.enc) return n.enc;
  let enc: Uint8Array;
  if (n.kind === Kind.Leaf) {
    enc = list([hexPrefix(n.path, true), n.value], [false, false]);
  } else if (n.kind === Kind.Ext) {
    const c = childRef(n.child);
    enc = list([hexPrefix(n.path, false), c.bytes], [false, c.raw]);
  } else {
    enc = encodeBranch(n);
  }
  n.enc = enc;
  return enc;
}

/** A branch written straight into one buffer: this runs for every branch on every changed path. */
function encodeBranch(n: BranchNode): Uint8Array {
  const refs: (Uint8Array | undefined)[] = new Array(16);
  const raw: boolean[] = new Array(16);
  let payload = 0;
  for (let i = 0; i < 16; i++) {
    const c = n.children[i];
    if (!c) {
      payload += 1;
      continue;
    }
    const r = childRef(c);
    refs[i] = r.bytes;
    raw[i] = r.raw;
    payload += r.raw ? r.bytes.length : stringSize(r.bytes);
  }
  payload += n.value === undefined ? 1 : stringSize(n.value);
  const head = lengthPrefix(payload, 0xc0, 0xf7);
  const out = new Uint8Array(head.length + payload);
  out.set(head, 0);
  let o = head.length;
  for (let i = 0; i < 16; i++) {
    const r = refs[i];
    if (!r) out[o++] = 0x80;
    else if (raw[i]) {
      out.set(r, o);
      o += r.length;
    } else o = writeString(out, o, r);
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
