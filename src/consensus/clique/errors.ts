/** Clique consensus failures, one code per rule, so callers and logs can switch on them. */

export type CliqueErrorCode =
  | 'unknown-block' | 'future-block' | 'invalid-checkpoint-beneficiary' | 'invalid-vote' | 'invalid-checkpoint-vote'
  | 'missing-vanity' | 'missing-signature' | 'extra-signers' | 'invalid-checkpoint-signers' | 'mismatching-checkpoint-signers'
  | 'invalid-mix-digest' | 'invalid-uncle-hash' | 'invalid-difficulty' | 'wrong-difficulty' | 'invalid-timestamp'
  | 'invalid-voting-chain' | 'unauthorized-signer' | 'recently-signed' | 'unknown-ancestor' | 'invalid-gas-limit'
  | 'invalid-gas-used' | 'invalid-base-fee' | 'invalid-signature';

export class CliqueError extends Error {
  override name = 'CliqueError';
  constructor(readonly code: CliqueErrorCode, message?: string) {
    super(message ?? code.replace(/-/g, ' '));
  }
}
