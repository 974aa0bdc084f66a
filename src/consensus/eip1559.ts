/**
 * EIP-1559 header rules (go-ethereum 1.10.25 consensus/misc/eip1559.go):
 * the base fee of the next block (elasticity 2, change denominator 8,
 * initial 1 gwei at the London block) and the header check built on it.
 * Pure functions: the miner, RPC (fee history, estimates) and clique share them.
 * "London" here means "has a baseFee": GTOS activates London at genesis, so
 * only a pre-London parent (no baseFee) takes the fork-transition branch.
 */
import type { Header } from '../types/header.js';
import { verifyGasLimit } from './gaslimit.js';

export const ELASTICITY_MULTIPLIER = 2n;
export const BASE_FEE_CHANGE_DENOMINATOR = 8n;
export const INITIAL_BASE_FEE = 1_000_000_000n;

export class BaseFeeError extends Error {
  override name = 'BaseFeeError';
}

/** The base fee a child of `parent` must carry. */
export function calcBaseFee(parent: Pick<Header, 'baseFee' | 'gasLimit' | 'gasUsed'>): bigint {
  // The first London block starts at the initial base fee.
  if (parent.baseFee === undefined) return INITIAL_BASE_FEE;
  const target = parent.gasLimit / ELASTICITY_MULTIPLIER;
  // target == 0 would divide by zero (geth would panic); a valid chain never
  // has it (gas limit >= 5000), so keep the fee rather than crash on it.
  if (target === 0n || parent.gasUsed === target) return parent.baseFee;
  if (parent.gasUsed > target) {
    const delta = (parent.baseFee * (parent.gasUsed - target)) / target / BASE_FEE_CHANGE_DENOMINATOR;
    return parent.baseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parent.baseFee * (target - parent.gasUsed)) / target / BASE_FEE_CHANGE_DENOMINATOR;
  return parent.baseFee > delta ? parent.baseFee - delta : 0n;
}

/**
 * geth's VerifyEip1559Header: the gas limit stays within bounds of the parent's
 * (doubled across the London transition, where the target halves the limit),
 * and the base fee is present and exactly calcBaseFee(parent).
 * Throws GasLimitError or BaseFeeError.
 */
export function verifyEip1559Header(parent: Header, header: Header): void {
  const parentGasLimit = parent.baseFee === undefined ? parent.gasLimit * ELASTICITY_MULTIPLIER : parent.gasLimit;
  verifyGasLimit(parentGasLimit, header.gasLimit);
  if (header.baseFee === undefined) throw new BaseFeeError('header is missing baseFee');
  const want = calcBaseFee(parent);
  if (header.baseFee !== want) {
    throw new BaseFeeError(`invalid baseFee: have ${header.baseFee}, want ${want}, parentBaseFee ${parent.baseFee}, parentGasUsed ${parent.gasUsed}`);
  }
}
