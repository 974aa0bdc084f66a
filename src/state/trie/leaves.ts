/**
 * Every leaf of a stored trie with its full key (the path from the root), in
 * key order, as a generator so the caller can write as it goes. What rebuilds the flat state from the account trie. Iterative,
 * so a deep trie cannot overflow the stack.
 */
import { equalBytes } from '../../crypto/bytes.js';
import { decodeRlp } from '../../crypto/rlp.js';
import { Kind, refNode, type TrieNode } from './node.js';
import { decodeNode, EMPTY_ROOT, MissingNodeError, type NodeSource } from './trie.js';

function nibblesToBytes(nibbles: number[]): Uint8Array {
  const out = new Uint8Array(nibbles.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
  return out;
}

export function* trieLeaves(source: NodeSource, root: Uint8Array): Generator<[key: Uint8Array, value: Uint8Array]> {
  if (equalBytes(root, EMPTY_ROOT)) return;
  // Pushed in reverse child order, so leaves come out in key order.
  const stack: { node: TrieNode; path: number[] }[] = [{ node: refNode(root), path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    switch (node.kind) {
      case Kind.Ref: {
        const enc = source.getNode(node.hash);
        if (!enc) throw new MissingNodeError(node.hash);
        stack.push({ node: decodeNode(decodeRlp(enc)), path });
        break;
      }
      case Kind.Leaf:
        yield [nibblesToBytes([...path, ...node.path]), node.value];
        break;
      case Kind.Ext:
        stack.push({ node: node.child, path: [...path, ...node.path] });
        break;
      case Kind.Branch:
        for (let i = 15; i >= 0; i--) {
          const c = node.children[i];
          if (c) stack.push({ node: c, path: [...path, i] });
        }
        if (node.value) yield [nibblesToBytes(path), node.value];
        break;
    }
  }
}
