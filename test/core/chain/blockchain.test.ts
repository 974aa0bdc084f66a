/**
 * Blockchain: blocks from any source are verified, executed, validated and
 * written atomically; invalid blocks leave the head where it was; fork choice
 * follows total difficulty and reorgs move the canonical mapping; the same
 * chain imported with different executors writes identical databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { Blockchain } from '../../../src/core/chain/blockchain.js';
import { InvalidBlockError } from '../../../src/core/chain/block-validator.js';
import { TxExecutor } from '../../../src/core/executor/executor.js';
import { headerHash } from '../../../src/types/header.js';
import { LevelDatabase, MemoryDatabase, type KeyValueStore } from '../../../src/state/database.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';
import { asAddress } from '../../../src/crypto/primitives.js';
import { Rng } from '../../../tools/workload/rng.js';

const ETHER = 10n ** 18n;
const signers = [testAccount('signer-a'), testAccount('signer-b')];
const users = testAccounts('bc-user', 8);
const spec = { signers, alloc: users.map((u) => ({ address: u.address, balance: 1000n * ETHER })) };

async function dump(db: KeyValueStore): Promise<string[]> {
  const rows: string[] = [];
  for await (const [k, v] of db.iterate(new Uint8Array(0))) rows.push(`${bytesToHex(k)}=${bytesToHex(v)}`);
  return rows;
}

function randomTxs(rng: Rng, n: number) {
  return Array.from({ length: n }, () => transfer(rng.pick(users), rng.bool() ? rng.pick(users).address : asAddress(rng.bytes(20)), rng.bigint(ETHER), 1337n, { type: rng.pick([0, 1, 2] as const) }));
}

test('blocks insert, advance the head, and serve receipts and tx lookups', async () => {
  for (const u of users) u.nonce = 0n;
  const b = await ChainBuilder.create(spec);
  const rng = new Rng(11);
  for (let i = 0; i < 5; i++) await b.addBlock(randomTxs(rng, 10));
  const chain = b.chain;
  assert.equal(chain.currentHeader().number, 5n);
  const blk = b.blocks[2]!;
  const receipts = chain.getReceipts(headerHash(blk.header))!;
  assert.equal(receipts.length, 10);
  const loc = chain.getTxLocation(blk.transactions[3]!.hash())!;
  assert.equal(loc.block.header.number, 3n);
  assert.equal(loc.index, 3);
});

test('an invalid state root is rejected with its reason and the head stays at the parent', async () => {
  for (const u of users) u.nonce = 0n;
  const b = await ChainBuilder.create(spec);
  const rng = new Rng(12);
  await b.addBlock(randomTxs(rng, 5));
  const good = b.makeBlock(b.chain.currentHeader(), randomTxs(rng, 5));
  const signerKey = signers.find((s) => bytesToHex(s.address) === bytesToHex(b.chain.engine.author(good.header)))!.key;
  // Re-sealed by the right signer, so only the state root is wrong.
  const bad = { ...good, header: b.chain.engine.seal({ ...good.header, stateRoot: good.header.receiptRoot, extraData: good.header.extraData.slice() }, signerKey) };
  await assert.rejects(b.chain.insertBlock(bad), (e: Error) => e instanceof InvalidBlockError && e.code === 'state-root-mismatch');
  assert.equal(b.chain.currentHeader().number, 1n);
  // A block with a forged seal is refused before execution.
  const forged = { ...good, header: { ...good.header, gasUsed: good.header.gasUsed + 1n } };
  await assert.rejects(b.chain.insertBlock(forged), InvalidBlockError);
  assert.equal(await b.chain.insertBlock(good), 'canonical');
});

test('the head survives a reopen of the LevelDB database', async () => {
  for (const u of users) u.nonce = 0n;
  const dir = mkdtempSync(join(tmpdir(), 'gtos-bc-'));
  try {
    const db = await LevelDatabase.open(dir);
    const b = await ChainBuilder.create(spec, db);
    const rng = new Rng(13);
    for (let i = 0; i < 3; i++) await b.addBlock(randomTxs(rng, 4));
    const head = bytesToHex(b.chain.currentHash());
    await db.close();
    const db2 = await LevelDatabase.open(dir);
    const chain = await Blockchain.open({ db: db2 });
    assert.equal(bytesToHex(chain.currentHash()), head);
    const st = chain.headState();
    assert.ok(st.getBalance(users[0]!.address) > 0n);
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fork choice by total difficulty: the heavier branch wins and dropped txs are reported', async () => {
  for (const u of users) u.nonce = 0n;
  const b = await ChainBuilder.create({ ...spec, signers: [testAccount('s1'), testAccount('s2'), testAccount('s3')] });
  const rng = new Rng(14);
  await b.addBlock(randomTxs(rng, 3));
  const base = b.chain.currentHeader();
  // Branch A: one out-of-turn block (difficulty 1) with a tx only it has.
  const sorted = [...b.spec.signers].sort((x, y) => (bytesToHex(x.address) < bytesToHex(y.address) ? -1 : 1));
  const inturn2 = sorted[2 % 3]!;
  const outOfTurn = sorted.find((s) => s !== inturn2 && s !== sorted[1])!;
  const onlyA = transfer(users[7]!, users[6]!.address, 5n, 1337n);
  const a1 = b.makeBlock(base, [onlyA], { signer: outOfTurn });
  assert.equal(await b.chain.insertBlock(a1), 'canonical');
  // Branch B: the in-turn block at the same height (difficulty 2) is heavier.
  const b1 = b.makeBlock(base, [], { signer: inturn2 });
  const events: { dropped: unknown[] }[] = [];
  b.chain.on('head', (e) => events.push(e));
  assert.equal(await b.chain.insertBlock(b1), 'canonical');
  assert.equal(bytesToHex(b.chain.currentHash()), bytesToHex(headerHash(b1.header)));
  assert.equal(bytesToHex(b.chain.getBlockByNumber(2n)!.header.parentHash), bytesToHex(headerHash(base)));
  assert.equal(events.at(-1)!.dropped.length, 1, 'the tx of the losing branch goes back to the pool');
  assert.equal(b.chain.getTxLocation(onlyA.hash()), undefined, 'its lookup is gone');
  // An equal-difficulty sibling does not displace the head (ties kept).
  const tie = b.makeBlock(base, [], { signer: inturn2, timeDelta: 2n });
  assert.equal(await b.chain.insertBlock(tie), 'side');
});

test('the same chain imported serially and with 1 or 3 workers writes identical database contents', async () => {
  for (const u of users) u.nonce = 0n;
  const src = await ChainBuilder.create(spec);
  const rng = new Rng(15);
  for (let i = 0; i < 6; i++) await src.addBlock(randomTxs(rng, 40));
  const dumps: string[][] = [];
  for (const workers of [0, 1, 3]) {
    const exec = new TxExecutor(workers === 0 ? {} : { parallel: true, workers, batchMax: 8, inlineBelow: workers === 3 ? 0 : Number.MAX_SAFE_INTEGER, transferChunk: 4 });
    try {
      const db = new MemoryDatabase();
      const chain = await Blockchain.open({ db, genesis: src.genesis, executor: exec, recoverSenders: (t, c) => exec.recoverSenders(t, c) });
      for (const blk of src.blocks) assert.equal(await chain.insertBlock(blk), 'canonical');
      dumps.push(await dump(db));
    } finally {
      await exec.close();
    }
  }
  assert.deepEqual(dumps[1], dumps[0]);
  assert.deepEqual(dumps[2], dumps[0]);
});

test('a body whose txs do not match the header\'s tx root is refused as tx-root-mismatch, also when its root was prefetched on the pool', async () => {
  const { decodeBlock, encodeBlock } = await import('../../../src/types/block.js');
  for (const u of users) u.nonce = 0n;
  const src = await ChainBuilder.create(spec);
  const rng = new Rng(17);
  await src.addBlock(randomTxs(rng, 80));
  for (const workers of [0, 1]) {
    const exec = new TxExecutor(workers === 0 ? {} : { parallel: true, workers });
    try {
      const chain = await Blockchain.open({ db: new MemoryDatabase(), genesis: src.genesis, executor: exec, recoverSenders: (t, c) => exec.recoverSenders(t, c) });
      // Same header, two txs swapped: every tx is valid, only the root differs.
      const bad = decodeBlock(encodeBlock(src.blocks[0]!));
      [bad.transactions[0], bad.transactions[1]] = [bad.transactions[1]!, bad.transactions[0]!];
      exec.prefetch([bad], chain.config.chainId);
      await assert.rejects(chain.insertBlock(bad), (e: unknown) => e instanceof InvalidBlockError && e.code === 'tx-root-mismatch', `workers ${workers}`);
      assert.equal(await chain.insertBlock(decodeBlock(encodeBlock(src.blocks[0]!))), 'canonical', `workers ${workers}`);
      await chain.stop();
    } finally {
      await exec.close();
    }
  }
});

test('a header the chain store caches owns its bytes: it does not pin the block or file chunk it was decoded from', async () => {
  const { decodeBlock, encodeBlock } = await import('../../../src/types/block.js');
  for (const u of users) u.nonce = 0n;
  const b = await ChainBuilder.create(spec);
  const rng = new Rng(16);
  const blk = b.makeBlock(b.chain.currentHeader(), randomTxs(rng, 20));
  const enc = encodeBlock(blk);
  const chunk = new Uint8Array(enc.length + 4 * 1024 * 1024); // a file chunk with more after the block
  chunk.set(enc, 0);
  const decoded = decodeBlock(chunk.subarray(0, enc.length));
  assert.ok(decoded.header.extraData.buffer.byteLength >= chunk.length, 'decoding gives views into the chunk');
  assert.equal(await b.chain.insertBlock(decoded), 'canonical');
  const cached = b.chain.getHeader(headerHash(decoded.header))!;
  for (const [k, v] of Object.entries(cached)) {
    if (v instanceof Uint8Array) assert.ok(v.buffer.byteLength < 1024, `header.${k} pins ${v.buffer.byteLength} bytes`);
  }
  assert.equal(bytesToHex(headerHash(cached)), bytesToHex(headerHash(decoded.header)));
});
