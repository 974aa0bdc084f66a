/**
 * The header fee rules clique checks and the miner reuses: EIP-1559 base fee
 * (geth's TestCalcBaseFee table, the boundary cases, and @ethereumjs/block's
 * calcNextBaseFee on random parents), gas limit bounds (geth's
 * TestBlockGasLimits, London transition included) and the miner's gas limit
 * step (geth's TestCalcGasLimit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockHeader } from '@ethereumjs/block';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { BaseFeeError, calcBaseFee, INITIAL_BASE_FEE, verifyEip1559Header } from '../../../src/consensus/eip1559.js';
import { calcGasLimit, GasLimitError, verifyGasLimit } from '../../../src/consensus/gaslimit.js';
import type { Header } from '../../../src/types/header.js';
import { Rng } from '../../../tools/workload/rng.js';
import { childHeader, makeGenesis } from './harness.js';

const parent = (baseFee: bigint | undefined, gasLimit: bigint, gasUsed: bigint) => ({ baseFee, gasLimit, gasUsed });

test('calcBaseFee: geth table and boundaries', () => {
  // geth consensus/misc TestCalcBaseFee
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 20_000_000n, 10_000_000n)), INITIAL_BASE_FEE, 'usage == target');
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 20_000_000n, 9_000_000n)), 987_500_000n, 'usage below target');
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 20_000_000n, 11_000_000n)), 1_012_500_000n, 'usage above target');
  // An empty parent: -1/8.
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 20_000_000n, 0n)), 875_000_000n);
  // A full parent: +1/8.
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 20_000_000n, 20_000_000n)), 1_125_000_000n);
  // Above target, the increase is at least 1 wei even when the delta rounds to 0.
  assert.equal(calcBaseFee(parent(7n, 20_000_000n, 10_000_001n)), 8n);
  assert.equal(calcBaseFee(parent(0n, 20_000_000n, 20_000_000n)), 1n);
  // Below target, it can reach 0 and stays there.
  assert.equal(calcBaseFee(parent(7n, 20_000_000n, 0n)), 7n, '7/8 rounds to 0: unchanged');
  assert.equal(calcBaseFee(parent(8n, 20_000_000n, 0n)), 7n);
  assert.equal(calcBaseFee(parent(0n, 20_000_000n, 0n)), 0n);
  // The first London block (parent without a base fee) starts at 1 gwei.
  assert.equal(calcBaseFee(parent(undefined, 20_000_000n, 20_000_000n)), INITIAL_BASE_FEE);
  // An odd gas limit: target = floor(limit / 2).
  assert.equal(calcBaseFee(parent(INITIAL_BASE_FEE, 30_000_001n, 15_000_000n)), INITIAL_BASE_FEE);
});

test('calcBaseFee agrees with @ethereumjs/block calcNextBaseFee on random parents', () => {
  const common = createCustomCommon({ chainId: 1 }, Mainnet, { hardfork: Hardfork.London });
  const rng = new Rng(1559);
  for (let i = 0; i < 500; i++) {
    const gasLimit = 5000n + rng.bigint(100_000_000n);
    const gasUsed = rng.bool(0.1) ? gasLimit / 2n : rng.bool(0.1) ? gasLimit : rng.bigint(gasLimit);
    const baseFee = rng.bool(0.1) ? rng.bigint(16n) : rng.bigint(10n ** 15n);
    const ej = createBlockHeader({ number: 1n, gasLimit, gasUsed, baseFeePerGas: baseFee }, { common });
    assert.equal(calcBaseFee(parent(baseFee, gasLimit, gasUsed)), ej.calcNextBaseFee(), `seed 1559 case ${i}: ${baseFee} ${gasLimit} ${gasUsed}`);
  }
});

test('gas limit bounds: geth TestBlockGasLimits (London transition doubles the parent limit)', () => {
  const cases: [bigint, boolean, bigint, boolean][] = [
    // parent gas limit, parent is London, header gas limit, ok
    [10_000_000n, false, 20_000_000n, true], // no change
    [10_000_000n, false, 20_019_530n, true], // upper limit
    [10_000_000n, false, 20_019_531n, false], // upper +1
    [10_000_000n, false, 19_980_470n, true], // lower limit
    [10_000_000n, false, 19_980_469n, false], // lower limit -1
    [20_000_000n, true, 20_000_000n, true],
    [20_000_000n, true, 20_019_530n, true],
    [20_000_000n, true, 20_019_531n, false],
    [20_000_000n, true, 19_980_470n, true],
    [20_000_000n, true, 19_980_469n, false],
    [40_000_000n, true, 40_039_061n, true],
    [40_000_000n, true, 40_039_062n, false],
    [40_000_000n, true, 39_960_939n, true],
    [40_000_000n, true, 39_960_938n, false],
  ];
  for (const [pLimit, london, limit, ok] of cases) {
    const p: Header = makeGenesis([], { gasLimit: pLimit, gasUsed: pLimit / 2n, baseFee: london ? INITIAL_BASE_FEE : undefined });
    const h = childHeader(p, { gasLimit: limit, baseFee: INITIAL_BASE_FEE });
    const run = () => verifyEip1559Header(p, h);
    if (ok) run();
    else assert.throws(run, GasLimitError, `${pLimit} → ${limit}`);
  }
  assert.throws(() => verifyGasLimit(5000n, 4999n), GasLimitError);
  verifyGasLimit(5000n, 5003n);
  assert.throws(() => verifyGasLimit(5000n, 5004n), GasLimitError);
});

test('verifyEip1559Header: base fee present and exact', () => {
  const p = makeGenesis([], { gasLimit: 30_000_000n, gasUsed: 20_000_000n });
  const want = calcBaseFee(p);
  verifyEip1559Header(p, childHeader(p, { baseFee: want }));
  assert.throws(() => verifyEip1559Header(p, childHeader(p, { baseFee: want + 1n })), BaseFeeError);
  assert.throws(() => verifyEip1559Header(p, childHeader(p, { baseFee: undefined })), BaseFeeError);
});

test('calcGasLimit: geth TestCalcGasLimit (one step of parent/1024 - 1 toward the target)', () => {
  for (const [pLimit, max, min] of [[20_000_000n, 20_019_530n, 19_980_470n], [40_000_000n, 40_039_061n, 39_960_939n]] as const) {
    assert.equal(calcGasLimit(pLimit, 2n * pLimit), max, 'increase');
    assert.equal(calcGasLimit(pLimit, 0n), min, 'decrease');
    assert.equal(calcGasLimit(pLimit, pLimit - 1n), pLimit - 1n, 'small decrease');
    assert.equal(calcGasLimit(pLimit, pLimit + 1n), pLimit + 1n, 'small increase');
    assert.equal(calcGasLimit(pLimit, pLimit), pLimit, 'no change');
    // Every step is one verifyGasLimit accepts.
    verifyGasLimit(pLimit, calcGasLimit(pLimit, 2n * pLimit));
    verifyGasLimit(pLimit, calcGasLimit(pLimit, 0n));
  }
  assert.equal(calcGasLimit(6000n, 0n), 5996n, 'a step of 6000/1024 - 1 = 4');
  assert.equal(calcGasLimit(5002n, 0n), 5000n);
});
