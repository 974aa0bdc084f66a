/**
 * Trie benchmark: 20k account updates over a 100k-account state, hashed and
 * committed to LevelDB — ours against @ethereumjs/mpt over the same LevelDB
 * in the same run (the oracle on its in-memory DB, which only flatters it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMPT } from '@ethereumjs/mpt';
import { LevelDatabase } from '../src/state/database.js';
import { EMPTY_ROOT, SecureTrie } from '../src/state/trie/trie.js';
import { TrieNodeStore } from '../src/state/trie/node-store.js';
import { encodeAccount } from '../src/state/statedb/account.js';
import { EMPTY_CODE_HASH } from '../src/state/statedb/account.js';
import { bytesToHex } from '../src/crypto/bytes.js';
import { Rng } from '../tools/workload/rng.js';

function account(rng: Rng) {
  return encodeAccount({ nonce: BigInt(rng.int(1000)), balance: rng.bigint(10n ** 24n), storageRoot: EMPTY_ROOT, codeHash: EMPTY_CODE_HASH });
}

export async function runTrieBench(opts: { accounts?: number; updates?: number; oracle?: boolean } = {}): Promise<Record<string, unknown>> {
  const accounts = opts.accounts ?? 100_000;
  const updates = opts.updates ?? 20_000;
  const rng = new Rng(42);
  const keys = Array.from({ length: accounts }, () => rng.bytes(20));
  const initial = keys.map(() => account(rng));
  const picks = Array.from({ length: updates }, () => rng.int(accounts));
  const newValues = picks.map(() => account(rng));

  // Ours.
  const dir = mkdtempSync(join(tmpdir(), 'gtos-triebench-'));
  const db = await LevelDatabase.open(dir);
  let oursMs: number, oursRoot: string, warmMs: number;
  try {
    const t = new SecureTrie(EMPTY_ROOT, new TrieNodeStore(db));
    for (let i = 0; i < accounts; i++) t.put(keys[i]!, initial[i]!);
    let b = db.batch();
    const root0 = t.commit(b);
    await b.write();
    // Measure from a fresh trie over the committed state, as a new block would see it.
    const t2 = new SecureTrie(root0, new TrieNodeStore(db));
    const t0 = performance.now();
    for (let i = 0; i < updates; i++) t2.put(keys[picks[i]!]!, newValues[i]!);
    b = db.batch();
    oursRoot = bytesToHex(t2.commit(b));
    await b.write();
    oursMs = performance.now() - t0;
    // Steady state: the node keeps the committed trie decoded (StateDatabase.remember), so the next
    // block's updates start warm. Same work again on the now-warm trie.
    const newer = picks.map(() => account(rng));
    const t1 = performance.now();
    for (let i = 0; i < updates; i++) t2.put(keys[picks[i]!]!, newer[i]!);
    b = db.batch();
    t2.commit(b);
    await b.write();
    warmMs = performance.now() - t1;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const out: Record<string, unknown> = { accounts, updates, oursMs: Math.round(oursMs), oursWarmMs: Math.round(warmMs!) };
  if (opts.oracle !== false) {
    // The oracle runs on its own in-memory DB (faster for it than LevelDB), so the ratio is conservative.
    {
      const mpt = await createMPT({ useKeyHashing: true });
      await mpt.batch(keys.map((k, i) => ({ type: 'put' as const, key: k, value: initial[i]! })));
      const t0 = performance.now();
      for (let i = 0; i < updates; i++) await mpt.put(keys[picks[i]!]!, newValues[i]!);
      const mptRoot = bytesToHex(mpt.root());
      const mptMs = performance.now() - t0;
      out.mptMs = Math.round(mptMs);
      out.ratio = +(mptMs / oursMs).toFixed(1);
      out.ratioWarm = +(mptMs / warmMs!).toFixed(1);
      out.rootsMatch = mptRoot === oursRoot;
      out.oracleDb = 'in-memory';
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runTrieBench());
}
