/**
 * Typed errors of transaction pre-checks (execution.md §3 steps 1–5 and 9).
 * Any of these means the transaction is invalid: a block containing it is
 * invalid, and the miner skips it. The miner's policy is a switch over these
 * classes (go-ethereum's ErrNonceTooLow, ErrGasLimitReached, ...).
 */

export abstract class InvalidTxError extends Error {
  abstract readonly code: string;
}

export class NonceTooLowError extends InvalidTxError {
  override name = 'NonceTooLowError';
  readonly code = 'nonce-too-low';
  constructor(readonly have: bigint, readonly want: bigint) {
    super(`nonce too low: tx nonce ${have}, state nonce ${want}`);
  }
}

export class NonceTooHighError extends InvalidTxError {
  override name = 'NonceTooHighError';
  readonly code = 'nonce-too-high';
  constructor(readonly have: bigint, readonly want: bigint) {
    super(`nonce too high: tx nonce ${have}, state nonce ${want}`);
  }
}

export class NonceMaxError extends InvalidTxError {
  override name = 'NonceMaxError';
  readonly code = 'nonce-max';
  constructor() {
    super('nonce has max value');
  }
}

export class SenderNotEoaError extends InvalidTxError {
  override name = 'SenderNotEoaError';
  readonly code = 'sender-not-eoa';
  constructor(readonly sender: string) {
    super(`sender not an eoa: ${sender}`);
  }
}

export class FeeCapTooLowError extends InvalidTxError {
  override name = 'FeeCapTooLowError';
  readonly code = 'fee-cap-too-low';
  constructor(readonly feeCap: bigint, readonly baseFee: bigint) {
    super(`max fee per gas less than block base fee: maxFeePerGas ${feeCap}, baseFee ${baseFee}`);
  }
}

export class TipAboveFeeCapError extends InvalidTxError {
  override name = 'TipAboveFeeCapError';
  readonly code = 'tip-above-fee-cap';
  constructor(readonly tip: bigint, readonly feeCap: bigint) {
    super(`max priority fee per gas higher than max fee per gas: tip ${tip}, feeCap ${feeCap}`);
  }
}

export class FeeTooLargeError extends InvalidTxError {
  override name = 'FeeTooLargeError';
  readonly code = 'fee-too-large';
  constructor(field: string) {
    super(`${field} bit length exceeds 256`);
  }
}

export class InsufficientFundsError extends InvalidTxError {
  override name = 'InsufficientFundsError';
  readonly code = 'insufficient-funds';
  constructor(readonly have: bigint, readonly want: bigint) {
    super(`insufficient funds for gas * price + value: have ${have} want ${want}`);
  }
}

export class InsufficientFundsForTransferError extends InvalidTxError {
  override name = 'InsufficientFundsForTransferError';
  readonly code = 'insufficient-funds-for-transfer';
  constructor() {
    super('insufficient funds for transfer');
  }
}

export class GasLimitReachedError extends InvalidTxError {
  override name = 'GasLimitReachedError';
  readonly code = 'gas-limit-reached';
  constructor(readonly available: bigint, readonly wanted: bigint) {
    super(`gas limit reached: block has ${available} left, tx wants ${wanted}`);
  }
}

export class IntrinsicGasError extends InvalidTxError {
  override name = 'IntrinsicGasError';
  readonly code = 'intrinsic-gas';
  constructor(readonly have: bigint, readonly want: bigint) {
    super(`intrinsic gas too low: have ${have}, want ${want}`);
  }
}

/** A block that fails while executing: which tx, and why. */
export class BlockExecutionError extends Error {
  override name = 'BlockExecutionError';
  constructor(readonly txIndex: number, readonly txHash: string, override readonly cause: Error) {
    super(`could not apply tx ${txIndex} [${txHash}]: ${cause.message}`);
  }
}
