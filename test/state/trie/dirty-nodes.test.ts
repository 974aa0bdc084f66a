/**
 * The dirty-node cache under a seeded chain of commits (an account trie whose
 * leaves point at a storage trie, a window of kept roots, flushes on a budget,
 * collapses that reload nodes from it): after every block the cache holds
 * exactly the dirty nodes the kept roots reach, every kept state walks whole
 * with every hash checked, what is on disk is closed under references
 * (children were flushed first), and a flush with the head's root writes the
 * head's nodes before any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesKey, keyBytes } from '../../../src/crypto/bytes.js';
import { keccak256 } from '../../../src/crypto/keccak.js';
import { asHash, type Hash } from '../../../src/crypto/primitives.js';
import { decodeRlp, type RlpItem } from '../../../src/crypto/rlp.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { schema } from '../../../src/state/schema.js';
import { decodeAccount, EMPTY_CODE_HASH, encodeAccount, storageRootIn } from '../../../src/state/statedb/account.js';
import { DirtyNodeCache } from '../../../src/state/trie/dirty-nodes.js';
import { hexPrefixDecode } from '../../../src/state/trie/node.js';
import { TrieNodeStore } from '../../../src/state/trie/node-store.js';
import { EMPTY_ROOT, SecureTrie, type NodeSink, type NodeSource } from '../../../src/state/trie/trie.js';
import { Rng } from '../../../tools/workload/rng.js';

const SEED = Number(process.env.SEED ?? 0xd1e7);

/** Every hashed node under `root` (keys), read from `source` with its hash checked; `account` leaves lead into their storage tries. */
function reach(source: NodeSource, root: Uint8Array, account: boolean, out: Set<string>, ctx: string): void {
  if (bytesKey(root) === bytesKey(EMPTY_ROOT)) return;
  const stack: { hash: Uint8Array; account: boolean }[] = [{ hash: root, account }];
  while (stack.length) {
    const { hash, account: acc } = stack.pop()!;
    const k = bytesKey(hash);
    if (out.has(k)) continue;
    const enc = source.getNode(hash);
    assert.ok(enc, `${ctx}: missing node ${Buffer.from(hash).toString('hex')}`);
    assert.equal(bytesKey(keccak256(enc)), k, `${ctx}: node stored under the wrong hash`);
    out.add(k);
    const visit = (item: RlpItem) => {
      if (!Array.isArray(item)) {
        if (item.length === 32) stack.push({ hash: item, account: acc });
        return;
      }
      if (item.length === 17) for (let i = 0; i < 16; i++) visit(item[i]!);
      else if (hexPrefixDecode(item[0] as Uint8Array).leaf) {
        if (acc) {
          const r = decodeAccount(item[1] as Uint8Array).storageRoot;
          if (bytesKey(r) !== bytesKey(EMPTY_ROOT)) stack.push({ hash: r, account: false });
        }
      } else visit(item[1]!);
    };
    visit(decodeRlp(enc));
  }
}

/** Every trie node on disk has its hashed references on disk too (flushes put children first). */
async function assertClosedOnDisk(db: MemoryDatabase, ctx: string): Promise<number> {
  const onDisk = new Map<string, Uint8Array>();
  for await (const [k, v] of db.iterate(schema.trieNode(new Uint8Array(0)))) onDisk.set(bytesKey(k.subarray(1)), v);
  const source: NodeSource = { getNode: (h) => onDisk.get(bytesKey(h)) };
  for (const [k, enc] of onDisk) {
    const item = decodeRlp(enc);
    // An account leaf's storage root is a reference too: try the node as an account trie's when its leaf decodes as an account.
    let account = false;
    if (Array.isArray(item) && item.length === 2 && hexPrefixDecode(item[0] as Uint8Array).leaf) {
      try {
        decodeAccount(item[1] as Uint8Array);
        account = (item[1] as Uint8Array).length > 60;
      } catch {
        account = false;
      }
    }
    reach(source, keyBytes(k), account, new Set(), `${ctx}: disk closure`);
  }
  return onDisk.size;
}

