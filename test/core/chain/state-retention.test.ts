/**
 * Pruning (`gcmode: 'full'`) against the archive reference on the same
 * randomized chain (seeded; the seed is in every message): the same roots and
 * balances, a reorg inside the kept window, dirty memory held to its budget,
 * far fewer trie nodes on disk, old states gone; a clean stop leaves the head
 * state on disk, and after a crash (no stop) the next open re-executes the
 * blocks whose state was lost and ends on the same head.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { asAddress, type Address } from '../../../src/crypto/primitives.js';
import { Blockchain } from '../../../src/core/chain/blockchain.js';
import { LevelDatabase, type KeyValueStore } from '../../../src/state/database.js';
import { schema } from '../../../src/state/schema.js';
import { MissingNodeError } from '../../../src/state/trie/trie.js';
import { headerHash } from '../../../src/types/header.js';
import type { Block } from '../../../src/types/block.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';
import { Rng } from '../../../tools/workload/rng.js';
import { setVerbosity } from '../../../src/util/log.js';

const ETHER = 10n ** 18n;
const SEED = Number(process.env.SEED ?? 0x5eed);
const signers = [testAccount('ret-s1'), testAccount('ret-s2'), testAccount('ret-s3')];
const users = testAccounts('ret-user', 30);
const forker = testAccount('ret-forker');
const spec = { signers, alloc: [...users, forker].map((u) => ({ address: u.address, balance: 1000n * ETHER })) };

async function trieNodeCount(db: KeyValueStore): Promise<number> {
  let n = 0;
  for await (const _ of db.iterate(schema.trieNode(new Uint8Array(0)))) n++;
  return n;
}

interface Fixture {
  genesis: ChainBuilder['genesis'];
  main: Block[];
  fork: Block[];
  archive: ChainBuilder;
  watched: Address[];
}

/** 150 blocks of random transfers (many to fresh accounts, so the state grows), then a heavier fork from block 147. */
async function fixture(): Promise<Fixture> {
  for (const u of [...users, forker]) u.nonce = 0n;
  const rng = new Rng(SEED);
  const b = await ChainBuilder.create(spec);
  const watched: Address[] = users.map((u) => u.address);
  for (let i = 0; i < 150; i++) {
    const txs = Array.from({ length: 12 }, () => {
      const to = rng.bool() ? rng.pick(users).address : asAddress(rng.bytes(20));
      if (watched.length < 200) watched.push(to);
      return transfer(rng.pick(users), to, rng.bigint(ETHER), 1337n, { type: rng.pick([0, 2] as const) });
    });
    await b.addBlock(txs);
  }
  const main = [...b.blocks];
  const fork: Block[] = [];
  let parent = main[146]!.header;
  for (let i = 0; i < 4; i++) {
    const blk = b.makeBlock(parent, [transfer(forker, users[i]!.address, 7n, 1337n)], { timeDelta: 2n });
    assert.notEqual(await b.chain.insertBlock(blk), 'known');
    fork.push(blk);
    parent = blk.header;
  }
  assert.equal(bytesToHex(b.chain.currentHash()), bytesToHex(headerHash(fork[3]!.header)), `seed ${SEED}: the fork is heavier`);
  return { genesis: b.genesis, main, fork, archive: b, watched };
}

function balances(chain: Blockchain, who: readonly Address[]): string[] {
  const s = chain.headState();
  return who.map((a) => `${bytesToHex(a)}:${s.getBalance(a)}:${s.getNonce(a)}`);
}

