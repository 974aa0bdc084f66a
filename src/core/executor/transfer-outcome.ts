/**
 * What a plain transfer does to balances, as a pure function of the tx and
 * its prechecked price: execution.md §3 steps 4, 5, 9, 10 and 11 folded
 * together. For a transfer-lane tx (no data, recipient without code) gas used
 * is exactly the intrinsic gas, so the net effect on the sender is
 * gasUsed × price + value, and the author earns gasUsed × tip.
 */
import { TX_ACCESS_LIST_ADDRESS_GAS, TX_ACCESS_LIST_STORAGE_KEY_GAS } from '../execution/intrinsic-gas.js';

export interface TransferInput {
  gasLimit: bigint;
  /** Effective gas price (legacy gasPrice; 1559 min(feeCap, baseFee + tip)). */
  price: bigint;
  /** Effective tip for the author. */
  tip: bigint;
  value: bigint;
  accessAddresses: number;
  accessKeys: number;
}

export interface TransferOutcome {
  gasUsed: bigint;
  /** Total debit of the sender: gasUsed × price + value. */
  debit: bigint;
  /** Credit of the author. */
  fee: bigint;
}

export function transferOutcome(t: TransferInput, txGas: bigint): TransferOutcome {
  const gasUsed = txGas + BigInt(t.accessAddresses) * TX_ACCESS_LIST_ADDRESS_GAS + BigInt(t.accessKeys) * TX_ACCESS_LIST_STORAGE_KEY_GAS;
  return { gasUsed, debit: gasUsed * t.price + t.value, fee: gasUsed * t.tip };
}
