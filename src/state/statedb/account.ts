/** The account record in the state trie: rlp([nonce, balance, storageRoot, codeHash]). */
import { bigintToBytes, bytesToBigint, hexToBytes } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { decodeRlp } from '../../crypto/rlp.js';
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

/** Hand-encoded: every dirty account is re-encoded once per block, so this is on the hot path. */
export function encodeAccount(a: Account): Uint8Array {
  const nonce = bigintToBytes(a.nonce);
  const balance = bigintToBytes(a.balance);
  const itemLen = (b: Uint8Array) => (b.length === 1 && b[0]! < 0x80 ? 1 : 1 + b.length);
  const payload = itemLen(nonce) + itemLen(balance) + 33 + 33;
  const head = payload < 56 ? 1 : 2;
  const out = new Uint8Array(head + payload);
  let o = 0;
  if (head === 1) out[o++] = 0xc0 + payload;
  else {
    out[o++] = 0xf8;
    out[o++] = payload;
  }
  for (const b of [nonce, balance]) {
    if (b.length === 1 && b[0]! < 0x80) out[o++] = b[0]!;
    else {
      out[o++] = 0x80 + b.length;
      out.set(b, o);
      o += b.length;
    }
  }
  out[o++] = 0xa0;
  out.set(a.storageRoot, o);
  o += 32;
  out[o++] = 0xa0;
  out.set(a.codeHash, o);
  return out;
}

/** The storage root inside an account's RLP, read in place: the record ends with the 33-byte items storageRoot and codeHash. */
export function storageRootIn(account: Uint8Array): Uint8Array {
  return account.subarray(account.length - 65, account.length - 33);
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
