/**
 * A chain with the state-root worker on imports a seeded chain of transfers on
 * real LevelDB (both gcmodes): every block's root is validated whichever path
 * computed it, the chooser has tried both paths, and the worker's roots were
 * really computed there (none failed over to the main thread).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asAddress } from '../../../src/crypto/primitives.js';
import { Blockchain } from '../../../src/core/chain/blockchain.js';
import { LevelDatabase } from '../../../src/state/database.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';
import { Rng } from '../../../tools/workload/rng.js';
import { setVerbosity } from '../../../src/util/log.js';

const SEED = Number(process.env.SEED ?? 0x7007);
const ETHER = 10n ** 18n;

for (const gcmode of ['full', 'archive'] as const) {
  test(`root paths in a chain (${gcmode}): both paths tried, every root valid (seed ${SEED}, rerun with SEED=${SEED})`, async () => {
    setVerbosity(2);
    const rng = new Rng(SEED);
    const users = testAccounts('rootpath-user', 40);
    const b = await ChainBuilder.create({ signers: [testAccount('rootpath-signer')], alloc: users.map((u) => ({ address: u.address, balance: 100n * ETHER })) });
    for (let i = 0; i < 12; i++) {
      const txs = [];
      for (let k = 0; k < 30; k++) txs.push(transfer(users[(i * 30 + k) % users.length]!, rng.bool(0.5) ? rng.pick(users).address : asAddress(rng.bytes(20)), 1n + rng.bigint(ETHER), 1337n));
      await b.addBlock(txs);
    }
    const dir = mkdtempSync(join(tmpdir(), 'gtos-rootpaths-'));
    const db = await LevelDatabase.open(dir);
    try {
      const chain = await Blockchain.open({ db, genesis: b.genesis, gcmode, rootWorker: true });
      for (const blk of b.blocks) assert.equal(await chain.insertBlock(blk), 'canonical');
      const f = chain.rootPaths.figures;
      assert.ok(f.mainSamples >= 2 && f.workerSamples >= 2, `both paths sampled: ${JSON.stringify(f)}`);
      assert.equal(chain.rootWorker!.stats.failed, 0);
      assert.equal(chain.rootWorker!.stats.computed, f.workerSamples, 'every worker pick was computed on the worker');
      assert.equal(chain.currentHeader().number, 12n);
      await chain.stop();
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
