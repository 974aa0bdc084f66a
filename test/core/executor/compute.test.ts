/**
 * The worker-answer check of the compute phase: only outcomes equal to the
 * shared pure function's, tx by tx, are accepted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeInline, outcomesFit } from '../../../src/core/executor/compute.js';
import type { TransferInput } from '../../../src/core/executor/transfer-outcome.js';

const TX_GAS = 21_000n;
const inputs: TransferInput[] = [
  { gasLimit: 21_000n, price: 7n, tip: 2n, value: 100n, accessAddresses: 0, accessKeys: 0 },
  { gasLimit: 50_000n, price: 9n, tip: 1n, value: 5n, accessAddresses: 1, accessKeys: 2 },
];

test('outcomesFit accepts exactly the pure function outcomes', () => {
  assert.equal(outcomesFit(inputs, computeInline(inputs, TX_GAS), TX_GAS), true);
});

test('outcomesFit rejects a wrong count or any differing field', () => {
  const good = computeInline(inputs, TX_GAS);
  assert.equal(outcomesFit(inputs, good.slice(1), TX_GAS), false);
  for (const field of ['gasUsed', 'debit', 'fee'] as const) {
    const bad = good.map((o) => ({ ...o }));
    bad[1]![field] += 1n;
    assert.equal(outcomesFit(inputs, bad, TX_GAS), false, field);
  }
});
