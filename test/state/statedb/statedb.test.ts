/**
 * StateDB against a plain reference model (seeded random balance, nonce,
 * code and storage ops with nested snapshots and reverts), its root against
 * @ethereumjs/mpt built independently, persistence across a LevelDB reopen,
 * copy isolation, and EIP-1186 proofs verified by both verifiers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMPT, verifyMerkleProof } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bigintToBytes, bigintToBytesPadded, bytesToBigint, bytesToHex } from '../../../src/crypto/bytes.js';
import { keccak256 } from '../../../src/crypto/keccak.js';
import { asAddress, type Address, type Hash } from '../../../src/crypto/primitives.js';
import { StateDB } from '../../../src/state/statedb/statedb.js';
import { StateDatabase } from '../../../src/state/statedb/state-database.js';
import { EMPTY_CODE_HASH, encodeAccount } from '../../../src/state/statedb/account.js';
import { LevelDatabase, MemoryDatabase } from '../../../src/state/database.js';
import { EMPTY_ROOT } from '../../../src/state/trie/trie.js';
import { verifyProof } from '../../../src/state/trie/proof.js';
import { Rng } from '../../../tools/workload/rng.js';

interface Acct { balance: bigint; nonce: bigint; code?: Uint8Array; storage: Map<string, bigint> }

async function oracleRoot(model: Map<string, Acct>): Promise<string> {
  const t = await createMPT({ useKeyHashing: true });
  for (const [hex, a] of model) {
    if (a.balance === 0n && a.nonce === 0n && !a.code) continue; // EIP-158: empty accounts do not exist
    let storageRoot = EMPTY_ROOT as Uint8Array;
    const live = [...a.storage].filter(([, v]) => v !== 0n);
    if (live.length) {
      const st = await createMPT({ useKeyHashing: true });
      for (const [k, v] of live) await st.put(Buffer.from(k, 'hex'), RLP.encode(bigintToBytes(v)));
      storageRoot = st.root();
    }
    const codeHash = a.code ? keccak256(a.code) : EMPTY_CODE_HASH;
    await t.put(Buffer.from(hex, 'hex'), encodeAccount({ nonce: a.nonce, balance: a.balance, storageRoot: storageRoot as Hash, codeHash: codeHash as Hash }));
  }
  return bytesToHex(t.root());
}

test('random ops with nested snapshots/reverts match a reference model; roots match the oracle', async () => {
  for (const seed of [1, 2, 3]) {
    const rng = new Rng(seed);
    const state = new StateDB(EMPTY_ROOT, new StateDatabase(new MemoryDatabase()));
    const addrs = Array.from({ length: 12 }, () => asAddress(rng.bytes(20)));
    const slots = Array.from({ length: 4 }, () => rng.bytes(32) as Hash);
    let model = new Map<string, Acct>();
    const clone = (m: Map<string, Acct>) => new Map([...m].map(([k, a]) => [k, { ...a, storage: new Map(a.storage) }]));
    const get = (a: Address) => {
      const k = bytesToHex(a, false);
      if (!model.has(k)) model.set(k, { balance: 0n, nonce: 0n, storage: new Map() });
      return model.get(k)!;
    };
    for (let tx = 0; tx < 60; tx++) {
      const stack: { id: number; model: Map<string, Acct> }[] = [];
      for (let i = 0; i < 20; i++) {
        const a = rng.pick(addrs);
        const r = rng.int(10);
        if (r < 3) {
          const v = rng.bigint(1000n);
          state.addBalance(a, v);
          get(a).balance += v;
        } else if (r < 4) {
          const m = get(a);
          const v = rng.bigint(m.balance);
          state.subBalance(a, v);
          m.balance -= v;
        } else if (r < 5) {
          state.setNonce(a, BigInt(rng.int(5)));
          get(a).nonce = state.getNonce(a);
        } else if (r < 6) {
          const slot = rng.pick(slots);
          const v = rng.bool(0.3) ? 0n : rng.bigint(1n << 200n);
          state.setState(a, slot, bigintToBytesPadded(v, 32));
          get(a).storage.set(bytesToHex(slot, false), v);
        } else if (r < 7 && !get(a).code && rng.bool(0.2)) {
          const code = rng.bytes(1 + rng.int(10));
          state.setCode(a, code);
          get(a).code = code;
        } else if (r < 8) {
          stack.push({ id: state.snapshot(), model: clone(model) });
        } else if (r < 9 && stack.length) {
          const s = stack.splice(rng.int(stack.length))[0]!;
          state.revertToSnapshot(s.id);
          model = s.model;
        }
        for (const x of addrs.slice(0, 3)) {
          assert.equal(state.getBalance(x), model.get(bytesToHex(x, false))?.balance ?? 0n, `seed ${seed} tx ${tx} op ${i}`);
        }
      }
      state.finalise(true);
      // EIP-158 in the model: accounts left empty after the tx vanish, storage included.
      for (const [k, m] of model) if (m.balance === 0n && m.nonce === 0n && !m.code) model.delete(k);
    }
    for (const [k, m] of model) {
      const a = asAddress(Buffer.from(k, 'hex'));
      for (const [s, v] of m.storage) assert.equal(bytesToBigint(state.getState(a, Buffer.from(s, 'hex') as never)), v);
    }
    assert.equal(bytesToHex(state.intermediateRoot(true)), await oracleRoot(model), `seed ${seed}: root`);
  }
});

test('commit to LevelDB and reopen; copies are isolated both ways; proofs verify', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-sdb-'));
  try {
    let db = await LevelDatabase.open(dir);
    const s = new StateDB(EMPTY_ROOT, new StateDatabase(db));
    const a = asAddress(new Uint8Array(20).fill(1));
    const b = asAddress(new Uint8Array(20).fill(2));
    const slot = new Uint8Array(32).fill(3) as Hash;
    s.addBalance(a, 100n);
    s.setNonce(a, 7n);
    s.setState(a, slot, bigintToBytesPadded(42n, 32));
    s.setCode(b, Uint8Array.of(0x60, 1));
    s.addBalance(b, 1n);
    const batch = db.batch();
    const root = s.commit(batch, true);
    await batch.write();
    await db.close();
    db = await LevelDatabase.open(dir);
    const r = new StateDB(root, new StateDatabase(db));
    assert.equal(r.getBalance(a), 100n);
    assert.equal(r.getNonce(a), 7n);
    assert.equal(bytesToBigint(r.getState(a, slot)), 42n);
    assert.equal(bytesToHex(r.getCode(b)), '0x6001');
    const p = r.getProof(a, [slot]);
    assert.equal(bytesToHex(verifyProof(root, keccak256(a), p.accountProof)!), bytesToHex(encodeAccount({ nonce: 7n, balance: 100n, storageRoot: p.storageHash, codeHash: p.codeHash })));
    const theirs = await verifyMerkleProof(a, p.accountProof, { useKeyHashing: true, root } as never);
    assert.ok(theirs);
    assert.equal(p.storageProof[0]!.value, 42n);
    assert.ok(verifyProof(p.storageHash, keccak256(slot), p.storageProof[0]!.proof));
    const absent = r.getProof(asAddress(new Uint8Array(20).fill(9)), []);
    assert.equal(verifyProof(root, keccak256(new Uint8Array(20).fill(9)), absent.accountProof), undefined);
    const c = r.copy();
    c.addBalance(a, 1n);
    r.addBalance(b, 5n);
    assert.equal(r.getBalance(a), 100n);
    assert.equal(c.getBalance(b), 1n);

    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
