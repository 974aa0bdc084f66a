/**
 * The database key layout: one single-byte prefix per kind of record. Every
 * writer and reader builds keys here, so the layout is documented in one place.
 *
 *   'h' num(8) hash   → header RLP          'b' num(8) hash → body RLP
 *   'r' num(8) hash   → receipts RLP        'd' num(8) hash → total difficulty
 *   'n' num(8)        → canonical hash      'H' hash        → number(8)
 *   'l' txHash        → tx lookup (block number(8) ‖ index(4))
 *   't' nodeHash      → trie node           'c' codeHash    → code
 *   's' blockHash     → clique snapshot JSON
 *   'a' addrHash      → flat account RLP    'o' addrHash slotHash → flat slot RLP
 *   'FlatStateRoot'   → the state root the flat entries are of
 *   'LastBlock'       → head block hash     'genesis'       → genesis hash
 *   'config'          → chain config JSON
 */
import { concatBytes, utf8ToBytes } from '../crypto/bytes.js';

function num8(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

const P = (c: string) => utf8ToBytes(c);
const HEADER = P('h'), BODY = P('b'), RECEIPTS = P('r'), TD = P('d'), CANON = P('n'), NUMBER = P('H');
const TX_LOOKUP = P('l'), TRIE_NODE = P('t'), CODE = P('c'), SNAPSHOT = P('s');
const FLAT_ACCOUNT = P('a'), FLAT_STORAGE = P('o');

export const schema = {
  header: (num: bigint, hash: Uint8Array) => concatBytes(HEADER, num8(num), hash),
  body: (num: bigint, hash: Uint8Array) => concatBytes(BODY, num8(num), hash),
  receipts: (num: bigint, hash: Uint8Array) => concatBytes(RECEIPTS, num8(num), hash),
  totalDifficulty: (num: bigint, hash: Uint8Array) => concatBytes(TD, num8(num), hash),
  canonicalHash: (num: bigint) => concatBytes(CANON, num8(num)),
  blockNumber: (hash: Uint8Array) => concatBytes(NUMBER, hash),
  txLookup: (txHash: Uint8Array) => concatBytes(TX_LOOKUP, txHash),
  trieNode: (hash: Uint8Array) => concatBytes(TRIE_NODE, hash),
  code: (codeHash: Uint8Array) => concatBytes(CODE, codeHash),
  cliqueSnapshot: (blockHash: Uint8Array) => concatBytes(SNAPSHOT, blockHash),
  flatAccount: (addrHash: Uint8Array) => concatBytes(FLAT_ACCOUNT, addrHash),
  flatStorage: (addrHash: Uint8Array, slotHash: Uint8Array) => concatBytes(FLAT_STORAGE, addrHash, slotHash),
  flatAccountPrefix: FLAT_ACCOUNT,
  flatStoragePrefix: (addrHash?: Uint8Array) => (addrHash ? concatBytes(FLAT_STORAGE, addrHash) : FLAT_STORAGE),
  flatStateRoot: utf8ToBytes('FlatStateRoot'),
  headBlock: utf8ToBytes('LastBlock'),
  genesisHash: utf8ToBytes('genesis'),
  chainConfig: utf8ToBytes('config'),
  encodeNumber: num8,
  decodeNumber: (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0),
};
