/**
 * `--cache` sizes the state's caches in bytes: go-ethereum's split of it, and
 * a node cache (on real LevelDB) that holds what fits its byte budget whatever
 * the node sizes, evicting the oldest generation first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheBudget, entryBytes } from '../../src/state/cache-budget.js';
import { LevelDatabase } from '../../src/state/database.js';
import { TrieNodeStore } from '../../src/state/trie/node-store.js';
import { keccak256 } from '../../src/crypto/keccak.js';

const MiB = 1024 * 1024;

test('cache budget: geth split of --cache (25 % dirty, 15 % clean trie, 10 % flat), at least 16 MB', () => {
  assert.deepEqual(cacheBudget(1024), { dirtyBytes: 256 * MiB, trieCleanBytes: Math.floor(153.6 * MiB), flatBytes: Math.floor(102.4 * MiB) });
  assert.deepEqual(cacheBudget(4), cacheBudget(16));
  assert.equal(cacheBudget().dirtyBytes, cacheBudget(1024).dirtyBytes);
});

function node(i: number, size: number): { hash: Uint8Array; enc: Uint8Array } {
  const enc = new Uint8Array(size).fill(i & 0xff);
  enc[0] = i >> 8;
  enc[1] = i & 0xff;
  return { hash: keccak256(enc), enc };
}

test('clean node cache: bounded by bytes, not entries; the newest are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cache-'));
  const db = await LevelDatabase.open(dir);
  try {
    const budget = 200_000;
    const held = (size: number) => {
      // Cached only (nothing on disk): a node the cache dropped reads as absent.
      const store = new TrieNodeStore(db, budget);
      const nodes = Array.from({ length: 3000 }, (_, i) => node(i, size));
      for (const n of nodes) store.cache(n.hash, n.enc);
      const count = store.cachedEntries;
      const perEntry = entryBytes('', nodes[0]!.enc);
      assert.ok(count * perEntry <= budget + perEntry, `held ${count} entries of ${perEntry} B within ${budget} B`);
      // The newest half-budget (one generation) is always held; read newest first (young hits promote nothing).
      const newest = Math.floor(budget / 2 / perEntry);
      for (let i = nodes.length - 1; i >= nodes.length - newest; i--) assert.ok(store.getNode(nodes[i]!.hash), `newest node ${i} is held`);
      assert.equal(store.getNode(nodes[0]!.hash), undefined, 'the oldest node was evicted');
      return count;
    };
    const small = held(40);
    const large = held(600);
    assert.ok(small > 2 * large, `more small nodes (${small}) than large ones (${large}) fit the same budget`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
