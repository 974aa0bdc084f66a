/**
 * Gas limit bounds (go-ethereum 1.10.25 misc.VerifyGaslimit and
 * core.CalcGasLimit): a block may move its limit by less than parent/1024,
 * never below 5000, never above 2^63-1; the miner steps toward its target by
 * at most parent/1024 − 1 per block.
 */

export const GAS_LIMIT_BOUND_DIVISOR = 1024n;
export const MIN_GAS_LIMIT = 5000n;
export const MAX_GAS_LIMIT = 0x7fffffffffffffffn;

export class GasLimitError extends Error {
  override name = 'GasLimitError';
}

export function verifyGasLimit(parentGasLimit: bigint, headerGasLimit: bigint): void {
  const diff = parentGasLimit > headerGasLimit ? parentGasLimit - headerGasLimit : headerGasLimit - parentGasLimit;
  const limit = parentGasLimit / GAS_LIMIT_BOUND_DIVISOR;
  if (diff >= limit) throw new GasLimitError(`invalid gas limit: have ${headerGasLimit}, want ${parentGasLimit} +-= ${limit - 1n}`);
  if (headerGasLimit < MIN_GAS_LIMIT) throw new GasLimitError(`invalid gas limit below ${MIN_GAS_LIMIT}`);
}

/** The miner's next gas limit: one step (parent/1024 − 1) toward the desired limit (go-ethereum's CalcGasLimit). */
export function calcGasLimit(parentGasLimit: bigint, desired: bigint): bigint {
  const delta = parentGasLimit / GAS_LIMIT_BOUND_DIVISOR - 1n;
  const want = desired < MIN_GAS_LIMIT ? MIN_GAS_LIMIT : desired;
  if (parentGasLimit < want) {
    const l = parentGasLimit + delta;
    return l > want ? want : l;
  }
  if (parentGasLimit > want) {
    const l = parentGasLimit - delta;
    return l < want ? want : l;
  }
  return parentGasLimit;
}
