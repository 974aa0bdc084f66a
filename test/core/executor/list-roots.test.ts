/**
 * Tx roots prefetched on the worker pool (import lookahead): the same root as
 * the main thread's, for blocks whose root a worker computed, whose job was
 * still queued when asked for, and whose worker died. Real worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { TxExecutor } from '../../../src/core/executor/executor.js';
import { orderedTrieRoot } from '../../../src/state/trie/ordered.js';
import { Transaction } from '../../../src/types/transaction.js';
import { faultyWorker } from './faulty-worker.js';
import { buildCase, CHAIN_ID } from './scenarios.js';

const block = (seed: number, n: number) => ({ transactions: buildCase(seed, 'random-mix', n).txs.map((tx) => Transaction.decode(tx.encode())) });
const expected = (b: { transactions: Transaction[] }) => bytesToHex(orderedTrieRoot(b.transactions.map((tx) => tx.encode())));

test('prefetched tx roots equal the main thread\'s, computed ahead or taken back from the queue', async () => {
  const exec = new TxExecutor({ parallel: true, workers: 1 });
  await exec.whenReady();
  try {
    const blocks = [block(1, 300), block(2, 200), block(3, 100)];
    exec.prefetch(blocks, CHAIN_ID);
    // Asked for in import order: the first is likely still queued behind the senders, the last computed by now.
    for (const b of blocks) assert.equal(bytesToHex(await exec.txRoot(b.transactions)), expected(b));
    // Never prefetched, or below the job size: computed here.
    const small = block(4, 10);
    exec.prefetch([small], CHAIN_ID);
    assert.equal(bytesToHex(await exec.txRoot(small.transactions)), expected(small));
    assert.deepEqual(exec.stats.fallbacks, {});
  } finally {
    await exec.close();
  }
});

test('a worker that dies during a prefetched tx root: the root is still right, the fallback counted', async () => {
  const w = faultyWorker('exit');
  const exec = new TxExecutor({ parallel: true, workers: 1, workerUrl: w.workerUrl, workerData: w.workerData });
  await exec.whenReady();
  try {
    const b = block(5, 200);
    // Senders first, so the root is the only job: the armed fault hits it.
    b.transactions.forEach((tx) => tx.sender(CHAIN_ID));
    w.arm();
    exec.prefetch([b], CHAIN_ID);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(bytesToHex(await exec.txRoot(b.transactions)), expected(b));
    assert.ok((exec.stats.fallbacks['worker-exit'] ?? 0) >= 1, JSON.stringify(exec.stats.fallbacks));
  } finally {
    await exec.close();
  }
});
