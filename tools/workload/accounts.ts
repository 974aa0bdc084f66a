/**
 * Test accounts and signed transactions: deterministic keys from a seed, and
 * helpers that sign legacy, EIP-2930 and EIP-1559 transfers and system actions.
 */
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js';
import { keccak256 } from '../../src/crypto/keccak.js';
import { utf8ToBytes } from '../../src/crypto/bytes.js';
import type { Address } from '../../src/crypto/primitives.js';
import { signTransaction, type Transaction, type TxType } from '../../src/types/transaction.js';

export interface TestAccount {
  key: Uint8Array;
  address: Address;
  nonce: bigint;
}

export function testAccount(label: string): TestAccount {
  const key = keccak256(utf8ToBytes(`gtos-test-${label}`));
  return { key, address: privateKeyToAddress(key), nonce: 0n };
}

export function testAccounts(prefix: string, n: number): TestAccount[] {
  return Array.from({ length: n }, (_, i) => testAccount(`${prefix}-${i}`));
}

export interface TransferOpts {
  type?: TxType;
  gasLimit?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  data?: Uint8Array;
  nonce?: bigint;
  chainId?: bigint;
}

/** Signs a tx from `from` (using and bumping its tracked nonce unless one is given). */
export function transfer(from: TestAccount, to: Address | null, value: bigint, chainId: bigint, o: TransferOpts = {}): Transaction {
  const type = o.type ?? 2;
  const nonce = o.nonce ?? from.nonce++;
  const gasLimit = o.gasLimit ?? 21000n;
  const tx = signTransaction(
    type === 2
      ? { type, chainId: o.chainId ?? chainId, nonce, maxFeePerGas: o.maxFeePerGas ?? 2_000_000_000n, maxPriorityFeePerGas: o.maxPriorityFeePerGas ?? 1_000_000_000n, gasLimit, to, value, data: o.data ?? new Uint8Array(0), accessList: [] }
      : { type, chainId: o.chainId ?? chainId, nonce, gasPrice: o.gasPrice ?? 2_000_000_000n, gasLimit, to, value, data: o.data ?? new Uint8Array(0), accessList: [] },
    from.key,
  );
  return tx;
}