test(`dirty nodes: exact reference counts, whole kept states, children-first flushes, the head's nodes first (seed ${SEED})`, async () => {
  const rng = new Rng(SEED);
  const db = new MemoryDatabase();
  const store = new TrieNodeStore(db);
  const dirty = new DirtyNodeCache();
  store.dirty = dirty;
  const sink: NodeSink = { wantsKeys: true, node: (_h, enc, key, children) => dirty.insert(key, enc, children) };
  const leafRef = (v: Uint8Array) => {
    const r = storageRootIn(v);
    return bytesKey(r) === bytesKey(EMPTY_ROOT) ? undefined : bytesKey(r);
  };
  let accounts = new SecureTrie(EMPTY_ROOT, store);
  let storage = new SecureTrie(EMPTY_ROOT, store);
  const addrs: Uint8Array[] = [];
  const slots: Uint8Array[] = [];
  const kept: Hash[] = [];
  const KEEP = 8;
  let flushes = 0;
  for (let block = 1; block <= 80; block++) {
    const ctx = `seed ${SEED}, block ${block}`;
    // Storage first, as StateDB commits it, then accounts; one account holds the storage trie.
    for (let i = 0; i < 1 + rng.int(20); i++) {
      if (slots.length && rng.bool(0.2)) storage.del(rng.pick(slots));
      else {
        const s = slots.length && rng.bool(0.5) ? rng.pick(slots) : rng.bytes(32);
        if (!slots.includes(s)) slots.push(s);
        storage.put(s, rng.bytes(1 + rng.int(32)));
      }
    }
    const storageRoot = storage.commitTo(sink);
    storage.collapse();
    const holder = new Uint8Array(20).fill(7);
    accounts.put(holder, encodeAccount({ nonce: BigInt(block), balance: 1n, storageRoot, codeHash: EMPTY_CODE_HASH }));
    for (let i = 0; i < 5 + rng.int(60); i++) {
      if (addrs.length && rng.bool(0.1)) accounts.del(rng.pick(addrs));
      else {
        const a = addrs.length && rng.bool(0.6) ? rng.pick(addrs) : rng.bytes(20);
        if (!addrs.includes(a)) addrs.push(a);
        accounts.put(a, encodeAccount({ nonce: BigInt(rng.int(100)), balance: rng.bigint(10n ** 20n), storageRoot: EMPTY_ROOT, codeHash: EMPTY_CODE_HASH }));
      }
    }
    const root = accounts.commitTo(sink, leafRef);
    accounts.collapse();
    dirty.reference(root);
    kept.push(root);
    if (kept.length > KEEP) dirty.dereference(kept.shift()!);

    if (block % 3 === 0) {
      const headReach = new Set<string>();
      reach(store, root, true, headReach, ctx);
      const headDirty = [...headReach].filter((k) => dirty.has(keyBytes(k)));
      const batch = db.batch();
      // A share of what the head's dirty nodes hold, sometimes more than all of it (then older states' nodes follow).
      const headBytes = headDirty.reduce((n, k) => n + dirty.get(keyBytes(k))!.length + 100, 0);
      const flushed = dirty.flushOldest(batch, Math.max(0, Math.floor(dirty.bytes - headBytes * rng.pick([0.3, 0.6, 0.9, 1.5]))), root);
      await batch.write();
      dirty.forget(flushed, (k, enc) => store.cacheByKey(k, enc));
      flushes++;
      const fromHead = flushed.filter((k) => headReach.has(k)).length;
      assert.ok(fromHead === flushed.length || fromHead === headDirty.length, `${ctx}: the head's nodes go first (${fromHead} of ${flushed.length} flushed, head had ${headDirty.length})`);
      await assertClosedOnDisk(db, ctx);
    }

    // Exactly the dirty nodes the kept roots reach are held: nothing leaks, nothing is freed early.
    const reached = new Set<string>();
    for (const r of kept) reach(store, r, true, reached, ctx);
    const reachedDirty = [...reached].filter((k) => dirty.has(keyBytes(k))).length;
    assert.equal(dirty.size, reachedDirty, `${ctx}: held ${dirty.size} dirty nodes, kept states reach ${reachedDirty}`);
    // Later blocks build on copies, as chains do.
    accounts = accounts.copy();
    storage = storage.copy();
  }
  assert.ok(flushes >= 20);
  // A state no longer kept is gone if none of its nodes were flushed; the head is whole from disk once flushed.
  const batch = db.batch();
  const flushed = dirty.flushRoot(batch, kept[kept.length - 1]!);
  await batch.write();
  dirty.forget(flushed);
  const fromDisk = new TrieNodeStore(db);
  reach(fromDisk, kept[kept.length - 1]!, true, new Set(), `seed ${SEED}: head from disk alone`);
  void asHash;
});

test('dirty nodes: a 300k-deep chain is flushed whole and freed without overflowing the call stack', async () => {
  const dirty = new DirtyNodeCache();
  const key = (i: number) => { const b = Buffer.alloc(32); b.writeUInt32BE(i + 1); return b; };
  // Extension nodes [0x00, child hash]: each points at the one inserted before it.
  const ext = (child: Uint8Array) => Uint8Array.from([0xe2, 0x00, 0xa0, ...child]);
  const N = 300_000;
  for (let i = 0; i < N; i++) dirty.insert(bytesKey(key(i)), ext(key(i === 0 ? N + 5 : i - 1)), i === 0 ? [bytesKey(key(N + 5))] : [bytesKey(key(i - 1))]);
  const db = new MemoryDatabase();
  const batch = db.batch();
  const flushed = dirty.flushRoot(batch, key(N - 1));
  assert.equal(flushed.length, N);
  assert.equal(batch.size, N);
  assert.equal(flushed[0], bytesKey(key(0)), 'children first');
  // And a deep free: reference, dereference, nothing left.
  dirty.reference(key(N - 1));
  dirty.dereference(key(N - 1));
  assert.equal(dirty.size, 0);
  assert.equal(dirty.bytes, 0);
});
