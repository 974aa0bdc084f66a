/**
 * Whose fault a refused gossiped tx is. An error a correct peer would never
 * relay (a bad signature, another chain, a malformed shape, fee fields that
 * cannot hold) is the sender's fault: the message is rejected and gossipsub
 * scores the sender. A stale view (price, nonce, balance, a full pool) is
 * nobody's: the tx is only ignored.
 */
import type { PoolRejection } from '../../core/txpool/errors.js';

const SENDER_FAULTS: ReadonlySet<string> = new Set([
  'invalid-signature', 'wrong-chain', 'oversized', 'contract-creation', 'data-not-allowed', 'bad-system-action',
  'intrinsic-gas', 'tip-above-fee-cap', 'fee-too-large',
]);

export function isSenderFault(err: PoolRejection | undefined): boolean {
  return err !== undefined && SENDER_FAULTS.has(err.code);
}
