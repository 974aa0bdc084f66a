/**
 * The Merkle-Patricia trie (Ethereum's: hex-prefix paths, nodes under 32
 * bytes embedded in their parent, the root always hashed). Updates build new
 * nodes along the changed path and leave the old ones untouched, so `copy()`
 * is O(1); nodes load lazily by hash from a NodeSource; hashing is deferred
 * to hash()/commit() and cached per node. SecureTrie keys paths by keccak.
 */
import { keccak256 } from '../../crypto/keccak.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { bytesToHex, hexToBytes } from '../../crypto/bytes.js';
import type { WriteBatch } from '../database.js';
import { schema } from '../schema.js';
import { decodeRlp, type RlpItem } from '../../crypto/rlp.js';
import {
  branchNode, encodeNode, extNode, hashedChildKeys, hexPrefixDecode, Kind, leafNode, nextGen, nodeHash, nodeKey, refNode,
  type BranchNode, type ExtNode, type TrieNode,
} from './node.js';

const NO_KEYS: string[] = [];
/** Nibbles from the root within which reads keep resolved nodes (16^4 branches at most: the levels every read crosses). */
const CACHED_DEPTH = 4;

export const EMPTY_ROOT: Hash = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421') as Hash;

export interface NodeSource {
  getNode(hash: Uint8Array): Uint8Array | undefined;
}

/** Where a commit puts nodes: a write batch (archive) or the dirty-node cache (pruning). */
export interface NodeSink {
  /** Whether `node` needs keys (reference counting does): the node's, and its hashed children's (nodeKey form). */
  readonly wantsKeys?: boolean;
  node(hash: Uint8Array, enc: Uint8Array, key: string, childKeys: readonly string[]): void;
}

export class MissingNodeError extends Error {
  override name = 'MissingNodeError';
  constructor(readonly hash: Uint8Array) {
    super(`missing trie node ${bytesToHex(hash)}`);
  }
}

export function keyToNibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 0x0f;
  }
  return out;
}

