/** EIP-1559 base fee (elasticity 2, change denominator 8; London is active from genesis). */
import type { Header } from '../core/types/header.js';

export const ELASTICITY_MULTIPLIER = 2n;
export const BASE_FEE_CHANGE_DENOMINATOR = 8n;
export const INITIAL_BASE_FEE = 1_000_000_000n;

export function calcBaseFee(parent: Header): bigint {
  if (parent.baseFee === undefined) return INITIAL_BASE_FEE;
  const target = parent.gasLimit / ELASTICITY_MULTIPLIER;
  if (target === 0n || parent.gasUsed === target) return parent.baseFee;
  if (parent.gasUsed > target) {
    const delta = (parent.baseFee * (parent.gasUsed - target)) / target / BASE_FEE_CHANGE_DENOMINATOR;
    return parent.baseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parent.baseFee * (target - parent.gasUsed)) / target / BASE_FEE_CHANGE_DENOMINATOR;
  return parent.baseFee > delta ? parent.baseFee - delta : 0n;
}
