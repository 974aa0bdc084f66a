/**
 * The flat state against the trie, on real LevelDB. A seeded randomized chain
 * (transfers to known and fresh accounts, zero-value touches that EIP-158
 * deletes, system actions writing storage, failing txs) with a shallow reorg
 * inside the diff layers and a deep one below the disk layer: a chain that
 * reads the flat state and one that walks the trie import the same blocks
 * (their roots are validated, so every read fed the same execution), and at
 * every head the flat entries on disk equal the trie's leaves after a stop.
 * The tree alone: a destructed account's slots are gone below and on disk, a
 * flattened layer's reader goes stale and its StateDB falls back to the trie.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, utf8ToBytes } from '../../../src/crypto/bytes.js';
import { asAddress, asHash, type Address, type Hash } from '../../../src/crypto/primitives.js';
import { Blockchain } from '../../../src/core/chain/blockchain.js';
import { LevelDatabase, type KeyValueStore } from '../../../src/state/database.js';
import { schema } from '../../../src/state/schema.js';
import { SnapshotTree } from '../../../src/state/snapshot/snapshot-tree.js';
import { emptyDiff, flatKey } from '../../../src/state/snapshot/flat-state.js';
import { trieLeaves } from '../../../src/state/trie/leaves.js';
import { storageRootIn } from '../../../src/state/statedb/account.js';
import { EMPTY_ROOT } from '../../../src/state/trie/trie.js';
import { SYSTEM_ACTION_ADDRESS } from '../../../src/sysaction/addresses.js';
import { headerHash } from '../../../src/types/header.js';
import type { Block } from '../../../src/types/block.js';
import type { Transaction } from '../../../src/types/transaction.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';
import { Rng } from '../../../tools/workload/rng.js';
import { setVerbosity } from '../../../src/util/log.js';

const ETHER = 10n ** 18n;
const SEED = Number(process.env.SEED ?? 0xf1a7);
const ctx = `seed ${SEED} (rerun with SEED=${SEED})`;
const signers = [testAccount('flat-s1'), testAccount('flat-s2'), testAccount('flat-s3')];
const users = testAccounts('flat-user', 24);
const forker = testAccount('flat-forker');
const spec = { signers, alloc: [...users, forker].map((u) => ({ address: u.address, balance: 1000n * ETHER })) };

function randomTxs(rng: Rng, watched: Address[]): Transaction[] {
  const txs: Transaction[] = [];
  for (let i = 0; i < 10; i++) {
    const from = rng.pick(users);
    const r = rng.int(10);
    if (r < 4) txs.push(transfer(from, rng.pick(users).address, rng.bigint(ETHER), 1337n));
    else if (r < 6) {
      const to = asAddress(rng.bytes(20));
      watched.push(to);
      txs.push(transfer(from, to, 1n + rng.bigint(ETHER), 1337n, { type: 2 }));
    } else if (r < 7) {
      // Zero value to a fresh account: touched, empty, deleted by EIP-158.
      const to = asAddress(rng.bytes(20));
      watched.push(to);
      txs.push(transfer(from, to, 0n, 1337n));
    } else if (r < 9) {
      const json = rng.bool() ? `{"action":"NODE_REGISTER","payload":{"commission_bps":${rng.int(500)}}}` : '{"action":"NODE_STAKE","payload":{}}';
      txs.push(transfer(from, SYSTEM_ACTION_ADDRESS, rng.bool() ? ETHER : 0n, 1337n, { data: utf8ToBytes(json), gasLimit: 400_000n }));
    } else {
      // Fails inside the block (malformed action): gas paid, nonce bumped, value returned.
      txs.push(transfer(from, SYSTEM_ACTION_ADDRESS, ETHER, 1337n, { data: utf8ToBytes('{"action":'), gasLimit: 400_000n }));
    }
  }
  return txs;
}

/** Flat entries on disk as "key=value" lines, and the same from the trie of `root`. */
async function flatOnDisk(db: KeyValueStore): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of db.iterate(schema.flatAccountPrefix)) out.push(`a${bytesToHex(k.subarray(1))}=${bytesToHex(v)}`);
  for await (const [k, v] of db.iterate(schema.flatStoragePrefix())) out.push(`o${bytesToHex(k.subarray(1))}=${bytesToHex(v)}`);
  return out.sort();
}

function trieEntries(chain: Blockchain, root: Hash): string[] {
  const out: string[] = [];
  for (const [h, acct] of trieLeaves(chain.stateDb.nodes, root)) {
    out.push(`a${bytesToHex(h)}=${bytesToHex(acct)}`);
    const sr = storageRootIn(acct);
    for (const [sh, v] of trieLeaves(chain.stateDb.nodes, sr)) out.push(`o${bytesToHex(h)}${bytesToHex(sh, false)}=${bytesToHex(v)}`);
  }
  return out.sort();
}

