/**
 * The block gas pool: gas still available to transactions of the block. A tx
 * reserves its whole gasLimit before running and returns what it did not use,
 * so fitting is decided by the declared gas at the tx's turn (execution.md §3).
 */
import { GasLimitReachedError } from './errors.js';

export class GasPool {
  constructor(public gas: bigint) {}

  subGas(amount: bigint): void {
    if (this.gas < amount) throw new GasLimitReachedError(this.gas, amount);
    this.gas -= amount;
  }

  addGas(amount: bigint): void {
    this.gas += amount;
  }
}
