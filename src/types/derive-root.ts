/** Tx and receipt roots: ordered tries over the canonical encodings. */
import type { Hash } from '../crypto/primitives.js';
import { orderedTrieRoot } from '../state/trie/ordered.js';
import { encodeReceipt, type Receipt } from './receipt.js';
import type { Transaction } from './transaction.js';

export function txRoot(txs: readonly Transaction[]): Hash {
  return orderedTrieRoot(txs.map((t) => t.encode()));
}

export function receiptRoot(rs: readonly Receipt[]): Hash {
  return orderedTrieRoot(rs.map((r) => encodeReceipt(r)));
}
