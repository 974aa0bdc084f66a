/**
 * Lane classification (seed plan §3.1): a tx goes to the transfer lane only if
 * it is a plain value transfer — a recipient, not the system-action address,
 * no data, and a recipient without code. Everything else is serial. Code
 * cannot change inside a block (no contract creation), so classifying up
 * front against the pre-block state is safe.
 */
import { equalBytes } from '../../crypto/bytes.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { SYSTEM_ACTION_ADDRESS } from '../../sysaction/addresses.js';
import type { Transaction } from '../../types/transaction.js';

export type Lane = 'transfer' | 'serial';

export function classify(tx: Transaction, state: StateDB): Lane {
  if (tx.to === null) return 'serial';
  if (tx.data.length > 0) return 'serial';
  if (equalBytes(tx.to, SYSTEM_ACTION_ADDRESS)) return 'serial';
  if (state.getCodeSize(tx.to) > 0) return 'serial';
  return 'transfer';
}

export function classifyAll(txs: readonly Transaction[], state: StateDB): Lane[] {
  return txs.map((tx) => classify(tx, state));
}
