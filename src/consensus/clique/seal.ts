/**
 * The clique seal: a secp256k1 signature (r ‖ s ‖ v, v = 0/1) over
 * keccak(rlp(header with the last 65 extraData bytes removed)) — geth's
 * SealHash/encodeSigHeader, baseFee included when present — stored in those
 * 65 bytes. Recovery does not apply EIP-2's low-s rule: geth recovers seals
 * with crypto.Ecrecover, which accepts high-s signatures.
 * Pure functions; caching the recovered signer is the engine's business.
 */
import { bigintToBytesPadded, bytesToBigint, concatBytes } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import type { Address, Hash } from '../../crypto/primitives.js';
import { encodeRlp } from '../../crypto/rlp.js';
import { recoverAddress, sign } from '../../crypto/secp256k1.js';
import { headerToRlpFields, type Header } from '../../types/header.js';
import { CliqueError } from './errors.js';

/** Bytes of extraData reserved for the signer's vanity. */
export const EXTRA_VANITY = 32;
/** Bytes of extraData reserved for the seal. */
export const EXTRA_SEAL = 65;

/** The hash a signer signs: the header without its seal bytes. */
export function sealHash(h: Header): Hash {
  if (h.extraData.length < EXTRA_SEAL) throw new CliqueError('missing-signature');
  const fields = headerToRlpFields({ ...h, extraData: h.extraData.subarray(0, h.extraData.length - EXTRA_SEAL) });
  return keccak256(encodeRlp(fields)) as Hash;
}

/** The address whose key made the seal. */
export function recoverSealer(h: Header): Address {
  if (h.extraData.length < EXTRA_SEAL) throw new CliqueError('missing-signature');
  const sig = h.extraData.subarray(h.extraData.length - EXTRA_SEAL);
  try {
    return recoverAddress(sealHash(h), {
      r: bytesToBigint(sig.subarray(0, 32)), s: bytesToBigint(sig.subarray(32, 64)), yParity: sig[64]!,
    }, false);
  } catch (e) {
    throw new CliqueError('invalid-signature', `invalid seal signature: ${(e as Error).message}`);
  }
}

/** A copy of the header with the seal filled in (the input is not modified). */
export function sealHeader(h: Header, key: Uint8Array): Header {
  const s = sign(sealHash(h), key);
  const extra = concatBytes(
    h.extraData.subarray(0, h.extraData.length - EXTRA_SEAL),
    bigintToBytesPadded(s.r, 32), bigintToBytesPadded(s.s, 32), Uint8Array.of(s.yParity),
  );
  return { ...h, extraData: extra };
}
