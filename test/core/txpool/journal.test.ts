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
