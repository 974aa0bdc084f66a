/**
 * Sender recovery wanted now (an RPC batch): the main thread keeps the share
 * that balances it with what the workers already hold, and the senders are
 * the serial path's either way. Real worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { SenderRecovery } from '../../../src/core/executor/pool/sender-recovery.js';
import { WorkerPool } from '../../../src/core/executor/pool/worker-pool.js';
import { Transaction } from '../../../src/types/transaction.js';
import { buildCase, CHAIN_ID } from './scenarios.js';

const fresh = (seed: number, n: number) => {
  const c = buildCase(seed, 'random-mix', n);
  return { txs: c.txs.map((tx) => Transaction.decode(tx.encode())), senders: c.senders.map((s) => bytesToHex(s)) };
};

test('an idle pool gets most of a batch wanted now; a busy one gets none of it', async () => {
  const pool = new WorkerPool({ size: 1 });
  await pool.whenReady();
  try {
    const rec = new SenderRecovery(pool, 64, () => assert.fail('no fallback expected'));
    const a = fresh(1, 200);
    const pa = rec.recover(a.txs, CHAIN_ID);
    // The main thread counts as a quarter of a worker: 200 × 0.25 / 1.25 = 40 stay here, the worker holds 160.
    assert.equal(pool.backlog, 160);
    assert.deepEqual((await pa).map((s) => bytesToHex(s)), a.senders);
    assert.equal(pool.backlog, 0);

    const ahead = fresh(2, 1000);
    rec.prefetch(ahead.txs, CHAIN_ID);
    assert.equal(pool.backlog, 1000);
    const b = fresh(3, 200);
    const pb = rec.recover(b.txs, CHAIN_ID);
    // (1000 + 200) × 0.25 / 1.25 = 240 ≥ 200: the worker would finish its 1000 after the main thread finished all 200.
    assert.equal(pool.backlog, 1000);
    assert.deepEqual((await pb).map((s) => bytesToHex(s)), b.senders);
    assert.deepEqual((await rec.recover(ahead.txs, CHAIN_ID)).map((s) => bytesToHex(s)), ahead.senders);
  } finally {
    await pool.close();
  }
});

test('a bad signature in a shared batch raises the serial error; the rest are recovered', async () => {
  const pool = new WorkerPool({ size: 1 });
  await pool.whenReady();
  try {
    const rec = new SenderRecovery(pool, 64, () => undefined);
    const a = fresh(4, 200);
    const other = a.txs.map((tx) => Transaction.decode(tx.encode()));
    // Another chain id fails every tx on both sides of the split, with the serial path's class.
    let serialErr: Error | undefined;
    try {
      other[0]!.sender(CHAIN_ID + 1n);
    } catch (e) {
      serialErr = e as Error;
    }
    await assert.rejects(rec.recover(other, CHAIN_ID + 1n), (e: Error) => e.constructor === serialErr!.constructor);
    assert.deepEqual((await rec.recover(a.txs, CHAIN_ID)).map((s) => bytesToHex(s)), a.senders);
  } finally {
    await pool.close();
  }
});
