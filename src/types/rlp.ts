/**
 * Strict RLP for the chain types. The decoder itself lives in the primitives
 * layer (src/crypto/rlp.ts, shared with the trie, state and p2p); this module
 * re-exports it so that there is exactly one RlpError class that every
 * decode error of the types (TxDecodeError, HeaderDecodeError, ...) extends.
 */
export {
  RlpError,
  decodeRlp,
  decodeRlpPrefix,
  encodeRlp,
  expectList,
  expectBytes,
  decodeUint,
  type RlpItem,
  type NestedList,
} from '../crypto/rlp.js';
