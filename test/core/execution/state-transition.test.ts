/**
 * execution.md §3, rule by rule, against the serial reference: every
 * pre-check failure has its typed error; included txs follow the gas,
 * refund, fee, EIP-158 and status-0 rules; system actions follow §4's gas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asAddress, type Address } from '../../../src/crypto/primitives.js';
import { utf8ToBytes } from '../../../src/crypto/bytes.js';
import { applyTransaction, type BlockContext } from '../../../src/core/execution/state-transition.js';
import { GasPool } from '../../../src/core/execution/gas-pool.js';
import {
  FeeCapTooLowError, GasLimitReachedError, InsufficientFundsError, IntrinsicGasError, NonceMaxError, NonceTooHighError,
  NonceTooLowError, SenderNotEoaError, TipAboveFeeCapError,
} from '../../../src/core/execution/errors.js';
import { intrinsicGas } from '../../../src/core/execution/intrinsic-gas.js';
import { signTransaction } from '../../../src/types/transaction.js';
import { StateDB } from '../../../src/state/statedb/statedb.js';
import { StateDatabase } from '../../../src/state/statedb/state-database.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { EMPTY_ROOT } from '../../../src/state/trie/trie.js';
import { STAKING_ADDRESS, SYSTEM_ACTION_ADDRESS } from '../../../src/sysaction/addresses.js';
import { testAccount, transfer } from '../../../tools/workload/accounts.js';

const ETHER = 10n ** 18n;
const BASE = 1_000_000_000n;
const author = testAccount('st-author').address;
const ctx = (txGas = 21000n): BlockContext => ({ author, number: 10n, time: 1n, baseFee: BASE, config: { chainId: 1337n, clique: { period: 1n, epoch: 30000n }, txGas, raw: {} } });

function fresh(balance = 10n * ETHER) {
  const state = new StateDB(EMPTY_ROOT, new StateDatabase(new MemoryDatabase()));
  const a = testAccount(`st-${Math.random()}`);
  state.addBalance(a.address, balance);
  state.finalise(true);
  return { state, a };
}

const newAddr = (b: number) => asAddress(new Uint8Array(20).fill(b));

test('nonce too low, too high and at max are typed errors', () => {
  const { state, a } = fresh();
  state.setNonce(a.address, 3n);
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { nonce: 2n }), a.address, new GasPool(10n ** 7n), 0n), NonceTooLowError);
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { nonce: 4n }), a.address, new GasPool(10n ** 7n), 0n), NonceTooHighError);
  const max = (1n << 64n) - 1n;
  state.setNonce(a.address, max);
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { nonce: max }), a.address, new GasPool(10n ** 7n), 0n), NonceMaxError);
});

test('a sender with code is refused', () => {
  const { state, a } = fresh();
  state.setCode(a.address, Uint8Array.of(0x60, 0));
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n), a.address, new GasPool(10n ** 7n), 0n), SenderNotEoaError);
});

test('fee rules: cap below base fee, tip above cap', () => {
  const { state, a } = fresh();
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { maxFeePerGas: BASE - 1n, maxPriorityFeePerGas: 0n }), a.address, new GasPool(10n ** 7n), 0n), FeeCapTooLowError);
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { nonce: 0n, type: 0, gasPrice: BASE - 1n }), a.address, new GasPool(10n ** 7n), 0n), FeeCapTooLowError);
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { nonce: 0n, maxFeePerGas: 2n * BASE, maxPriorityFeePerGas: 2n * BASE + 1n }), a.address, new GasPool(10n ** 7n), 0n), TipAboveFeeCapError);
});

test('buying gas needs gas × feeCap + value, exactly', () => {
  const need = 21000n * 3n * BASE + 5n;
  for (const [bal, ok] of [[need, true], [need - 1n, false]] as const) {
    const { state, a } = fresh(bal);
    const tx = transfer(a, newAddr(1), 5n, 1337n, { maxFeePerGas: 3n * BASE, maxPriorityFeePerGas: 1n });
    if (ok) assert.equal(applyTransaction(ctx(), state, tx, a.address, new GasPool(10n ** 7n), 0n).receipt.status, 1);
    else assert.throws(() => applyTransaction(ctx(), state, tx, a.address, new GasPool(10n ** 7n), 0n), InsufficientFundsError);
  }
});

test('the block gas pool is checked against declared gas and refunded with what is unused', () => {
  const { state, a } = fresh();
  const gp = new GasPool(100_000n);
  const r = applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { gasLimit: 100_000n }), a.address, gp, 0n);
  assert.equal(r.gasUsed, 21000n);
  assert.equal(gp.gas, 79_000n, 'unused gas goes back to the block');
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { gasLimit: 79_001n }), a.address, gp, 0n), GasLimitReachedError);
});

test('intrinsic gas: txGas + 16/4 per data byte + 2400 per access-list address + 1900 per key', () => {
  assert.equal(intrinsicGas(Uint8Array.of(0, 1, 0, 2), [], 21000n), 21000n + 16n * 2n + 4n * 2n);
  assert.equal(intrinsicGas(new Uint8Array(0), [{ address: newAddr(1), storageKeys: [new Uint8Array(32) as never, new Uint8Array(32) as never] }], 3000n), 3000n + 2400n + 3800n);
  const { state, a } = fresh();
  assert.throws(() => applyTransaction(ctx(), state, transfer(a, newAddr(1), 1n, 1337n, { gasLimit: 20_999n }), a.address, new GasPool(10n ** 7n), 0n), IntrinsicGasError);
  const { state: s2, a: a2 } = fresh();
  assert.equal(applyTransaction(ctx(3000n), s2, transfer(a2, newAddr(1), 1n, 1337n, { gasLimit: 3000n }), a2.address, new GasPool(10n ** 7n), 0n).gasUsed, 3000n, 'GTOS txGas');
});

test('a transfer: sender pays gasUsed × price + value, the author earns gasUsed × tip, the base fee is burnt', () => {
  const { state, a } = fresh();
  const before = state.getBalance(a.address);
  const tip = 2n * BASE;
  const tx = transfer(a, newAddr(9), 7n, 1337n, { gasLimit: 50_000n, maxFeePerGas: 5n * BASE, maxPriorityFeePerGas: tip });
  const r = applyTransaction(ctx(), state, tx, a.address, new GasPool(10n ** 7n), 100n);
  assert.equal(r.receipt.status, 1);
  assert.equal(r.receipt.cumulativeGasUsed, 100n + 21000n);
  assert.equal(state.getBalance(a.address), before - 21000n * (BASE + tip) - 7n);
  assert.equal(state.getBalance(newAddr(9)), 7n);
  assert.equal(state.getBalance(author), 21000n * tip);
  assert.equal(state.getNonce(a.address), 1n);
  // Legacy: the tip is gasPrice − baseFee.
  const { state: s2, a: a2 } = fresh();
  applyTransaction(ctx(), s2, transfer(a2, newAddr(9), 0n, 1337n, { type: 0, gasPrice: 3n * BASE }), a2.address, new GasPool(10n ** 7n), 0n);
  assert.equal(s2.getBalance(author), 21000n * 2n * BASE);
});

test('EIP-158: a zero-value transfer to a new address leaves no account; an empty touched account is deleted', () => {
  const { state, a } = fresh();
  applyTransaction(ctx(), state, transfer(a, newAddr(3), 0n, 1337n), a.address, new GasPool(10n ** 7n), 0n);
  assert.equal(state.exist(newAddr(3)), false);
  const root1 = state.intermediateRoot(true);
  const { state: s2, a: a2 } = fresh();
  s2.setNonce(a2.address, 0n);
  applyTransaction(ctx(), s2, transfer(a2, newAddr(4), 1n, 1337n), a2.address, new GasPool(10n ** 7n), 0n);
  assert.equal(s2.exist(newAddr(4)), true);
  assert.notDeepEqual(root1, s2.intermediateRoot(true));
});

test('contract creation, data to a plain address, and calls to code are included with status 0 and move no value', () => {
  const { state, a } = fresh();
  const code = newAddr(0xcc);
  state.setCode(code, Uint8Array.of(0x60, 0));
  state.finalise(true);
  const bal = state.getBalance(a.address);
  const r1 = applyTransaction(ctx(), state, transfer(a, null, 5n, 1337n, { gasLimit: 60_000n }), a.address, new GasPool(10n ** 7n), 0n);
  const r2 = applyTransaction(ctx(), state, transfer(a, newAddr(5), 5n, 1337n, { gasLimit: 60_000n, data: Uint8Array.of(1, 0) }), a.address, new GasPool(10n ** 7n), 0n);
  const r3 = applyTransaction(ctx(), state, transfer(a, code, 5n, 1337n, { gasLimit: 60_000n }), a.address, new GasPool(10n ** 7n), 0n);
  for (const r of [r1, r2, r3]) assert.equal(r.receipt.status, 0);
  assert.deepEqual([r1.failure?.kind, r2.failure?.kind, r3.failure?.kind], ['contract-creation', 'contract-execution', 'contract-execution']);
  assert.equal(r2.gasUsed, 21000n + 16n + 4n);
  assert.equal(state.getNonce(a.address), 3n, 'nonces are still charged');
  assert.equal(state.getBalance(newAddr(5)), 0n);
  assert.equal(state.getBalance(code), 0n);
  const gas = r1.gasUsed + r2.gasUsed + r3.gasUsed;
  assert.equal(state.getBalance(a.address), bal - gas * 2n * BASE, 'only gas was paid');
});

test('system actions: intrinsic + 100000 gas; too little gas uses all of it and runs nothing; failures revert but charge', () => {
  const json = (o: unknown) => utf8ToBytes(JSON.stringify(o));
  const reg = json({ action: 'NODE_REGISTER', payload: { commission_bps: 100 } });
  const intrinsic = intrinsicGas(reg, [], 21000n);
  const { state, a } = fresh();
  const ok = applyTransaction(ctx(), state, transfer(a, SYSTEM_ACTION_ADDRESS, ETHER, 1337n, { data: reg, gasLimit: 300_000n }), a.address, new GasPool(10n ** 7n), 0n);
  assert.equal(ok.receipt.status, 1);
  assert.equal(ok.gasUsed, intrinsic + 100_000n);
  assert.equal(state.getBalance(STAKING_ADDRESS), ETHER, 'value moved once');
  const { state: s2, a: a2 } = fresh();
  const before = s2.getBalance(a2.address);
  const oog = applyTransaction(ctx(), s2, transfer(a2, SYSTEM_ACTION_ADDRESS, ETHER, 1337n, { data: reg, gasLimit: intrinsic + 99_999n }), a2.address, new GasPool(10n ** 7n), 0n);
  assert.equal(oog.receipt.status, 0);
  assert.equal(oog.gasUsed, intrinsic + 99_999n, 'all gas used');
  assert.equal(s2.getBalance(STAKING_ADDRESS), 0n, 'the action did not run');
  assert.equal(s2.getBalance(a2.address), before - (intrinsic + 99_999n) * 2n * BASE);
  const bad = json({ action: 'NODE_REGISTER', payload: { commission_bps: 9000 } });
  const { state: s3, a: a3 } = fresh();
  const b3 = s3.getBalance(a3.address);
  const fail = applyTransaction(ctx(), s3, transfer(a3, SYSTEM_ACTION_ADDRESS, ETHER, 1337n, { data: bad, gasLimit: 300_000n }), a3.address, new GasPool(10n ** 7n), 0n);
  assert.equal(fail.receipt.status, 0);
  assert.equal(fail.failure?.kind, 'sysaction');
  assert.equal(s3.getBalance(a3.address), b3 - fail.gasUsed * 2n * BASE, 'value stays with the sender, gas is charged');
  assert.equal(s3.getNonce(a3.address), 1n);
});

test('signTransaction refuses incomplete fee fields', () => {
  assert.throws(() => signTransaction({ type: 2, chainId: 1n, nonce: 0n, gasLimit: 21000n, to: null, value: 0n, data: new Uint8Array(0) }, testAccount('x').key), TypeError);
});

export type { Address };
