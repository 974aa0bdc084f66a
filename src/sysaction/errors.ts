/** Why a system action failed (the tx still lands, with status 0 and its effects reverted). */

export type SysActionErrorCode =
  | 'malformed-json' | 'unknown-action' | 'invalid-payload' | 'commission-too-high' | 'zero-value'
  | 'not-registered' | 'no-stake' | 'no-shares' | 'not-owner' | 'insufficient-stake' | 'already-registered';

export class SysActionError extends Error {
  override name = 'SysActionError';
  constructor(readonly code: SysActionErrorCode, message: string) {
    super(message);
  }
}
