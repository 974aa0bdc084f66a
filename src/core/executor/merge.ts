/**
 * Serial merge of a micro-batch's outcomes into the state, strictly in tx
 * order: sender debit and nonce, recipient credit, receipts with index order
 * and cumulative gas, then the author's fees for the batch, then EIP-158.
 * It never reads worker completion order: outcomes arrive as an array indexed
 * by position in the batch.
 */
import type { Address } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import type { GasPool } from '../execution/gas-pool.js';
import { EMPTY_BLOOM } from '../../types/header.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';
import type { TransferOutcome } from './transfer-outcome.js';

export type MergeFn = typeof mergeBatch;

export function mergeBatch(
  state: StateDB, txs: readonly Transaction[], senders: readonly Address[], author: Address,
  start: number, outcomes: readonly TransferOutcome[], gp: GasPool, receipts: Receipt[], cumulativeBefore: bigint,
): bigint {
  let cumulative = cumulativeBefore;
  let fees = 0n;
  for (let k = 0; k < outcomes.length; k++) {
    const i = start + k;
    const tx = txs[i]!;
    const o = outcomes[k]!;
    const from = senders[i]!;
    gp.subGas(tx.gasLimit);
    gp.addGas(tx.gasLimit - o.gasUsed);
    state.subBalance(from, o.debit);
    state.setNonce(from, tx.nonce + 1n);
    state.addBalance(tx.to!, tx.value);
    fees += o.fee;
    cumulative += o.gasUsed;
    receipts.push({ type: tx.type, status: 1, cumulativeGasUsed: cumulative, logsBloom: EMPTY_BLOOM, logs: [] });
  }
  // Every serial tx touches the author with its fee (even 0); one credit of the
  // sum leaves the same state because no tx in the batch touches the author.
  state.addBalance(author, fees);
  state.finalise(true);
  return cumulative;
}
