/**
 * The status message of the handshake: (network id, genesis hash, head hash,
 * head number, total difficulty) as RLP, size-bounded and strictly decoded;
 * a peer on another network or genesis is incompatible. The exchange itself
 * (STATUS_PROTOCOL) is the peer manager's.
 */
import { bigintToBytes, bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { decodeRlp, decodeUint, encodeRlp, expectBytes, expectList } from '../../crypto/rlp.js';

export const MAX_STATUS_BYTES = 1024;

export interface Status {
  networkId: bigint;
  genesisHash: Hash;
  headHash: Hash;
  headNumber: bigint;
  td: bigint;
}

export class StatusMismatchError extends Error {
  override name = 'StatusMismatchError';
}

export function encodeStatus(s: Status): Uint8Array {
  return encodeRlp([bigintToBytes(s.networkId), s.genesisHash, s.headHash, bigintToBytes(s.headNumber), bigintToBytes(s.td)]);
}

export function decodeStatus(b: Uint8Array): Status {
  if (b.length > MAX_STATUS_BYTES) throw new Error('status message too large');
  const f = expectList(decodeRlp(b), 5, 'status');
  return {
    networkId: decodeUint(f[0], 64, 'networkId'),
    genesisHash: asHash(expectBytes(f[1], 'genesisHash', 32)),
    headHash: asHash(expectBytes(f[2], 'headHash', 32)),
    headNumber: decodeUint(f[3], 64, 'headNumber'),
    td: decodeUint(f[4], 256, 'td'),
  };
}

/** Throws when the remote is on another network or chain. */
export function checkCompatible(ours: Status, theirs: Status): void {
  if (ours.networkId !== theirs.networkId) throw new StatusMismatchError(`network id mismatch: ours ${ours.networkId}, theirs ${theirs.networkId}`);
  if (!equalBytes(ours.genesisHash, theirs.genesisHash)) {
    throw new StatusMismatchError(`genesis mismatch: ours ${bytesToHex(ours.genesisHash)}, theirs ${bytesToHex(theirs.genesisHash)}`);
  }
}
