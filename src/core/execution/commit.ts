/**
 * Committing one transaction while a block is assembled (go-ethereum's
 * commitTransaction): apply it; if a rule refuses it, undo it — state and gas
 * pool exactly as before — and hand back the typed error, which the caller's
 * policy (gas limit reached, nonce too low, ...) acts on.
 */
import type { Address } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';
import { InvalidTxError } from './errors.js';
import type { GasPool } from './gas-pool.js';
import { applyTransaction, type BlockContext } from './state-transition.js';

export type CommitResult = { receipt: Receipt; failure?: undefined } | { receipt?: undefined; failure: InvalidTxError };

export function commitTransaction(ctx: BlockContext, state: StateDB, tx: Transaction, sender: Address, gp: GasPool, cumulative: bigint): CommitResult {
  const snap = state.snapshot();
  const gas = gp.gas;
  try {
    return { receipt: applyTransaction(ctx, state, tx, sender, gp, cumulative).receipt };
  } catch (e) {
    if (!(e instanceof InvalidTxError)) throw e;
    state.revertToSnapshot(snap);
    gp.gas = gas;
    return { failure: e };
  }
}
