/**
 * Intrinsic gas of a transaction (execution.md §3 step 5): pure, shared by the
 * state transition, the parallel executor's workers and the txpool.
 */
import type { AccessListItem } from '../../types/transaction.js';

export const TX_DATA_NON_ZERO_GAS = 16n;
export const TX_DATA_ZERO_GAS = 4n;
export const TX_ACCESS_LIST_ADDRESS_GAS = 2400n;
export const TX_ACCESS_LIST_STORAGE_KEY_GAS = 1900n;

export function intrinsicGas(data: Uint8Array, accessList: readonly AccessListItem[], txGas: bigint): bigint {
  let gas = txGas;
  if (data.length > 0) {
    let nz = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) nz++;
    gas += BigInt(nz) * TX_DATA_NON_ZERO_GAS + BigInt(data.length - nz) * TX_DATA_ZERO_GAS;
  }
  for (const item of accessList) {
    gas += TX_ACCESS_LIST_ADDRESS_GAS + BigInt(item.storageKeys.length) * TX_ACCESS_LIST_STORAGE_KEY_GAS;
  }
  return gas;
}
