/**
 * Snapshots: persisted at the genesis and every 1024 blocks (real LevelDB in
 * a temp dir), loaded back by a fresh engine without walking to the genesis;
 * geth's JSON form round-trips (votes and tallies included); a checkpoint
 * whose ancestors are missing is trusted; apply() keeps its input unchanged
 * and refuses non-contiguous headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, bytesToUtf8 } from '../../../src/crypto/bytes.js';
import { Clique, CHECKPOINT_INTERVAL } from '../../../src/consensus/clique/clique.js';
import { Snapshot } from '../../../src/consensus/clique/snapshot.js';
import { headerHash, type Header } from '../../../src/types/header.js';
import { LevelDatabase, MemoryDatabase } from '../../../src/state/database.js';
import { schema } from '../../../src/state/schema.js';
import { testAccount } from '../../../tools/workload/accounts.js';
import { expectCode, MemChain, NOW, TestChain, vote } from './harness.js';

const signers = [testAccount('snap-0'), testAccount('snap-1'), testAccount('snap-2')];
const candidate = testAccount('snap-candidate');

test('persisted at genesis and every 1024 blocks; a fresh engine on the reopened LevelDB loads it without walking back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gtos-clique-'));
  try {
    let db = await LevelDatabase.open(join(dir, 'db'));
    const c = new TestChain(signers, { db });
    for (let n = 1; n <= 1100; n++) {
      // An open vote across the 1024 checkpoint, so the stored JSON carries votes and a tally.
      const over = n === 1000 ? vote(candidate.address, true) : {};
      c.extend(c.nextSigner(), over);
    }
    const head = c.head;
    const headSnap = c.snap();
    await c.engine.flush();
    const at1024 = c.chain.getHeaderByNumber(1024n)!;
    const stored = (h: Header) => db.get(schema.cliqueSnapshot(headerHash(h)));
    assert.ok(stored(c.genesis), 'genesis snapshot stored');
    assert.ok(stored(at1024), 'block 1024 snapshot stored');
    for (const n of [1n, 1000n, 1023n, 1025n, 1100n]) assert.equal(stored(c.chain.getHeaderByNumber(n)!), undefined, `no snapshot at ${n}`);
    const json = JSON.parse(bytesToUtf8(stored(at1024)!));
    assert.equal(json.number, 1024);
    assert.equal(json.hash, bytesToHex(headerHash(at1024)));
    assert.deepEqual(Object.keys(json.signers), [...headSnap.signersHex()]);
    assert.equal(json.votes.length, 1);
    assert.deepEqual(json.tally, { [bytesToHex(candidate.address)]: { authorize: true, votes: 1 } });
    await db.close();

    db = await LevelDatabase.open(join(dir, 'db'));
    const fresh = new Clique({ period: 1n, epoch: 30000n }, db, { now: () => NOW });
    c.chain.resetCounters();
    const snap = fresh.snapshot(c.chain, head.number, headerHash(head));
    assert.equal(c.chain.getHeaderCalls, 1100 - 1024, 'walked back only to the stored snapshot at 1024');
    assert.deepEqual(c.chain.byNumberCalls, [], 'never looked for the genesis');
    assert.deepEqual(snap.toJSON(), headSnap.toJSON());
    // The loaded engine keeps verifying: the next block, and a second vote that passes.
    const next = c.next(c.nextSigner(), vote(candidate.address, true));
    fresh.verifyHeader(c.chain, next);
    const after = fresh.snapshot(c.chain, next.number, headerHash(next), [next]);
    assert.equal(after.isSigner(candidate.address), true, 'the vote stored before the restart still counts');
    await fresh.flush();
    await db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a snapshot at a multiple of 1024 is read from the database before any header', () => {
  const db = new MemoryDatabase();
  const c = new TestChain([signers[0]!], { db });
  for (let n = 1n; n <= CHECKPOINT_INTERVAL; n++) c.extend(signers[0]!);
  c.snap(); // computing the snapshot after block 1024 stores it
  const fresh = new Clique({ period: 1n, epoch: 30000n }, db, { now: () => NOW });
  c.chain.resetCounters();
  const snap = fresh.snapshot(c.chain, c.head.number, headerHash(c.head));
  assert.equal(c.chain.getHeaderCalls, 0);
  assert.equal(snap.number, CHECKPOINT_INTERVAL);
  // A corrupt entry is not trusted: the engine recomputes from the headers.
  const db2 = new MemoryDatabase();
  const b = db2.batch();
  b.put(schema.cliqueSnapshot(headerHash(c.head)), new TextEncoder().encode('{not json'));
  void b.write();
  const again = new Clique({ period: 1n, epoch: 30000n }, db2, { now: () => NOW });
  assert.deepEqual(again.snapshot(c.chain, c.head.number, headerHash(c.head)).toJSON(), snap.toJSON());
});

test('JSON: geth\'s shape, and fromJSON(toJSON) is the identity (also for the earlier shape)', () => {
  const c = new TestChain(signers);
  c.extend(c.nextSigner(), vote(candidate.address, true));
  c.extend(c.nextSigner(), vote(signers[0]!.address, false));
  const s = c.snap();
  const j = s.toJSON();
  assert.equal(typeof j.number, 'number');
  assert.deepEqual(Object.values(j.signers), [{}, {}, {}]);
  assert.deepEqual(Object.keys(j.recents), ['1', '2']);
  assert.equal(j.votes.length, 2);
  assert.equal(Object.keys(j.tally).length, 2);
  const back = Snapshot.fromJSON(30000n, JSON.parse(JSON.stringify(j)));
  assert.deepEqual(back.toJSON(), j);
  assert.deepEqual(back.signers, s.signers);
  assert.deepEqual(back.recents, s.recents);
  assert.deepEqual(back.tally, s.tally);
  const earlier = { ...j, number: String(j.number), signers: s.signersHex(), votes: j.votes.map((v) => ({ ...v, block: String(v.block) })) };
  assert.deepEqual(Snapshot.fromJSON(30000n, earlier).toJSON(), j);
});

test('a checkpoint whose parent is missing is trusted (geth: light/CHT or freezer start)', () => {
  const c = new TestChain(signers, { epoch: 10n });
  for (let n = 1; n <= 15; n++) c.extend(c.nextSigner());
  const partial = new MemChain();
  for (let n = 10n; n <= 15n; n++) partial.add(c.chain.getHeaderByNumber(n)!);
  const fresh = new Clique({ period: 1n, epoch: 10n }, new MemoryDatabase(), { now: () => NOW });
  const snap = fresh.snapshot(partial, 15n, headerHash(c.head));
  assert.deepEqual(snap.signersHex(), c.snap().signersHex());
  // Without the checkpoint header there is nothing to trust.
  const gap = new MemChain();
  for (let n = 11n; n <= 15n; n++) gap.add(c.chain.getHeaderByNumber(n)!);
  expectCode(() => new Clique({ period: 1n, epoch: 10n }, new MemoryDatabase(), { now: () => NOW }).snapshot(gap, 15n, headerHash(c.head)), 'unknown-ancestor');
});

test('apply: contiguous headers only; the base snapshot is not modified', () => {
  const c = new TestChain(signers);
  for (let n = 1; n <= 4; n++) c.extend(c.nextSigner(), n === 2 ? vote(candidate.address, true) : {});
  const genesisSnap = c.engine.snapshot(c.chain, 0n, headerHash(c.genesis));
  const before = JSON.stringify(genesisSnap.toJSON());
  const hs = [1n, 2n, 3n, 4n].map((n) => c.chain.getHeaderByNumber(n)!);
  const author = (h: Header) => c.engine.author(h);
  const s = genesisSnap.apply(hs, author);
  assert.equal(JSON.stringify(genesisSnap.toJSON()), before);
  assert.equal(s.number, 4n);
  assert.deepEqual(s.toJSON(), c.snap().toJSON());
  assert.equal(genesisSnap.apply([], author), genesisSnap);
  expectCode(() => genesisSnap.apply([hs[1]!, hs[2]!], author), 'invalid-voting-chain');
  expectCode(() => genesisSnap.apply([hs[0]!, hs[2]!], author), 'invalid-voting-chain');
  // In-turn: number mod signers == index in the sorted list.
  for (let n = 0n; n < 6n; n++) {
    const inturn = s.signers.filter((a) => s.inturn(n, a));
    assert.deepEqual(inturn, [s.signers[Number(n % BigInt(s.signers.length))]]);
  }
  assert.equal(s.inturn(1n, candidate.address), false);
});
