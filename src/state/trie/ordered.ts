/** Root of an ordered trie keyed by rlp(index): the tx root and the receipt root. */
import { bigintToBytes } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import { RLP } from '@ethereumjs/rlp';
import { Trie } from './trie.js';

export function orderedTrieRoot(items: readonly Uint8Array[]): Hash {
  const t = new Trie();
  for (let i = 0; i < items.length; i++) t.put(RLP.encode(bigintToBytes(BigInt(i))), items[i]!);
  return t.hash();
}