test('pruning: same roots and balances as archive, reorg inside the window, bounded dirty memory, fewer nodes on disk; clean stop and crash repair', async () => {
  setVerbosity(1);
  const f = await fixture();
  const dir = mkdtempSync(join(tmpdir(), 'gtos-retention-'));
  const ctx = `seed ${SEED}`;
  try {
    // Archive on disk, for the node count.
    const adb = await LevelDatabase.open(join(dir, 'archive'));
    const archive = await Blockchain.open({ db: adb, genesis: f.genesis, gcmode: 'archive' });
    for (const blk of [...f.main, ...f.fork]) await archive.insertBlock(blk);
    const want = balances(archive, f.watched);
    const archiveNodes = await trieNodeCount(adb);

    // Pruned with a small budget: flushes happen along the way.
    const budget = 96 * 1024;
    const pdb = await LevelDatabase.open(join(dir, 'pruned'));
    const pruned = await Blockchain.open({ db: pdb, genesis: f.genesis, gcmode: 'full', retention: { keepRecent: 16, dirtyBudgetBytes: budget, flushIntervalMs: 1e12 } });
    for (const blk of [...f.main, ...f.fork]) {
      await pruned.insertBlock(blk);
      assert.ok(pruned.retention!.dirtyBytes <= budget, `${ctx}: dirty ${pruned.retention!.dirtyBytes} B over the ${budget} B budget at block ${blk.header.number}`);
    }
    assert.ok(pruned.retention!.flushedNodes > 0, `${ctx}: the budget forced flushes`);
    assert.equal(bytesToHex(pruned.currentHash()), bytesToHex(archive.currentHash()), `${ctx}: same head after the reorg`);
    assert.deepEqual(balances(pruned, f.watched), want, `${ctx}: same balances`);
    await pruned.stop();
    await assert.rejects(pruned.insertBlock(f.main[0]!), /stopped/);
    await pdb.close();
    // A clean stop left the head state whole on disk: reopening needs no repair.
    const pdb2 = await LevelDatabase.open(join(dir, 'pruned'));
    const reopened = await Blockchain.open({ db: pdb2, gcmode: 'full' });
    assert.equal(reopened.currentHeader().number, archive.currentHeader().number);
    assert.deepEqual(balances(reopened, f.watched), want, `${ctx}: head state read back from disk`);
    await reopened.stop();
    await pdb2.close();

    // No flushes at all, then a crash (the process dies: no stop): old states were never written.
    const cdb = await LevelDatabase.open(join(dir, 'crash'));
    const crash = await Blockchain.open({ db: cdb, genesis: f.genesis, gcmode: 'full', retention: { keepRecent: 16, dirtyBudgetBytes: 1 << 30, flushIntervalMs: 1e12 } });
    for (const blk of [...f.main, ...f.fork]) await crash.insertBlock(blk);
    assert.equal(crash.retention!.flushedNodes, 0);
    const old = f.main[60]!.header.stateRoot;
    assert.throws(() => crash.stateAt(old).getBalance(users[0]!.address), MissingNodeError, `${ctx}: a state 90 blocks below the head is pruned`);
    assert.equal(crash.hasState(f.main[60]!.header.stateRoot), false);
    assert.equal(crash.hasState(crash.currentHeader().stateRoot), true);
    await cdb.close(); // no stop: the dirty nodes die with the process
    const cdb2 = await LevelDatabase.open(join(dir, 'crash'));
    const repaired = await Blockchain.open({ db: cdb2, gcmode: 'full' });
    assert.equal(bytesToHex(repaired.currentHash()), bytesToHex(archive.currentHash()), `${ctx}: head repair re-executed to the same head`);
    assert.deepEqual(balances(repaired, f.watched), want, `${ctx}: repaired state`);
    assert.ok(cdb2.get(schema.trieNode(repaired.currentHeader().stateRoot)), `${ctx}: the repaired head state is on disk at once`);
    await repaired.stop();
    // With room for the kept states in memory, what reaches the disk is the head state, not every state.
    const prunedNodes = await trieNodeCount(cdb2);
    assert.ok(prunedNodes < archiveNodes * 0.3, `${ctx}: ${prunedNodes} trie nodes on disk pruned vs ${archiveNodes} archive`);
    await cdb2.close();
    await archive.stop();
    await adb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a whole-state flush of 300k dirty nodes does not overflow the call stack', async () => {
  const { DirtyNodeCache } = await import('../../../src/state/trie/dirty-nodes.js');
  const { TrieNodeStore } = await import('../../../src/state/trie/node-store.js');
  const { StateRetention } = await import('../../../src/core/chain/state-retention.js');
  const { MemoryDatabase } = await import('../../../src/state/database.js');
  const { asHash } = await import('../../../src/crypto/primitives.js');
  const dirty = new DirtyNodeCache();
  const key = (i: number) => { const b = Buffer.alloc(32); b.writeUInt32BE(i + 1); return b; };
  // A branch-free chain of extension nodes [0x00, child hash], each over the one before: a whole state 300k deep.
  const ext = (child: Uint8Array) => Uint8Array.from([0xe2, 0x00, 0xa0, ...child]);
  for (let i = 0; i < 300_001; i++) dirty.insert(key(i).toString('latin1'), ext(key(i === 0 ? 400_000 : i - 1)), i === 0 ? [] : [key(i - 1).toString('latin1')]);
  const root = key(300_000);
  const db = new MemoryDatabase();
  const r = new StateRetention(dirty, new TrieNodeStore(db), { flushIntervalMs: 0, dirtyBudgetBytes: 1 << 30 });
  const batch = db.batch();
  const flushed = r.afterCommit(batch, 1n, asHash(new Uint8Array(root)), 1n);
  assert.equal(flushed.length, 300_001);
  assert.equal(batch.size, 300_001);
});
