/**
 * The serial block executor: every transaction through the reference state
 * transition, in block order. It is the semantics the parallel executor must
 * reproduce byte for byte, and its fallback.
 */
import type { Address, Hash } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { BlockExecutionError, InvalidTxError } from './errors.js';
import { GasPool } from './gas-pool.js';
import { applyTransaction, type BlockContext } from './state-transition.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';

export interface ExecutionResult {
  receipts: Receipt[];
  gasUsed: bigint;
}

/** What runs a block's transactions: the serial reference or the parallel executor. */
export interface BlockExecutor {
  executeBlock(ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint): Promise<ExecutionResult>;
  /** A block's tx root, when this executor can have it computed elsewhere (else the caller computes it). */
  txRoot?(txs: readonly Transaction[]): Promise<Hash>;
}

/** Applies txs[from..to) serially; shared by the serial executor and the parallel executor's serial lane. */
export function applySerialRange(
  ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[],
  start: number, end: number, gp: GasPool, receipts: Receipt[], gasUsedBefore: bigint,
): bigint {
  let cumulative = gasUsedBefore;
  for (let i = start; i < end; i++) {
    const tx = txs[i]!;
    try {
      const res = applyTransaction(ctx, state, tx, senders[i]!, gp, cumulative);
      cumulative = res.receipt.cumulativeGasUsed;
      receipts.push(res.receipt);
    } catch (e) {
      if (e instanceof InvalidTxError) throw new BlockExecutionError(i, `0x${Buffer.from(tx.hash()).toString('hex')}`, e);
      throw e;
    }
  }
  return cumulative;
}

export function executeSerial(
  ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint,
): ExecutionResult {
  const receipts: Receipt[] = [];
  const gasUsed = applySerialRange(ctx, state, txs, senders, 0, txs.length, new GasPool(gasLimit), receipts, 0n);
  return { receipts, gasUsed };
}

export class SerialExecutor implements BlockExecutor {
  async executeBlock(ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint): Promise<ExecutionResult> {
    return executeSerial(ctx, state, txs, senders, gasLimit);
  }
}
