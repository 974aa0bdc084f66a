/**
 * The serial reference: one transaction applied to the state, step by step in
 * the order of execution.md §3. Every other execution path (the parallel
 * executor, the miner) is held to what this file does.
 *
 * Pre-check failures throw an InvalidTxError and may leave the state partly
 * changed (gas bought): callers either discard the block or revert to a
 * snapshot taken before the tx, as go-ethereum does.
 */
import { addressToHex, ZERO_HASH, type Address } from '../../crypto/primitives.js';
import { MAX_256 } from '../../crypto/bytes.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { EMPTY_CODE_HASH } from '../../state/statedb/account.js';
import { equalBytes } from '../../crypto/bytes.js';
import { SYSTEM_ACTION_ADDRESS, SYS_ACTION_GAS } from '../../sysaction/addresses.js';
import { executeSysAction } from '../../sysaction/executor.js';
import type { ChainConfig } from '../../types/chain-config.js';
import {
  FeeCapTooLowError, FeeTooLargeError, InsufficientFundsError, InsufficientFundsForTransferError,
  IntrinsicGasError, NonceMaxError, NonceTooHighError, NonceTooLowError, SenderNotEoaError, TipAboveFeeCapError,
} from './errors.js';
import type { GasPool } from './gas-pool.js';
import { intrinsicGas } from './intrinsic-gas.js';
import { EMPTY_BLOOM } from '../../types/header.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';

export const MAX_NONCE = (1n << 64n) - 1n;

/** What a transaction sees of its block. */
export interface BlockContext {
  /** The fee recipient: the clique signer of the block (never `coinbase`). */
  author: Address;
  number: bigint;
  time: bigint;
  baseFee: bigint | undefined;
  config: ChainConfig;
}

/** Why an included transaction got status 0. */
export type TxFailure =
  | { kind: 'contract-creation' }
  | { kind: 'contract-execution' }
  | { kind: 'sysaction-out-of-gas' }
  | { kind: 'sysaction'; code: string; message: string };

export interface TxResult {
  receipt: Receipt;
  gasUsed: bigint;
  failure: TxFailure | undefined;
}

/**
 * Steps 1–3: checks that read the state but do not change it. Shared with the
 * parallel executor's precheck so both paths reject with the same error.
 */
export function checkNonceAndFees(ctx: BlockContext, state: StateDB, tx: Transaction, from: Address): void {
  const stNonce = state.getNonce(from);
  if (stNonce < tx.nonce) throw new NonceTooHighError(tx.nonce, stNonce);
  if (stNonce > tx.nonce) throw new NonceTooLowError(tx.nonce, stNonce);
  if (stNonce === MAX_NONCE) throw new NonceMaxError();
  const codeHash = state.getCodeHash(from);
  if (!equalBytes(codeHash, EMPTY_CODE_HASH) && !equalBytes(codeHash, ZERO_HASH)) {
    throw new SenderNotEoaError(addressToHex(from));
  }
  checkFees(tx, ctx.baseFee);
}

/** The fee fields' own rules (no block needed): the pool checks these at admission, the RPC's dry runs too. */
export function checkFeeFields(tx: Pick<Transaction, 'maxFeePerGas' | 'maxPriorityFeePerGas'>): void {
  if (tx.maxFeePerGas > MAX_256) throw new FeeTooLargeError('maxFeePerGas');
  if (tx.maxPriorityFeePerGas > MAX_256) throw new FeeTooLargeError('maxPriorityFeePerGas');
  if (tx.maxFeePerGas < tx.maxPriorityFeePerGas) throw new TipAboveFeeCapError(tx.maxPriorityFeePerGas, tx.maxFeePerGas);
}

export function checkFees(tx: Transaction, baseFee: bigint | undefined): void {
  checkFeeFields(tx);
  if (baseFee !== undefined && tx.maxFeePerGas < baseFee) throw new FeeCapTooLowError(tx.maxFeePerGas, baseFee);
}

export function applyTransaction(
  ctx: BlockContext,
  state: StateDB,
  tx: Transaction,
  from: Address,
  gp: GasPool,
  cumulativeGasUsedBefore: bigint,
): TxResult {
  // 1–3. Nonce, sender is an EOA, fee rules.
  checkNonceAndFees(ctx, state, tx, from);

  // 4. Buy gas.
  const price = tx.effectiveGasPrice(ctx.baseFee);
  const have = state.getBalance(from);
  const want = tx.cost();
  if (have < want) throw new InsufficientFundsError(have, want);
  gp.subGas(tx.gasLimit);
  state.subBalance(from, tx.gasLimit * price);
  let gasLeft = tx.gasLimit;

  // 5. Intrinsic gas.
  const intrinsic = intrinsicGas(tx.data, tx.accessList, ctx.config.txGas);
  if (gasLeft < intrinsic) throw new IntrinsicGasError(gasLeft, intrinsic);
  gasLeft -= intrinsic;

  // 6. The tx is in the block from here on: bump the nonce.
  state.setNonce(from, tx.nonce + 1n);

  let failure: TxFailure | undefined;
  if (tx.to === null) {
    // 7.
    failure = { kind: 'contract-creation' };
  } else if (equalBytes(tx.to, SYSTEM_ACTION_ADDRESS)) {
    // 8. System action: fixed extra gas, then the handler (which snapshots,
    // moves the value to the staking address, and reverts itself on failure).
    if (gasLeft < SYS_ACTION_GAS) {
      gasLeft = 0n;
      failure = { kind: 'sysaction-out-of-gas' };
    } else {
      gasLeft -= SYS_ACTION_GAS;
      const res = executeSysAction({ state, from, value: tx.value, blockNumber: ctx.number, data: tx.data });
      if (!res.ok) failure = { kind: 'sysaction', code: res.error.code, message: res.error.message };
    }
  } else {
    // 9. Plain transfer.
    if (tx.value > state.getBalance(from)) throw new InsufficientFundsForTransferError();
    if (tx.data.length > 0 || state.getCodeSize(tx.to) > 0) {
      failure = { kind: 'contract-execution' };
    } else {
      state.subBalance(from, tx.value);
      state.addBalance(tx.to, tx.value);
    }
  }

  // 10. Refund what was not used, to the sender and to the block.
  const gasUsed = tx.gasLimit - gasLeft;
  state.addBalance(from, gasLeft * price);
  gp.addGas(gasLeft);

  // 11. The tip goes to the author; the base fee part is burnt.
  state.addBalance(ctx.author, gasUsed * tx.effectiveTip(ctx.baseFee));

  // 12. EIP-158.
  state.finalise(true);

  // 13.
  const receipt: Receipt = {
    type: tx.type,
    status: failure ? 0 : 1,
    cumulativeGasUsed: cumulativeGasUsedBefore + gasUsed,
    logsBloom: EMPTY_BLOOM,
    logs: [],
  };
  return { receipt, gasUsed, failure };
}
