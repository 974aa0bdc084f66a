/**
 * Verification of Merkle proofs (EIP-1186 `accountProof`/`storageProof`
 * shape): walks the proof's nodes from the root hash along the key's path.
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import type { Hash } from '../../crypto/primitives.js';
import { decodeRlp, type RlpItem } from '../../crypto/rlp.js';
import { hexPrefixDecode } from './node.js';
import { EMPTY_ROOT, keyToNibbles } from './trie.js';

export class InvalidProofError extends Error {
  override name = 'InvalidProofError';
}

/** Returns the value at `key` (the path key: hashed already for secure tries), or undefined for a valid proof of absence. */
export function verifyProof(root: Hash, key: Uint8Array, proof: Uint8Array[]): Uint8Array | undefined {
  const byHash = new Map<string, Uint8Array>();
  for (const n of proof) byHash.set(bytesToHex(keccak256(n)), n);
  if (equalBytes(root, EMPTY_ROOT) && proof.length === 0) return undefined;
  const path = keyToNibbles(key);
  let pos = 0;
  let item: RlpItem | undefined;
  const load = (h: Uint8Array): RlpItem => {
    const enc = byHash.get(bytesToHex(h));
    if (!enc) throw new InvalidProofError(`proof is missing node ${bytesToHex(h)}`);
    try {
      return decodeRlp(enc);
    } catch (e) {
      throw new InvalidProofError(`malformed proof node: ${(e as Error).message}`);
    }
  };
  item = load(root);
  for (;;) {
    if (!Array.isArray(item)) throw new InvalidProofError('proof node is not a list');
    let next: RlpItem;
    if (item.length === 17) {
      if (pos === path.length) {
        const v = item[16] as Uint8Array;
        return v.length ? v : undefined;
      }
      next = item[path[pos]!]!;
      pos++;
    } else if (item.length === 2) {
      let hp;
      try {
        hp = hexPrefixDecode(item[0] as Uint8Array);
      } catch {
        throw new InvalidProofError('malformed path in proof node');
      }
      const matches = hp.path.length <= path.length - pos && hp.path.every((x, i) => path[pos + i] === x);
      if (hp.leaf) return matches && pos + hp.path.length === path.length ? (item[1] as Uint8Array) : undefined;
      if (!matches) return undefined;
      pos += hp.path.length;
      next = item[1]!;
    } else {
      throw new InvalidProofError(`proof node has ${item.length} items`);
    }
    if (Array.isArray(next)) item = next;
    else if (next.length === 0) return undefined;
    else if (next.length === 32) item = load(next);
    else throw new InvalidProofError('invalid child reference in proof');
  }
}
