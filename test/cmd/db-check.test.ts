/**
 * A damaged database as a user meets it: `gtos db check` (a child process)
 * says "database OK" on a sound datadir and exits non-zero naming the block
 * or key of a damaged record or of bytes flipped in the .ldb files, but takes
 * a head state an unclean stop left unwritten for what it is; the node
 * refuses to start on it, suggesting `gtos db check`; and a running node
 * answers a read of a damaged record with −32000 naming the block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../../src/crypto/bytes.js';
import type { Hash } from '../../src/crypto/primitives.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { ChainStore } from '../../src/core/chain/chain-store.js';
import { NodeStartError, startNode } from '../../src/node/node.js';
import { chainDataPath } from '../../src/node/datadir.js';
import { LevelDatabase } from '../../src/state/database.js';
import { schema } from '../../src/state/schema.js';
import { headerHash } from '../../src/types/header.js';
import { setVerbosity } from '../../src/util/log.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { Rng } from '../../tools/workload/rng.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const ETHER = 10n ** 18n;

function gtos(args: string[]) {
  return spawnSync(process.execPath, [GTOS, ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** A stopped node's datadir holding a 12-block chain; returns the blocks' hashes by number. */
async function makeDatadir(dir: string, blocks = 12): Promise<{ datadir: string; hashes: Hash[] }> {
  const datadir = join(dir, 'data');
  const db = await LevelDatabase.open(chainDataPath(datadir));
  const signer = testAccount('dbcheck-signer');
  const users = testAccounts('dbcheck-user', 20);
  const b = await ChainBuilder.create({ signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 10n * ETHER })) }, db);
  for (let n = 0; n < blocks; n++) {
    await b.addBlock(Array.from({ length: 10 }, (_, k) => transfer(users[(n * 3 + k) % 20]!, users[(n + k + 7) % 20]!.address, 1000n, 1337n)));
  }
  const hashes = [b.chain.genesisHash, ...b.blocks.map((x) => headerHash(x.header))];
  await db.close();
  return { datadir, hashes };
}

async function damage(datadir: string, key: Uint8Array, change: (old: Uint8Array) => Uint8Array): Promise<void> {
  const db = await LevelDatabase.open(chainDataPath(datadir));
  const batch = db.batch();
  batch.put(key, change(db.get(key)!));
  await batch.write();
  await db.close();
}

const nodeFlags = (datadir: string) => ({ datadir, http: true, 'http.port': '0', maxpeers: '0', verbosity: '0' });

test('db check: OK on a sound datadir; a damaged body is named by block and key, and the node refuses to start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-dbcheck-'));
  try {
    const { datadir, hashes } = await makeDatadir(dir);
    const ok = gtos(['db', 'check', '--datadir', datadir]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /database OK: head=#12 blocks=13 txs=120/);

    const key = schema.body(9n, hashes[9]!);
    await damage(datadir, key, (body) => body.subarray(0, body.length - 4));
    const bad = gtos(['db', 'check', '--datadir', datadir]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, new RegExp(`body does not decode.* at block 9 \\(key ${bytesToHex(key)}\\)`));
    assert.doesNotMatch(bad.stdout, /database OK/);

    await assert.rejects(startNode(resolveConfig(nodeFlags(datadir))), (e: Error) =>
      e instanceof NodeStartError && /at block 9/.test(e.message) && /gtos db check --datadir/.test(e.message));
    // The refused start closed the database: the check can open it again.
    assert.notEqual(gtos(['db', 'check', '--datadir', datadir]).status, 0);

    assert.notEqual(gtos(['db', 'check', '--datadir', join(dir, 'nowhere')]).status, 0);
  } finally {
    setVerbosity(3);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db check: a head state left unwritten by an unclean stop is not corruption; the start repairs it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-dbcheck-repair-'));
  try {
    const { datadir, hashes } = await makeDatadir(dir);
    const db = await LevelDatabase.open(chainDataPath(datadir));
    const head = new ChainStore(db).header(hashes[12]!, 12n)!;
    const batch = db.batch();
    batch.del(schema.trieNode(head.stateRoot));
    await batch.write();
    await db.close();
    const r = gtos(['db', 'check', '--datadir', datadir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the next start re-executes blocks #12\.\.#12; checked the state of block #11/);
    assert.match(r.stdout, /database OK: head=#12/);
    const node = await startNode(resolveConfig(nodeFlags(datadir)));
    assert.equal(node.chain.currentHeader().number, 12n);
    await node.stop();
  } finally {
    setVerbosity(3);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('db check: bytes flipped in the .ldb files exit non-zero naming a block or key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-dbcheck-ldb-'));
  try {
    const { datadir } = await makeDatadir(dir, 30);
    // Reopen once so the log is compacted into .ldb tables.
    await (await LevelDatabase.open(chainDataPath(datadir))).close();
    const files = readdirSync(chainDataPath(datadir)).filter((f) => f.endsWith('.ldb'));
    assert.ok(files.length > 0, 'the chain was flushed to .ldb tables');
    const rng = new Rng(5);
    for (const f of files) {
      const p = join(chainDataPath(datadir), f);
      const buf = readFileSync(p);
      for (let k = 0; k < 32; k++) buf[rng.int(buf.length)]! ^= 0xff;
      writeFileSync(p, buf);
    }
    const r = gtos(['db', 'check', '--datadir', datadir]);
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /database corrupt.*(at block \d+|key 0x[0-9a-f]+)/, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function rpc(url: string, method: string, params: unknown[]): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return res.json();
}

test('a running node answers a read of a damaged record with -32000 naming the block', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-dbcheck-rpc-'));
  try {
    const { datadir, hashes } = await makeDatadir(dir);
    const node = await startNode(resolveConfig(nodeFlags(datadir)));
    try {
      const url = `http://${node.rpc!.host}:${node.rpc!.port}`;
      const kv = node.chain.store.kv;
      const put = async (k: Uint8Array, v: Uint8Array) => { const b = kv.batch(); b.put(k, v); await b.write(); };
      const block4 = await rpc(url, 'eth_getBlockByNumber', ['0x4', false]);
      assert.equal(block4.result.number, '0x4');
      const txHash = block4.result.transactions[0] as string;

      await put(schema.body(3n, hashes[3]!), Uint8Array.of(0xc1, 0x05, 0x00));
      const bad = await rpc(url, 'eth_getBlockByNumber', ['0x3', true]);
      assert.equal(bad.error?.code, -32000, JSON.stringify(bad));
      assert.match(bad.error.message, /^database corruption at block 3: body/);

      await put(schema.receipts(4n, hashes[4]!), Uint8Array.of(0xff));
      const rcpt = await rpc(url, 'eth_getTransactionReceipt', [txHash]);
      assert.equal(rcpt.error?.code, -32000, JSON.stringify(rcpt));
      assert.match(rcpt.error.message, /^database corruption at block 4: receipts/);

      // The rest of the chain still answers.
      assert.equal((await rpc(url, 'eth_getBlockByNumber', ['0x5', true])).result.number, '0x5');
    } finally {
      await node.stop();
    }
  } finally {
    setVerbosity(3);
    rmSync(dir, { recursive: true, force: true });
  }
});
