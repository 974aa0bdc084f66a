/**
 * Fault injection: workers that throw, exit or hang mid-batch (a faulty worker
 * entry, faulty-worker.ts), and a corrupted merge (faulty-merge.ts), both
 * injected through TxExecutor's options. The block must still come out
 * identical to the serial reference, with the fallback (or the shadow
 * mismatch) counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { executeSerial } from '../../../src/core/execution/state-processor.js';
import { TxExecutor } from '../../../src/core/executor/executor.js';
import { ShadowMismatchError } from '../../../src/core/executor/shadow.js';
import { Transaction } from '../../../src/types/transaction.js';
import { switchableMerge } from './faulty-merge.js';
import { faultyWorker } from './faulty-worker.js';
import { buildCase, CHAIN_ID } from './scenarios.js';

async function runBoth(exec: TxExecutor, seed: number) {
  const c = buildCase(seed, 'no-overlap');
  const s1 = c.state.copy();
  const r1 = executeSerial(c.ctx, s1, c.txs, c.senders, c.gasLimit);
  const s2 = c.state.copy();
  const r2 = await exec.executeBlock(c.ctx, s2, c.txs, c.senders, c.gasLimit);
  assert.equal(bytesToHex(s2.intermediateRoot(true)), bytesToHex(s1.intermediateRoot(true)), `seed ${seed}: state root`);
  assert.equal(r2.gasUsed, r1.gasUsed);
  assert.equal(r2.receipts.length, r1.receipts.length);
}

for (const fault of ['throw', 'exit', 'hang'] as const) {
  test(`a worker that ${fault}s mid-batch: identical result, fallback counted, pool recovers`, async () => {
    const w = faultyWorker(fault);
    const exec = new TxExecutor({
      parallel: true, workers: 2, inlineBelow: 0, transferChunk: 4, batchMax: 64, jobTimeoutMs: fault === 'hang' ? 1500 : 30_000,
      workerUrl: w.workerUrl, workerData: w.workerData,
    });
    await exec.whenReady();
    try {
      await runBoth(exec, 1); // warm: no faults
      assert.deepEqual(exec.stats.fallbacks, {});
      w.arm();
      await runBoth(exec, 2);
      const reason = fault === 'throw' ? 'worker-error' : fault === 'exit' ? 'worker-exit' : 'worker-timeout';
      assert.ok((exec.stats.fallbacks[reason] ?? 0) >= 1, `fallback ${reason} counted: ${JSON.stringify(exec.stats.fallbacks)}`);
      assert.equal(exec.workerCount, 2, 'the failed worker was replaced');
      const before = JSON.stringify(exec.stats.fallbacks);
      await runBoth(exec, 3);
      assert.equal(JSON.stringify(exec.stats.fallbacks), before, 'no further fallbacks after replacement');
    } finally {
      await exec.close();
    }
  });
}

test('a worker that dies during sender recovery: senders still recovered, fallback counted', async () => {
  const w = faultyWorker('exit');
  const exec = new TxExecutor({ parallel: true, workers: 1, recoverChunk: 4, workerUrl: w.workerUrl, workerData: w.workerData });
  await exec.whenReady();
  try {
    const c = buildCase(4, 'no-overlap');
    const fresh = c.txs.map((tx) => Transaction.decode(tx.encode()));
    w.arm();
    const senders = await exec.recoverSenders(fresh, CHAIN_ID);
    assert.deepEqual(senders.map((s) => bytesToHex(s)), c.senders.map((s) => bytesToHex(s)));
    assert.ok((exec.stats.fallbacks['worker-exit'] ?? 0) >= 1);
  } finally {
    await exec.close();
  }
});

test('parallel sender recovery equals serial recovery and rejects bad signatures the same way', async () => {
  const exec = new TxExecutor({ parallel: true, workers: 2, recoverChunk: 5 });
  try {
    const c = buildCase(5, 'random-mix');
    const fresh = c.txs.map((tx) => Transaction.decode(tx.encode()));
    const senders = await exec.recoverSenders(fresh, CHAIN_ID);
    assert.deepEqual(senders.map((s) => bytesToHex(s)), c.senders.map((s) => bytesToHex(s)));
    // Another chain id: every tx is refused with the serial path's error class.
    const other = c.txs.map((tx) => Transaction.decode(tx.encode()));
    let serialErr: Error | undefined;
    try { other[0]!.sender(CHAIN_ID + 1n); } catch (e) { serialErr = e as Error; }
    const other2 = c.txs.map((tx) => Transaction.decode(tx.encode()));
    await assert.rejects(exec.recoverSenders(other2, CHAIN_ID + 1n), (e: Error) => e.constructor === serialErr!.constructor);
  } finally {
    await exec.close();
  }
});

test('shadow verification catches a corrupted merge, logs it, and keeps the serial result', async () => {
  const faulty = switchableMerge();
  const exec = new TxExecutor({ parallel: true, workers: 1, shadow: 1, batchMax: 64, merge: faulty.merge });
  try {
    const c = buildCase(6, 'no-overlap');
    const s1 = c.state.copy();
    executeSerial(c.ctx, s1, c.txs, c.senders, c.gasLimit);
    const s2 = c.state.copy();
    await exec.executeBlock(c.ctx, s2, c.txs, c.senders, c.gasLimit);
    assert.equal(exec.stats.shadowChecks, 1);
    assert.equal(exec.stats.shadowMismatches, 1);
    assert.equal(bytesToHex(s2.intermediateRoot(true)), bytesToHex(s1.intermediateRoot(true)), 'serial result kept');
    faulty.corrupt = false;
    await exec.executeBlock(c.ctx, c.state.copy(), c.txs, c.senders, c.gasLimit);
    assert.equal(exec.stats.shadowChecks, 2);
    assert.equal(exec.stats.shadowMismatches, 1, 'a correct merge is not flagged');
  } finally {
    await exec.close();
  }
});

test('shadow verification stops the block when configured to halt', async () => {
  const exec = new TxExecutor({ parallel: true, workers: 1, shadow: 1, shadowHalt: true, batchMax: 64, merge: switchableMerge().merge });
  try {
    const c = buildCase(7, 'no-overlap');
    await assert.rejects(exec.executeBlock(c.ctx, c.state.copy(), c.txs, c.senders, c.gasLimit), ShadowMismatchError);
  } finally {
    await exec.close();
  }
});
