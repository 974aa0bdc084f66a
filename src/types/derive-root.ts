/**
 * Tx and receipt roots: an ordered list root over the canonical encodings.
 * The list hasher (a trie keyed by rlp(index)) is passed in, as go-ethereum's
 * DeriveSha takes a TrieHasher, so the types stay a leaf below the state layer.
 */
import type { Hash } from '../crypto/primitives.js';
import { encodeReceipt, type Receipt } from './receipt.js';
import type { Transaction } from './transaction.js';

/** Root of the ordered list of items (item i at key rlp(i)). */
export type ListHasher = (items: readonly Uint8Array[]) => Hash;

export function txRoot(txs: readonly Transaction[], hasher: ListHasher): Hash {
  return hasher(txs.map((t) => t.encode()));
}

export function receiptRoot(rs: readonly Receipt[], hasher: ListHasher): Hash {
  return hasher(rs.map((r) => encodeReceipt(r)));
}
