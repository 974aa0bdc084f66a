/**
 * Integrity walk of a stored trie: every node reachable from the root is
 * read from the store, its keccak must equal the key it is stored under, and
 * it must decode as a trie node. Leaves are handed to the caller (the state
 * check decodes accounts and walks their storage tries). Iterative, so a
 * deep or hostile trie cannot overflow the stack.
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import { decodeRlp } from '../../crypto/rlp.js';
import { Kind, type TrieNode } from './node.js';
import { decodeNode, EMPTY_ROOT, type NodeSource } from './trie.js';

export type TrieFaultKind = 'missing-node' | 'hash-mismatch' | 'undecodable-node';

/** The first bad node found, named by its key (the node hash). */
export class TrieIntegrityError extends Error {
  override name = 'TrieIntegrityError';
  constructor(readonly kind: TrieFaultKind, readonly nodeHash: string, detail?: string) {
    super(`trie node ${nodeHash}: ${kind.replace(/-/g, ' ')}${detail ? ` (${detail})` : ''}`);
  }
}

export interface TrieWalkStats {
  nodes: number;
  leaves: number;
}

/** Walks the trie at `root`; throws TrieIntegrityError at the first bad node. */
export function verifyTrie(source: NodeSource, root: Uint8Array, onLeaf?: (value: Uint8Array) => void): TrieWalkStats {
  const stats: TrieWalkStats = { nodes: 0, leaves: 0 };
  if (equalBytes(root, EMPTY_ROOT)) return stats;
  const hashes: Uint8Array[] = [root];
  const inline: TrieNode[] = [];
  while (hashes.length > 0) {
    const hash = hashes.pop()!;
    const enc = source.getNode(hash);
    if (!enc) throw new TrieIntegrityError('missing-node', bytesToHex(hash));
    if (!equalBytes(keccak256(enc), hash)) throw new TrieIntegrityError('hash-mismatch', bytesToHex(hash));
    let node: TrieNode;
    try {
      node = decodeNode(decodeRlp(enc));
    } catch (e) {
      throw new TrieIntegrityError('undecodable-node', bytesToHex(hash), (e as Error).message);
    }
    stats.nodes++;
    inline.push(node);
    while (inline.length > 0) {
      const n = inline.pop()!;
      switch (n.kind) {
        case Kind.Ref:
          hashes.push(n.hash);
          break;
        case Kind.Leaf:
          stats.leaves++;
          onLeaf?.(n.value);
          break;
        case Kind.Ext:
          inline.push(n.child);
          break;
        case Kind.Branch:
          for (const c of n.children) if (c) inline.push(c);
          if (n.value) {
            stats.leaves++;
            onLeaf?.(n.value);
          }
          break;
      }
    }
  }
  return stats;
}
