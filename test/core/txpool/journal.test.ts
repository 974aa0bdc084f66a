/**
 * The tx journal file: appends across batches and across a rotation land in
 * order; a torn tail (crash mid-append) ends the journal; a failed append or
 * rewrite is logged, never thrown, and leaves the previous file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxJournal } from '../../../src/core/txpool/journal.js';

const entry = (n: number, len = 40) => Buffer.alloc(len, n);

test('journal: appends and rotations keep order; a torn tail ends it; failures never throw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-txj-'));
  try {
    const path = join(dir, 'transactions.rlp');
    const j = new TxJournal(path);
    assert.deepEqual(j.load(), { entries: [], torn: false });
    j.append([entry(1), entry(2)]);
    j.append([entry(3)]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(j.load().entries, [entry(1), entry(2), entry(3)]);
    assert.equal(j.rotate([entry(2)]), true);
    j.append([entry(4, 100)]); // after a rotation the append goes to the new file, not the renamed-over one
    assert.deepEqual(new TxJournal(path).load(), { entries: [entry(2), entry(4, 100)], torn: false });
    j.close();

    truncateSync(path, readFileSync(path).length - 10);
    assert.deepEqual(new TxJournal(path).load(), { entries: [entry(2)], torn: true });
    appendFileSync(path, Buffer.from([0xff]));
    assert.equal(new TxJournal(path).load().torn, true);

    const gone = new TxJournal(join(dir, 'missing', 'transactions.rlp'));
    assert.doesNotThrow(() => gone.append([entry(5)]));
    assert.equal(gone.rotate([entry(5)]), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pool: a local tx the journal cannot take is refused with a storage failure, leaves the pool, and the pool refuses from then on', async () => {
  const { TxPool } = await import('../../../src/core/txpool/txpool.js');
  const { TxPoolError } = await import('../../../src/core/txpool/errors.js');
  const { ChainBuilder } = await import('../../../tools/workload/chain-builder.js');
  const { testAccounts, transfer } = await import('../../../tools/workload/accounts.js');
  const users = testAccounts('journal-fail', 3);
  const b = await ChainBuilder.create({ signers: [users[0]!], alloc: users.map((u) => ({ address: u.address, balance: 10n ** 21n })) });
  const dir = mkdtempSync(join(tmpdir(), 'gtos-txj-fail-'));
  try {
    const pool = new TxPool(b.chain, {}, { journalPath: join(dir, 'gone', 'transactions.rlp') });
    const failures: Error[] = [];
    pool.on('storage-failure', (e: Error) => failures.push(e));
    const tx = transfer(users[1]!, users[2]!.address, 1n, 1337n);
    await assert.rejects(pool.addLocal(tx), (e: unknown) => e instanceof TxPoolError && e.code === 'storage-failure' && /^node storage failure: /.test(e.message));
    assert.equal(pool.has(tx.hash()), false, 'a refused tx does not stay pooled');
    assert.deepEqual(pool.status(), { pending: 0, queued: 0 });
    assert.equal(failures.length, 1);
    assert.equal(pool.refusing, true);
    const remote = transfer(users[2]!, users[1]!.address, 1n, 1337n);
    const [err] = await pool.addRemotes([remote]);
    assert.ok(err instanceof TxPoolError && err.code === 'storage-failure', 'remote txs are refused too');
    pool.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
