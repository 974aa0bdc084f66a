/**
 * EIP-191 "personal" messages (version 0x45), as go-ethereum's accounts.TextHash
 * and eth_sign/personal_sign produce them: the digest of the prefixed message
 * and the 65-byte r ‖ s ‖ v signature with v as 27/28.
 */
import { bigintToBytesPadded, concatBytes, utf8ToBytes } from './bytes.js';
import { keccak256 } from './keccak.js';
import { sign } from './secp256k1.js';

/** keccak256("\x19Ethereum Signed Message:\n" ‖ len(data) in decimal ‖ data). */
export function personalMessageHash(data: Uint8Array): Uint8Array {
  return keccak256(concatBytes(utf8ToBytes(`\x19Ethereum Signed Message:\n${data.length}`), data));
}

/**
 * r ‖ s ‖ v over personalMessageHash(data). v is 27 + recovery id: geth adds
 * 27 in eth_sign for the "legacy" form wallets and ecrecover expect.
 */
export function signPersonalMessage(data: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const sig = sign(personalMessageHash(data), privateKey);
  return concatBytes(bigintToBytesPadded(sig.r, 32), bigintToBytesPadded(sig.s, 32), Uint8Array.of(27 + sig.yParity));
}
