/**
 * The sealing loop: with period 0 it seals when txs are pending, and seals
 * nothing while held (the node is syncing), resuming when the hold lifts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asAddress } from '../../src/crypto/primitives.js';
import { TxExecutor } from '../../src/core/executor/executor.js';
import { TxPool } from '../../src/core/txpool/txpool.js';
import { MinerWorker } from '../../src/miner/assembler.js';
import { Miner } from '../../src/miner/miner.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, transfer } from '../../tools/workload/accounts.js';
import { sleep, until } from '../util/wait.js';

test('a held miner seals nothing; released, it seals the pending txs', async () => {
  const signer = testAccount('hold-signer');
  const user = testAccount('hold-user');
  const b = await ChainBuilder.create({ signers: [signer], period: 0, alloc: [{ address: user.address, balance: 10n ** 20n }] });
  const exec = new TxExecutor({});
  const pool = new TxPool(b.chain, {});
  const worker = new MinerWorker(b.chain, pool, exec, { signer: signer.address, gasTarget: b.chain.currentHeader().gasLimit, minTip: 0n });
  const miner = new Miner(b.chain, pool, worker, signer.address, signer.key);
  let held = true;
  miner.holdWhile(() => held);
  miner.start();
  try {
    await pool.addRemotes([transfer(user, asAddress(new Uint8Array(20).fill(1)), 1n, 1337n)]);
    await sleep(2500);
    assert.equal(b.chain.currentHeader().number, 0n, 'nothing sealed while held');
    held = false;
    await until(() => b.chain.currentHeader().number === 1n, 10_000, 'sealed after release');
    assert.equal(b.chain.getBlockByNumber(1n)!.transactions.length, 1);
  } finally {
    await miner.stop();
    pool.stop();
    await exec.close();
  }
});
