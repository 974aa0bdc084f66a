/** The account record in the state trie: rlp([nonce, balance, storageRoot, codeHash]). */
import { bigintToBytes, bytesToBigint, hexToBytes } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { decodeRlp, encodeRlp } from '../../core/types/rlp.js';
import { EMPTY_ROOT } from '../trie/trie.js';

export interface Account {
  nonce: bigint;
  balance: bigint;
  storageRoot: Hash;
  codeHash: Hash;
}

export const EMPTY_CODE_HASH: Hash = hexToBytes('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470') as Hash;

export function emptyAccount(): Account {
  return { nonce: 0n, balance: 0n, storageRoot: EMPTY_ROOT, codeHash: EMPTY_CODE_HASH };
}

export function encodeAccount(a: Account): Uint8Array {
  return encodeRlp([bigintToBytes(a.nonce), bigintToBytes(a.balance), a.storageRoot, a.codeHash]);
}

export function decodeAccount(b: Uint8Array): Account {
  const f = decodeRlp(b);
  if (!Array.isArray(f) || f.length !== 4) throw new Error('invalid account record');
  return {
    nonce: bytesToBigint(f[0] as Uint8Array),
    balance: bytesToBigint(f[1] as Uint8Array),
    storageRoot: asHash(f[2] as Uint8Array),
    codeHash: asHash(f[3] as Uint8Array),
  };
}
