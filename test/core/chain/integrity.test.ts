/**
 * Integrity checks on a real LevelDB: a sound chain passes both checks; a
 * damaged body, receipt list, tx lookup, trie node or head pointer is found
 * and named (block number and key); bytes flipped in the .ldb files on disk
 * never pass as a sound database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { ChainStore } from '../../../src/core/chain/chain-store.js';
import { ChainIntegrityError, fullCheck, quickCheck } from '../../../src/core/chain/integrity.js';
import { LevelDatabase } from '../../../src/state/database.js';
import { schema } from '../../../src/state/schema.js';
import { headerHash } from '../../../src/types/header.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';
import { Rng } from '../../../tools/workload/rng.js';

const ETHER = 10n ** 18n;

async function buildChain(dir: string, blocks = 12) {
  const db = await LevelDatabase.open(join(dir, 'db'));
  const signer = testAccount('integrity-signer');
  const users = testAccounts('integrity-user', 20);
  const b = await ChainBuilder.create({ signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 10n * ETHER })) }, db);
  for (let n = 0; n < blocks; n++) {
    // Distinct senders per block (a rotation), so the tracked nonces stay right.
    await b.addBlock(Array.from({ length: 15 }, (_, k) => transfer(users[(n * 3 + k) % 20]!, users[(n + k + 7) % 20]!.address, 1000n, 1337n)));
  }
  return { db, b };
}

function expectCorrupt(fn: () => unknown, what: RegExp, block?: bigint) {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof ChainIntegrityError, `expected ChainIntegrityError, got ${e.name}: ${e.message}`);
    assert.match(e.message, what);
    if (block !== undefined) assert.equal(e.block, block, e.message);
    return true;
  });
}

test('a sound chain passes; each kind of damage is found and named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-integrity-'));
  try {
    const { db, b } = await buildChain(dir);
    const store = new ChainStore(db);
    quickCheck(store, db);
    const report = fullCheck(store, db);
    assert.equal(report.head, 12n);
    assert.equal(report.blocks, 13);
    assert.ok(report.txs > 0 && report.accounts >= 20 && report.stateNodes > 0, `${report.txs} txs, ${report.accounts} accounts, ${report.stateNodes} nodes`);

    const block5 = b.blocks[4]!;
    const h5 = headerHash(block5.header);
    const put = async (k: Uint8Array, v: Uint8Array) => { const batch = db.batch(); batch.put(k, v); await batch.write(); };
    const saved = (k: Uint8Array) => db.get(k)!;

    const body = saved(schema.body(5n, h5));
    await put(schema.body(5n, h5), body.subarray(0, body.length - 3));
    expectCorrupt(() => fullCheck(new ChainStore(db), db), /body does not decode/, 5n);
    await put(schema.body(5n, h5), body);

    const rcpts = saved(schema.receipts(5n, h5));
    const flipped = Uint8Array.from(rcpts);
    flipped[flipped.length - 1]! ^= 1;
    await put(schema.receipts(5n, h5), flipped);
    expectCorrupt(() => fullCheck(new ChainStore(db), db), /receipt/, 5n);
    await put(schema.receipts(5n, h5), rcpts);

    const tx = block5.transactions[0]!;
    const lookup = saved(schema.txLookup(tx.hash()));
    await put(schema.txLookup(tx.hash()), Uint8Array.from({ length: 12 }, () => 0));
    expectCorrupt(() => fullCheck(new ChainStore(db), db), /lookup of tx 0/, 5n);
    await put(schema.txLookup(tx.hash()), lookup);

    // A state node overwritten: the walk names its key; the head's root node is checked at start.
    const root = b.chain.currentHeader().stateRoot;
    const rootNode = saved(schema.trieNode(root));
    await put(schema.trieNode(root), Uint8Array.from(rootNode).reverse());
    expectCorrupt(() => quickCheck(new ChainStore(db), db), /state root node does not hash/, 12n);
    expectCorrupt(() => fullCheck(new ChainStore(db), db), new RegExp(`head state: trie node ${bytesToHex(root)}: hash mismatch`), 12n);
    await put(schema.trieNode(root), rootNode);

    // Damage to the head block itself is caught by the start-up check.
    const h12 = headerHash(b.chain.currentHeader());
    const hdr = saved(schema.header(12n, h12));
    await put(schema.header(12n, h12), hdr.subarray(1));
    expectCorrupt(() => quickCheck(new ChainStore(db), db), /header does not decode/, 12n);
    await put(schema.header(12n, h12), hdr);

    fullCheck(new ChainStore(db), db);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes flipped in every .ldb file never pass as a sound database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-integrity-ldb-'));
  try {
    const { db } = await buildChain(dir, 30);
    await db.close();
    // Reopen once so the log is compacted into .ldb tables.
    const again = await LevelDatabase.open(join(dir, 'db'));
    await again.close();
    const files = readdirSync(join(dir, 'db')).filter((f) => f.endsWith('.ldb'));
    assert.ok(files.length > 0, 'the chain was flushed to .ldb tables');
    const rng = new Rng(11);
    for (const f of files) {
      const p = join(dir, 'db', f);
      const buf = readFileSync(p);
      for (let k = 0; k < 32; k++) buf[rng.int(buf.length)]! ^= 0xff;
      writeFileSync(p, buf);
    }
    let db2: LevelDatabase | undefined;
    let found: Error | undefined;
    try {
      db2 = await LevelDatabase.open(join(dir, 'db'));
      const store = new ChainStore(db2);
      quickCheck(store, db2);
      fullCheck(store, db2);
    } catch (e) {
      found = e as Error;
    }
    await db2?.close().catch(() => undefined);
    assert.ok(found, 'the damage was detected');
    assert.match(found.message, /corrupt|Corruption|checksum/i, found.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
