/**
 * Clique consensus failures: one code per rule (go-ethereum's err* values in
 * consensus/clique and consensus/errors.go), so callers switch on `code`
 * and logs carry it.
 */

export type CliqueErrorCode =
  | 'unknown-block' // genesis (or a negative number) where a sealed block is needed
  | 'unknown-ancestor' // parent / snapshot ancestor not available (consensus.ErrUnknownAncestor)
  | 'future-block' // header.time > now (consensus.ErrFutureBlock); may become valid later
  | 'invalid-checkpoint-beneficiary' // checkpoint with a non-zero coinbase
  | 'invalid-vote' // nonce neither 0x00..00 nor 0xff..ff
  | 'invalid-checkpoint-vote' // checkpoint with a non-zero nonce
  | 'missing-vanity' // extraData < 32 bytes
  | 'missing-signature' // extraData < 32 + 65 bytes
  | 'extra-signers' // signer list on a non-checkpoint block
  | 'invalid-checkpoint-signers' // checkpoint signer list not a multiple of 20 bytes
  | 'mismatching-checkpoint-signers' // checkpoint signer list differs from the snapshot's
  | 'invalid-mix-digest' // mixDigest not zero
  | 'invalid-uncle-hash' // uncles present
  | 'invalid-difficulty' // difficulty neither 1 nor 2
  | 'wrong-difficulty' // difficulty does not match the signer's turn
  | 'invalid-timestamp' // time < parent.time + period
  | 'invalid-voting-chain' // non-contiguous headers applied to a snapshot
  | 'unauthorized-signer' // sealer not in the signer set
  | 'recently-signed' // sealer signed one of the last floor(n/2)+1 blocks
  | 'invalid-signature' // the seal does not recover to any key
  | 'invalid-gas-limit' // above 2^63-1, or outside parent ± parent/1024, or below 5000
  | 'invalid-gas-used' // gasUsed > gasLimit
  | 'invalid-base-fee'; // missing or not calcBaseFee(parent)

export class CliqueError extends Error {
  override name = 'CliqueError';
  constructor(readonly code: CliqueErrorCode, message?: string) {
    super(message ?? code.replace(/-/g, ' '));
  }
}
