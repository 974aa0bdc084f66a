/**
 * Whose fault a failed block import is. A block that breaks a rule is the
 * sender's fault (gossip rejects it, sync drops the peer); one we cannot place
 * yet (unknown parent or ancestor, a timestamp ahead of our clock) or a local
 * failure is nobody's, and is only ignored.
 */
import { InvalidBlockError } from '../../core/chain/block-validator.js';
import { CliqueError } from '../../consensus/clique/errors.js';

export function isPeerFault(e: unknown): boolean {
  if (!(e instanceof InvalidBlockError)) return false;
  if (e.code === 'unknown-parent') return false;
  const cause = e.cause;
  if (cause instanceof CliqueError && (cause.code === 'future-block' || cause.code === 'unknown-ancestor')) return false;
  return true;
}
