/**
 * Serial precheck of a micro-batch, in tx order, against the pre-batch state:
 * nonce, sender is an EOA, fee rules, balance for gas × feeCap + value, block
 * gas pool (declared gas must fit at the tx's turn; used gas is given back
 * before the next tx), intrinsic gas. It never mutates state. On any failure
 * it only refuses the batch: the caller re-runs it serially, so the block
 * gets exactly the serial reference's error.
 */
import type { Address } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { InvalidTxError } from '../execution/errors.js';
import { checkNonceAndFees, type BlockContext } from '../execution/state-transition.js';
import type { Transaction } from '../../types/transaction.js';
import { transferOutcome, type TransferInput } from './transfer-outcome.js';

export type PrecheckResult = { ok: true; inputs: TransferInput[] } | { ok: false };

export function precheckBatch(
  ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[],
  start: number, end: number, gasAvailable: bigint,
): PrecheckResult {
  const inputs: TransferInput[] = [];
  let gp = gasAvailable;
  for (let i = start; i < end; i++) {
    const tx = txs[i]!;
    const from = senders[i]!;
    try {
      checkNonceAndFees(ctx, state, tx, from);
    } catch (e) {
      if (e instanceof InvalidTxError) return { ok: false };
      throw e;
    }
    if (state.getBalance(from) < tx.cost()) return { ok: false };
    if (tx.gasLimit > gp) return { ok: false };
    let accessKeys = 0;
    for (const item of tx.accessList) accessKeys += item.storageKeys.length;
    const input: TransferInput = {
      gasLimit: tx.gasLimit,
      price: tx.effectiveGasPrice(ctx.baseFee),
      tip: tx.effectiveTip(ctx.baseFee),
      value: tx.value,
      accessAddresses: tx.accessList.length,
      accessKeys,
    };
    const gasUsed = transferOutcome(input, ctx.config.txGas).gasUsed;
    if (tx.gasLimit < gasUsed) return { ok: false };
    gp -= gasUsed;
    inputs.push(input);
  }
  return { ok: true, inputs };
}