function reads(chain: Blockchain, who: readonly Address[]): string[] {
  const s = chain.headState();
  return who.map((a) => `${bytesToHex(a)}:${s.getBalance(a)}:${s.getNonce(a)}:${s.exist(a)}`);
}

test('flat state: equal to the trie through a randomized chain, a shallow and a deep reorg, stop and restart, and a crash', async () => {
  setVerbosity(1);
  for (const u of [...users, forker]) u.nonce = 0n;
  const rng = new Rng(SEED);
  const watched: Address[] = [...users.map((u) => u.address), SYSTEM_ACTION_ADDRESS];
  // The builder executes with trie reads only: the reference.
  const b = await ChainBuilder.create(spec, undefined, { flatState: false });
  for (let i = 0; i < 40; i++) await b.addBlock(randomTxs(rng, watched));
  const main = [...b.blocks];
  // Shallow fork (2 blocks below the head, inside 4 layers) and deep fork (25 below), each heavier than what it replaces.
  const forkFrom = async (at: number, n: number): Promise<Block[]> => {
    const out: Block[] = [];
    let parent = main[at]!.header;
    forker.nonce = 0n;
    for (let i = 0; i < n; i++) {
      // Only the forker sends on forks (its nonces restart at the fork point; it never sends on the main chain).
      const fresh = asAddress(rng.bytes(20));
      watched.push(fresh);
      const txs = [
        transfer(forker, users[i % users.length]!.address, 7n, 1337n),
        transfer(forker, fresh, rng.bool() ? 0n : 5n, 1337n),
        transfer(forker, SYSTEM_ACTION_ADDRESS, ETHER, 1337n, { data: utf8ToBytes('{"action":"NODE_STAKE","payload":{}}'), gasLimit: 400_000n }),
      ];
      const blk = b.makeBlock(parent, txs, { timeDelta: 2n });
      await b.chain.insertBlock(blk);
      out.push(blk);
      parent = blk.header;
    }
    return out;
  };
  const dir = mkdtempSync(join(tmpdir(), 'gtos-flat-'));
  try {
    const fdb = await LevelDatabase.open(join(dir, 'flat'));
    const flat = await Blockchain.open({ db: fdb, genesis: b.genesis, flatLayers: 4, gcmode: 'full' });
    const tdb = await LevelDatabase.open(join(dir, 'trie'));
    const trie = await Blockchain.open({ db: tdb, genesis: b.genesis, flatState: false, gcmode: 'full' });
    for (const blk of main) {
      assert.equal(await flat.insertBlock(blk), 'canonical', `${ctx}: block ${blk.header.number} with flat reads`);
      await trie.insertBlock(blk);
      assert.ok(flat.snapshots!.layerCount <= 5, `${ctx}: at most 4 diff layers and the disk layer`);
    }
    assert.deepEqual(reads(flat, watched), reads(trie, watched), `${ctx}: same reads at the head`);
    // A flattened layer went into the disk layer in the block's batch: the disk root is 4 states below the head.
    assert.equal(bytesToHex(flat.snapshots!.diskRoot!), bytesToHex(main[35]!.header.stateRoot), `${ctx}: disk layer 4 below the head`);

    for (const [name, fork] of [['shallow', await forkFrom(37, 3)], ['deep', await forkFrom(14, 27)]] as const) {
      const generated = flat.snapshots!.generated;
      for (const blk of fork) {
        await flat.insertBlock(blk);
        await trie.insertBlock(blk);
      }
      assert.equal(bytesToHex(flat.currentHash()), bytesToHex(headerHash(fork.at(-1)!.header)), `${ctx}: the ${name} fork is the head`);
      assert.deepEqual(reads(flat, watched), reads(trie, watched), `${ctx}: same reads after the ${name} reorg`);
      assert.ok(flat.snapshots!.reader(flat.currentHeader().stateRoot), `${ctx}: the head has a flat layer after the ${name} reorg`);
      // Within the diff layers the flat state follows the reorg; below the disk layer it is rebuilt from the trie.
      assert.equal(flat.snapshots!.generated - generated, name === 'deep' ? 1 : 0, `${ctx}: rebuilds on the ${name} reorg`);
    }
    // A clean stop flattens every layer: the disk holds exactly the head's trie.
    await flat.stop();
    const head = flat.currentHeader().stateRoot;
    assert.deepEqual(await flatOnDisk(fdb), trieEntries(flat, head), `${ctx}: flat entries on disk equal the trie after stop`);
    assert.equal(bytesToHex(fdb.get(schema.flatStateRoot)!), bytesToHex(head));
    await fdb.close();

    // Restart after the clean stop: the marker matches, no rebuild, reads come from disk.
    const fdb2 = await LevelDatabase.open(join(dir, 'flat'));
    const again = await Blockchain.open({ db: fdb2, flatLayers: 4, gcmode: 'full' });
    assert.equal(bytesToHex(again.snapshots!.diskRoot!), bytesToHex(head));
    assert.equal(again.snapshots!.generated, 0, `${ctx}: no rebuild after a clean stop`);
    assert.deepEqual(reads(again, watched), reads(trie, watched), `${ctx}: reads from the reopened flat state`);
    // More blocks, then a crash (no stop): the marker is older than the head, so the next open rebuilds.
    const more = [];
    let parent = again.currentHeader();
    // The deep reorg undid most of the users' txs: their next nonces come from the head state.
    for (const u of users) u.nonce = again.headState().getNonce(u.address);
    for (let i = 0; i < 8; i++) {
      const blk = b.makeBlock(parent, randomTxs(rng, watched));
      await b.chain.insertBlock(blk);
      more.push(blk);
      parent = blk.header;
    }
    for (const blk of more) {
      await again.insertBlock(blk);
      await trie.insertBlock(blk);
    }
    // The marker trails the head by the diff layers; the pruned trie states of these blocks are in memory only.
    assert.notEqual(bytesToHex(fdb2.get(schema.flatStateRoot)!), bytesToHex(again.currentHeader().stateRoot));
    const stoppedHead = again.currentHeader().stateRoot;
    await fdb2.close(); // a crash: no stop
    const fdb3 = await LevelDatabase.open(join(dir, 'flat'));
    const rebuilt = await Blockchain.open({ db: fdb3, flatLayers: 4, gcmode: 'full' });
    assert.equal(bytesToHex(rebuilt.snapshots!.diskRoot!), bytesToHex(stoppedHead), `${ctx}: repaired and rebuilt at the head`);
    assert.equal(rebuilt.snapshots!.generated, 1, `${ctx}: rebuilt once after the crash`);
    assert.deepEqual(await flatOnDisk(fdb3), trieEntries(rebuilt, stoppedHead), `${ctx}: rebuilt entries equal the trie`);
    assert.deepEqual(reads(rebuilt, watched), reads(trie, watched), `${ctx}: reads after the rebuild`);
    await rebuilt.stop();
    await fdb3.close();
    await trie.stop();
    await tdb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flat state tree: destructed slots are gone below and on disk; a flattened layer goes stale', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-flat-tree-'));
  const db = await LevelDatabase.open(dir);
  try {
    const tree = new SnapshotTree(db, { maxLayers: 1 });
    const r = (n: number) => asHash(new Uint8Array(32).fill(n));
    // A disk layer at an empty state (nothing to generate).
    await tree.generate(asHash(EMPTY_ROOT), { getNode: () => undefined });
    const A = new Uint8Array(32).fill(0xaa), s1 = new Uint8Array(32).fill(1), s2 = new Uint8Array(32).fill(2);
    const acct = Uint8Array.of(0xc4, 1, 2, 3, 4);
    const d1 = emptyDiff();
    d1.accounts.set(flatKey(A), acct);
    d1.storage.set(flatKey(A), new Map([[flatKey(s1), Uint8Array.of(0x11)], [flatKey(s2), Uint8Array.of(0x22)]]));
    tree.update(r(1), asHash(EMPTY_ROOT), d1);
    const d2 = emptyDiff();
    d2.accounts.set(flatKey(A), acct);
    d2.destructs.add(flatKey(A));
    d2.storage.set(flatKey(A), new Map([[flatKey(s2), Uint8Array.of(0x33)]]));
    tree.update(r(2), r(1), d2);
    const l1 = tree.reader(r(1))!, l2 = tree.reader(r(2))!;
    assert.deepEqual(l1.storage(A, s1), Uint8Array.of(0x11));
    assert.equal(l2.storage(A, s1), null, 'wiped by the destruct');
    assert.deepEqual(l2.storage(A, s2), Uint8Array.of(0x33), 're-set after the destruct');
    // Both into the disk layer in one batch (slots of r1 are queued, not yet on disk, when r2 wipes them).
    const batch = db.batch();
    assert.equal(await tree.cap(batch, r(2), 0), true);
    assert.equal(l1.stale, true, 'the flattened layer is stale');
    assert.throws(() => l1.account(A), /stale/);
    const disk = tree.reader(r(2))!;
    assert.equal(disk.storage(A, s1), null, 'the wipe is read before the batch lands');
    await batch.write();
    tree.written();
    assert.equal(disk.storage(A, s1), null);
    assert.deepEqual(disk.storage(A, s2), Uint8Array.of(0x33));
    assert.equal(db.get(schema.flatStorage(A, s1)), undefined, 'the wiped slot is not on disk');
    assert.equal(bytesToHex(db.get(schema.flatStorage(A, s2))!), '0x33');
    assert.equal(bytesToHex(db.get(schema.flatStateRoot)!), bytesToHex(r(2)));
    // A diff on a root the tree does not have is ignored, and the head without a layer is reported.
    tree.update(r(9), r(8), emptyDiff());
    assert.equal(tree.reader(r(9)), undefined);
    assert.equal(await tree.cap(db.batch(), r(9)), false);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
