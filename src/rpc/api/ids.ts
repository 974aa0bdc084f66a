/**
 * Ids for filters and subscriptions, shaped as go-ethereum's rpc.NewID makes
 * them (16 random bytes as quantity-style hex), so they cannot be guessed
 * and clients that compare them as geth's see nothing new.
 */
import { randomBytes } from 'node:crypto';

export function newRpcId(): string {
  const hex = randomBytes(16).toString('hex').replace(/^0+/, '');
  return '0x' + (hex || '0');
}
