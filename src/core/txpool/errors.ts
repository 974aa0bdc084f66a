/**
 * Why the pool refused a transaction, for the refusals that are the pool's
 * own (already known, underpriced, full, ...). A tx that breaks a consensus
 * rule (nonce too low, insufficient funds, intrinsic gas, fee fields) gets the
 * state transition's own InvalidTxError class, as go-ethereum's pool returns
 * core's ErrNonceTooLow: `PoolRejection` is the union the callers switch on.
 * RPC passes the message through, in go-ethereum's words, so wallets
 * understand it.
 */
import { InvalidTxError } from '../execution/errors.js';

export type PoolErrorCode =
  | 'already-known' | 'oversized' | 'wrong-chain' | 'invalid-signature' | 'gas-limit' | 'underpriced'
  | 'replace-underpriced' | 'contract-creation' | 'data-not-allowed' | 'bad-system-action' | 'pool-full'
  | 'account-limit' | 'negative-value' | 'storage-failure';

const MESSAGES: Record<PoolErrorCode, string> = {
  'already-known': 'already known',
  oversized: 'oversized data',
  'wrong-chain': 'invalid chain id for signer',
  'invalid-signature': 'invalid sender',
  'gas-limit': 'exceeds block gas limit',
  underpriced: 'transaction underpriced',
  'replace-underpriced': 'replacement transaction underpriced',
  'contract-creation': 'contract creation not supported',
  'data-not-allowed': 'data is only allowed for system actions',
  'bad-system-action': 'malformed system action',
  'pool-full': 'txpool is full',
  'account-limit': 'account has too many queued transactions',
  'negative-value': 'negative value',
  'storage-failure': 'node storage failure',
};

export class TxPoolError extends Error {
  override name = 'TxPoolError';
  constructor(readonly code: PoolErrorCode, detail?: string) {
    super(detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code]);
  }
}

/** Every typed refusal of the pool: its own, or a consensus rule the tx breaks. */
export type PoolRejection = TxPoolError | InvalidTxError;

export function isPoolRejection(e: unknown): e is PoolRejection {
  return e instanceof TxPoolError || e instanceof InvalidTxError;
}
