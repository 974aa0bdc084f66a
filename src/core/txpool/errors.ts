/**
 * Why the pool refused a transaction. RPC maps these to go-ethereum's
 * messages ("already known", "nonce too low", ...) so wallets understand them.
 */

export type PoolErrorCode =
  | 'already-known' | 'oversized' | 'wrong-chain' | 'invalid-signature' | 'gas-limit' | 'underpriced'
  | 'replace-underpriced' | 'nonce-too-low' | 'insufficient-funds' | 'intrinsic-gas' | 'tip-above-fee-cap'
  | 'fee-too-large' | 'contract-creation' | 'data-not-allowed' | 'bad-system-action' | 'pool-full'
  | 'account-limit' | 'negative-value';

const MESSAGES: Record<PoolErrorCode, string> = {
  'already-known': 'already known',
  oversized: 'oversized data',
  'wrong-chain': 'invalid chain id for signer',
  'invalid-signature': 'invalid sender',
  'gas-limit': 'exceeds block gas limit',
  underpriced: 'transaction underpriced',
  'replace-underpriced': 'replacement transaction underpriced',
  'nonce-too-low': 'nonce too low',
  'insufficient-funds': 'insufficient funds for gas * price + value',
  'intrinsic-gas': 'intrinsic gas too low',
  'tip-above-fee-cap': 'max priority fee per gas higher than max fee per gas',
  'fee-too-large': 'fee cap or tip exceeds 256 bits',
  'contract-creation': 'contract creation not supported',
  'data-not-allowed': 'data is only allowed for system actions',
  'bad-system-action': 'malformed system action',
  'pool-full': 'txpool is full',
  'account-limit': 'account has too many queued transactions',
  'negative-value': 'negative value',
};

export class TxPoolError extends Error {
  override name = 'TxPoolError';
  constructor(readonly code: PoolErrorCode, detail?: string) {
    super(detail ? `${MESSAGES[code]}: ${detail}` : MESSAGES[code]);
  }
}