function concatNibbles(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function prefixLen(a: Uint8Array, aOff: number, b: Uint8Array): number {
  const n = Math.min(a.length - aOff, b.length);
  let i = 0;
  while (i < n && a[aOff + i] === b[i]) i++;
  return i;
}

/** Builds in-memory nodes from a stored node's RLP (embedded children inline, hashed ones as refs). */
export function decodeNode(item: RlpItem): TrieNode {
  if (!Array.isArray(item)) throw new Error('trie node must be a list');
  if (item.length === 2) {
    const { path, leaf } = hexPrefixDecode(item[0] as Uint8Array);
    if (leaf) return leafNode(path, item[1] as Uint8Array);
    return extNode(path, decodeChild(item[1]!)!);
  }
  if (item.length === 17) {
    const children: (TrieNode | undefined)[] = new Array(16);
    for (let i = 0; i < 16; i++) children[i] = decodeChild(item[i]!);
    const v = item[16] as Uint8Array;
    return branchNode(children, v.length > 0 ? v : undefined);
  }
  throw new Error(`trie node has ${item.length} items`);
}

function decodeChild(item: RlpItem): TrieNode | undefined {
  if (Array.isArray(item)) return decodeNode(item);
  if (item.length === 0) return undefined;
  if (item.length === 32) return refNode(item);
  throw new Error(`invalid child reference of ${item.length} bytes`);
}

export class Trie {
  protected root: TrieNode | undefined;
  protected gen = nextGen();
  /** Nibbles from the root within which reads keep resolved nodes in place of their refs (see collapse). */
  cachedDepth = CACHED_DEPTH;

  constructor(root: Hash = EMPTY_ROOT, protected readonly source?: NodeSource) {
    const same = root.length === 32 && root.every((b, i) => b === EMPTY_ROOT[i]);
    this.root = same ? undefined : refNode(root);
  }

  private resolve(n: TrieNode): Exclude<TrieNode, { kind: Kind.Ref }> {
    if (n.kind !== Kind.Ref) return n;
    const enc = this.source?.getNode(n.hash);
    if (!enc) throw new MissingNodeError(n.hash);
    const node = decodeNode(decodeRlp(enc)) as Exclude<TrieNode, { kind: Kind.Ref }>;
    // Loaded nodes are clean: their encoding and hash are already known and stored.
    node.enc = enc;
    node.hash = n.hash;
    node.stored = true;
    return node;
  }

  /**
   * A node just resolved on a read, put in place of its ref within
   * `cachedDepth` nibbles of the root: the same node with the same hash, so
   * every copy sharing the parent may see it; the levels every read crosses
   * are then decoded once, not on each read.
   */
  private keepResolved(parent: BranchNode | ExtNode | undefined, path: Uint8Array, pos: number, r: TrieNode): void {
    if (pos >= this.cachedDepth) return;
    if (!parent) this.root = r;
    else if (parent.kind === Kind.Branch) parent.children[path[pos - 1]!] = r;
    else parent.child = r;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.getPath(keyToNibbles(key));
  }

  protected getPath(path: Uint8Array): Uint8Array | undefined {
    return this.walk(path, false);
  }

  /**
   * The first node on the path `path` (nibbles of a hashed key) that the
   * source does not have (its hash), or undefined when the whole path
   * resolves. What a trie fed with nodes on demand asks for, without the cost
   * of a thrown error per path.
   */
  missingOnPath(path: Uint8Array): Uint8Array | undefined {
    this.missing = undefined;
    this.walk(path, true);
    return this.missing;
  }

  private missing: Uint8Array | undefined;

  /** The value at `path`; with `probe`, stops at the first node the source lacks and leaves its hash in `missing`. */
  private walk(path: Uint8Array, probe: boolean): Uint8Array | undefined {
    let n = this.root;
    let parent: BranchNode | ExtNode | undefined;
    let pos = 0;
    for (;;) {
      if (!n) return undefined;
      if (probe && n.kind === Kind.Ref && this.source?.getNode(n.hash) === undefined) {
        this.missing = n.hash;
        return undefined;
      }
      const r = this.resolve(n);
      if (r !== n) this.keepResolved(parent, path, pos, r);
      if (r.kind === Kind.Leaf) {
        if (r.path.length !== path.length - pos) return undefined;
        for (let i = 0; i < r.path.length; i++) if (r.path[i] !== path[pos + i]) return undefined;
        return r.value;
      }
      if (r.kind === Kind.Ext) {
        if (prefixLen(path, pos, r.path) !== r.path.length) return undefined;
        pos += r.path.length;
        parent = r;
        n = r.child;
        continue;
      }
      if (pos === path.length) return r.value;
      parent = r;
      n = r.children[path[pos]!];
      pos++;
    }
  }

  put(key: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) return this.del(key);
    this.root = this.insert(this.root, keyToNibbles(key), 0, value);
  }

  protected putPath(path: Uint8Array, value: Uint8Array): void {
    if (value.length === 0) this.root = this.remove(this.root, path, 0);
    else this.root = this.insert(this.root, path, 0, value);
  }

  del(key: Uint8Array): void {
    this.root = this.remove(this.root, keyToNibbles(key), 0);
  }

  private insert(n: TrieNode | undefined, path: Uint8Array, pos: number, value: Uint8Array): TrieNode {
    if (!n) return leafNode(path.slice(pos), value, this.gen);
    const r = this.resolve(n);
    if (r.gen === this.gen) {
      // Ours alone: update in place (the deferred hash is recomputed for this path only).
      r.enc = undefined;
      r.hash = undefined;
      r.stored = false;
      if (r.kind === Kind.Branch) {
        if (pos === path.length) r.value = value;
        else r.children[path[pos]!] = this.insert(r.children[path[pos]!], path, pos + 1, value);
        return r;
      }
      const m = prefixLen(path, pos, r.path);
      if (r.kind === Kind.Leaf && m === r.path.length && pos + m === path.length) {
        r.value = value;
        return r;
      }
      if (r.kind === Kind.Ext && m === r.path.length) {
        r.child = this.insert(r.child, path, pos + m, value);
        return r;
      }
    }
    if (r.kind === Kind.Branch) {
      const children = r.children.slice();
      if (pos === path.length) return branchNode(children, value, this.gen);
      const i = path[pos]!;
      children[i] = this.insert(children[i], path, pos + 1, value);
      return branchNode(children, r.value, this.gen);
    }
    const match = prefixLen(path, pos, r.path);
    if (r.kind === Kind.Leaf && match === r.path.length && pos + match === path.length) {
      return leafNode(r.path, value, this.gen);
    }
    if (r.kind === Kind.Ext && match === r.path.length) {
      return extNode(r.path, this.insert(r.child, path, pos + match, value), this.gen);
    }
    // Paths diverge after `match` nibbles: a branch there, behind an extension for the shared part.
    const branch = branchNode(new Array(16), undefined, this.gen);
    // The existing node's remainder.
    if (r.kind === Kind.Leaf) {
      if (match === r.path.length) branch.value = r.value;
      else branch.children[r.path[match]!] = leafNode(r.path.subarray(match + 1), r.value, this.gen);
    } else {
      const rest = r.path.subarray(match + 1);
      branch.children[r.path[match]!] = rest.length === 0 ? r.child : extNode(rest, r.child, this.gen);
    }
    // The new value.
    const p = pos + match;
    if (p === path.length) branch.value = value;
    else branch.children[path[p]!] = leafNode(path.slice(p + 1), value, this.gen);
    if (match === 0) return branch;
    return extNode(r.path.subarray(0, match), branch, this.gen);
  }

  private remove(n: TrieNode | undefined, path: Uint8Array, pos: number): TrieNode | undefined {
    if (!n) return undefined;
    const r = this.resolve(n);
    if (r.kind === Kind.Leaf) {
      if (r.path.length === path.length - pos && prefixLen(path, pos, r.path) === r.path.length) return undefined;
      return n;
    }
    if (r.kind === Kind.Ext) {
      if (prefixLen(path, pos, r.path) !== r.path.length) return n;
      const child = this.remove(r.child, path, pos + r.path.length);
      if (child === r.child) return n;
      if (!child) return undefined;
      return this.joinExt(r.path, child);
    }
    let children = r.children;
    let value = r.value;
    if (pos === path.length) {
      if (value === undefined) return n;
      value = undefined;
    } else {
      const i = path[pos]!;
      const c = this.remove(children[i], path, pos + 1);
      if (c === children[i]) return n;
      children = children.slice();
      children[i] = c;
    }
    // Collapse a branch left with a single entry.
    let count = 0, only = -1;
    for (let i = 0; i < 16; i++) {
      if (children[i]) {
        count++;
        only = i;
      }
    }
    if (count === 0) return value === undefined ? undefined : leafNode(new Uint8Array(0), value);
    if (count === 1 && value === undefined) return this.joinExt(Uint8Array.of(only), children[only]!);
    return branchNode(children, value);
  }

  /** `prefix` followed by `child`, merged into one node where the child is a leaf or extension. */
  private joinExt(prefix: Uint8Array, child: TrieNode): TrieNode {
    const c = this.resolve(child);
    if (c.kind === Kind.Leaf) return leafNode(concatNibbles(prefix, c.path), c.value);
    if (c.kind === Kind.Ext) return extNode(concatNibbles(prefix, c.path), c.child);
    return extNode(prefix, c);
  }

  hash(): Hash {
    if (!this.root) return EMPTY_ROOT;
    if (this.root.kind === Kind.Ref) return asHash(this.root.hash);
    // The root is always hashed, even when its encoding is under 32 bytes.
    return asHash(nodeHash(this.root));
  }

  /**
   * Puts every node not yet stored into `batch` (under schema.trieNode) and
   * marks it stored. The caller must write the batch: nodes are shared with
   * copies, and a stored mark on a node whose batch is dropped would make a
   * later commit skip it.
   */
  commit(batch: WriteBatch, onNode?: (hash: Uint8Array, enc: Uint8Array) => void): Hash {
    return this.commitTo({
      node(hash, enc) {
        batch.put(schema.trieNode(hash), enc);
        onNode?.(hash, enc);
      },
    });
  }

  /**
   * Hands every node not yet stored to `sink`, children before parents, and
   * marks it stored. `leafRefs` names what a leaf's value points to (an
   * account's storage root), so a reference-counting sink can keep it.
   */
  commitTo(sink: NodeSink, leafRefs?: (value: Uint8Array) => string | undefined): Hash {
    const root = this.hash();
    if (!this.root) return root;
    const withKeys = sink.wantsKeys === true;
    const visit = (n: TrieNode, isRoot: boolean) => {
      if (n.stored) return;
      if (n.kind === Kind.Branch) {
        for (const c of n.children) if (c) visit(c, false);
      } else if (n.kind === Kind.Ext) visit(n.child, false);
      const enc = encodeNode(n);
      if (enc.length >= 32 || isRoot) {
        let children: string[] = NO_KEYS;
        if (withKeys) {
          children = hashedChildKeys(n);
          if (n.kind === Kind.Leaf && leafRefs) {
            const r = leafRefs(n.value);
            if (r) children.push(r);
          }
        }
        sink.node(nodeHash(n), enc, withKeys ? nodeKey(n) : '', children);
      }
      n.stored = true;
    };
    visit(this.root, true);
    return root;
  }

  /**
   * After a commit: every stored node deeper than `cachedDepth` nibbles is
   * replaced by its ref, as go-ethereum's committed trie holds hash nodes.
   * Otherwise the head's trie grows decoded along every path ever changed
   * until it is the whole state (221 of 749 MB live after 200 blocks to 220k
   * accounts). A ref is the same node by hash, so copies sharing a parent are
   * unaffected; the next change of a path decodes its nodes again (from the
   * dirty-node cache or the node store, where the commit just put them).
   */
  collapse(): void {
    const depth = this.cachedDepth;
    if (!this.root || depth === Infinity) return;
    const visit = (n: TrieNode, pos: number): TrieNode => {
      if (n.kind === Kind.Ref || !n.stored) return n;
      if (pos >= depth) {
        // An embedded node has no hash to be loaded by: it stays in its parent.
        if (encodeNode(n).length < 32) return n;
        return refNode(nodeHash(n), n.key);
      }
      if (n.kind === Kind.Branch) {
        const ch = n.children;
        for (let i = 0; i < 16; i++) {
          const c = ch[i];
          if (c && c.kind !== Kind.Ref) ch[i] = visit(c, pos + 1);
        }
      } else if (n.kind === Kind.Ext && n.child.kind !== Kind.Ref) n.child = visit(n.child, pos + n.path.length);
      return n;
    };
    this.root = visit(this.root, 0);
  }

  copy(): Trie {
    const t = new Trie(EMPTY_ROOT, this.source);
    t.root = this.root;
    t.cachedDepth = this.cachedDepth;
    this.gen = nextGen();
    return t;
  }

  /** RLP nodes from the root towards `key` (hashed nodes only, as go-ethereum's Prove). */
  prove(key: Uint8Array): Uint8Array[] {
    return this.provePath(keyToNibbles(key));
  }

  protected provePath(path: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let n = this.root;
    let pos = 0;
    let first = true;
    while (n) {
      const r = this.resolve(n);
      const enc = encodeNode(r);
      if (first || enc.length >= 32) out.push(enc);
      first = false;
      if (r.kind === Kind.Leaf) break;
      if (r.kind === Kind.Ext) {
        if (prefixLen(path, pos, r.path) !== r.path.length) break;
        pos += r.path.length;
        n = r.child;
        continue;
      }
      if (pos === path.length) break;
      n = r.children[path[pos]!];
      pos++;
    }
    return out;
  }
}

/** A trie whose paths are keccak256(key), as the state and storage tries are. */
export class SecureTrie extends Trie {
  override get(key: Uint8Array): Uint8Array | undefined {
    return this.getPath(keyToNibbles(keccak256(key)));
  }

  /** Reads by an already-hashed key (saves a keccak when the caller has it). */
  getHashed(hashedKey: Uint8Array): Uint8Array | undefined {
    return this.getPath(keyToNibbles(hashedKey));
  }

  override put(key: Uint8Array, value: Uint8Array): void {
    this.putPath(keyToNibbles(keccak256(key)), value);
  }

  putHashed(hashedKey: Uint8Array, value: Uint8Array): void {
    this.putPath(keyToNibbles(hashedKey), value);
  }

  override del(key: Uint8Array): void {
    this.putPath(keyToNibbles(keccak256(key)), new Uint8Array(0));
  }

  override copy(): SecureTrie {
    const t = new SecureTrie(EMPTY_ROOT, this.source);
    t.root = this.root;
    t.cachedDepth = this.cachedDepth;
    this.gen = nextGen();
    return t;
  }

  override prove(key: Uint8Array): Uint8Array[] {
    return this.provePath(keyToNibbles(keccak256(key)));
  }
}
