/**
 * The state-root worker against the main thread's trie, on real LevelDB and a
 * real worker thread. Seeded random rounds over a 3,000-account state: new
 * accounts, changed ones, deletions (branches collapse onto siblings the
 * worker must ask for), an account with storage; each round computed both
 * ways on copies of one StateDB: the roots and the committed node sets are
 * equal, archive and pruning alike. Rounds build on the last root (the
 * worker's decoded trie) and on an older one (the worker starts cold, as
 * after a reorg). A worker that times out costs time, never the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { asAddress, asHash, type Address, type Hash } from '../../../src/crypto/primitives.js';
import { LevelDatabase, MemoryDatabase } from '../../../src/state/database.js';
import { StateDatabase } from '../../../src/state/statedb/state-database.js';
import { StateDB } from '../../../src/state/statedb/statedb.js';
import { StateRootWorker } from '../../../src/state/root-worker/state-root-worker.js';
import { EMPTY_ROOT } from '../../../src/state/trie/trie.js';
import { schema } from '../../../src/state/schema.js';
import { Rng } from '../../../tools/workload/rng.js';

const SEED = Number(process.env.SEED ?? 0x7007);
const ctx = `seed ${SEED} (rerun with SEED=${SEED})`;

/** Every trie node key a batch would write, sorted (archive), or the dirty cache's entries (pruning). */
function batchKeys(db: MemoryDatabase): Promise<string[]> {
  return (async () => {
    const out: string[] = [];
    for await (const [k, v] of db.iterate(schema.trieNode(new Uint8Array(0)))) out.push(`${bytesToHex(k)}=${bytesToHex(v)}`);
    return out.sort();
  })();
}

function mutate(rng: Rng, s: StateDB, known: Address[]): void {
  for (let i = 0; i < 300; i++) {
    const r = rng.int(10);
    if (r < 4) {
      const a = asAddress(rng.bytes(20));
      known.push(a);
      s.addBalance(a, 1n + rng.bigint(10n ** 18n));
    } else if (r < 7 && known.length > 0) {
      const a = rng.pick(known);
      s.addBalance(a, rng.bigint(1000n));
      s.setNonce(a, s.getNonce(a) + 1n);
    } else if (r < 9 && known.length > 0) {
      // Empty the account and touch it: EIP-158 deletes it, and its branch may collapse.
      const a = rng.pick(known);
      s.setBalance(a, 0n);
      s.setNonce(a, 0n);
      s.addBalance(a, 0n);
    } else {
      const holder = known[0]!;
      s.setState(holder, asHash(rng.bytes(32)), Uint8Array.from(rng.bytes(32)));
    }
    if (rng.bool(0.1)) s.finalise(true);
  }
}

test('state-root worker: same roots and committed nodes as the main thread, warm and cold, archive and pruning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-rootw-'));
  const db = await LevelDatabase.open(dir);
  try {
    for (const pruning of [false, true]) {
      const rng = new Rng(SEED + (pruning ? 1 : 0));
      const sdb = new StateDatabase(db, { pruning });
      const worker = new StateRootWorker(sdb.nodes);
      const known: Address[] = [];
      const base = new StateDB(asHash(EMPTY_ROOT), sdb);
      for (let i = 0; i < 3000; i++) {
        const a = asAddress(rng.bytes(20));
        known.push(a);
        base.addBalance(a, 1n + rng.bigint(10n ** 20n));
      }
      const b0 = db.batch();
      let root = base.commit(b0, true);
      await b0.write();
      if (pruning) {
        // Put the base state on disk, so the worker's cold starts read it from there.
        const fb = db.batch();
        const flushed = sdb.dirty!.flushRoot(fb, root);
        await fb.write();
        sdb.dirty!.forget(flushed);
      }
      const roots: Hash[] = [root];
      for (let round = 0; round < 8; round++) {
        // Round 5 starts from an older root: the worker has no decoded trie for it.
        const from = round === 5 ? roots[1]! : root;
        const s = new StateDB(from, sdb);
        mutate(rng, s, known);
        const inline = s.copy();
        const off = s.copy();
        const want = inline.intermediateRoot(true);
        const got = await off.intermediateRootOffThread(worker, true);
        assert.equal(bytesToHex(got), bytesToHex(want), `${ctx}: round ${round} pruning=${pruning}: same root`);
        // Both commits: the same nodes reach the store.
        const dirtyBefore = sdb.dirty?.size ?? 0;
        const mi = new MemoryDatabase(), mo = new MemoryDatabase();
        const bi = mi.batch(), bo = mo.batch();
        if (pruning) {
          // One dirty cache is shared: commit the worker's nodes, count, then check the inline commit adds none.
          assert.equal(bytesToHex(off.commit(bo, true)), bytesToHex(want));
          const afterOff = sdb.dirty!.size;
          assert.ok(afterOff > dirtyBefore, `${ctx}: round ${round}: the worker's nodes went to the dirty cache`);
          inline.commit(bi, true);
          assert.equal(sdb.dirty!.size, afterOff, `${ctx}: round ${round}: the inline commit found every node already there`);
        } else {
          inline.commit(bi, true);
          off.commit(bo, true);
          await bi.write();
          await bo.write();
          assert.deepEqual(await batchKeys(mo), await batchKeys(mi), `${ctx}: round ${round}: same nodes written`);
          const wb = db.batch();
          for await (const [k, v] of mo.iterate(schema.trieNode(new Uint8Array(0)))) wb.put(k, v);
          await wb.write();
        }
        // The state the worker's nodes describe reads back through the store.
        const back = new StateDB(want, new StateDatabase(db, { pruning: false }));
        if (!pruning) for (const a of known.slice(-20)) assert.equal(back.getBalance(a), inline.getBalance(a), `${ctx}: round ${round}: balance reads back`);
        root = want;
        roots.push(root);
      }
      assert.ok(worker.stats.computed >= 8, `${ctx}: the worker computed every round (${JSON.stringify(worker.stats)})`);
      assert.ok(worker.stats.nodesSent > 0, `${ctx}: it asked for the nodes it lacked`);
      await worker.close();
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('state-root worker: a timed-out or closed worker costs time, never the result', async () => {
  const sdb = new StateDatabase(new MemoryDatabase());
  const s = new StateDB(asHash(EMPTY_ROOT), sdb);
  const rng = new Rng(SEED);
  for (let i = 0; i < 2000; i++) s.addBalance(asAddress(rng.bytes(20)), 1n + rng.bigint(1000n));
  const want = s.copy().intermediateRoot(true);
  // 0 ms: the timer fires before any answer can arrive.
  const slow = new StateRootWorker(sdb.nodes, { timeoutMs: 0 });
  assert.equal(bytesToHex(await s.copy().intermediateRootOffThread(slow, true)), bytesToHex(want));
  assert.equal(slow.stats.failed, 1);
  await slow.close();
  assert.equal(bytesToHex(await s.copy().intermediateRootOffThread(slow, true)), bytesToHex(want), 'closed: computed here');
  // A working one afterwards, for contrast.
  const ok = new StateRootWorker(sdb.nodes);
  assert.equal(bytesToHex(await s.copy().intermediateRootOffThread(ok, true)), bytesToHex(want));
  assert.equal(ok.stats.computed, 1);
  await ok.close();
});
