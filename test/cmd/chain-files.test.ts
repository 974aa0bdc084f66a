/**
 * Chain files through the CLI (child processes, real LevelDB): a missing
 * import file is named before any block is imported; an export into a
 * directory we may not write, or of a damaged block, fails with a clear
 * message and leaves no file; a read-only datadir is a permissions error,
 * not "in use by another process"; import → export stays byte-identical.
 * Permission bits bind only an unprivileged user, so as root the
 * read-only places are read-only tmpfs mounts instead (EROFS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes, equalBytes } from '../../src/crypto/bytes.js';
import { asAddress, asHash } from '../../src/crypto/primitives.js';
import { encodeBlock } from '../../src/types/block.js';
import { headerHash } from '../../src/types/header.js';
import { chainDataPath } from '../../src/node/datadir.js';
import { LevelDatabase } from '../../src/state/database.js';
import { schema } from '../../src/state/schema.js';
import { ChainBuilder, genesisJson } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { Rng } from '../../tools/workload/rng.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const asRoot = process.getuid?.() === 0;

function gtos(args: string[]) {
  const opts: SpawnSyncOptions = { encoding: 'utf8', timeout: 120_000 };
  const r = spawnSync(process.execPath, [GTOS, ...args], opts);
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function setup(dir: string, blocks = 8) {
  const signer = testAccount('files-signer');
  const users = testAccounts('files-user', 10);
  const spec = { signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 10n ** 21n })) };
  const b = await ChainBuilder.create(spec);
  const rng = new Rng(9);
  for (let i = 0; i < blocks; i++) await b.addBlock(Array.from({ length: 5 }, () => transfer(rng.pick(users), asAddress(rng.bytes(20)), 1000n, 1337n)));
  writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesisJson(spec)));
  const bytes = concatBytes(...b.blocks.map((x) => encodeBlock(x)));
  writeFileSync(join(dir, 'chain.rlp'), bytes);
  const datadir = join(dir, 'data');
  const init = gtos(['init', join(dir, 'genesis.json'), '--datadir', datadir]);
  assert.equal(init.status, 0, init.stderr);
  return { datadir, bytes, hashes: [b.chain.genesisHash, ...b.blocks.map((x) => headerHash(x.header))] };
}

async function headOf(datadir: string): Promise<bigint> {
  const db = await LevelDatabase.open(chainDataPath(datadir));
  try {
    return schema.decodeNumber(db.get(schema.blockNumber(asHash(db.get(schema.headBlock)!)))!);
  } finally {
    await db.close();
  }
}

test('import: a missing file is named before the database is touched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-files-'));
  try {
    const { datadir } = await setup(dir);
    const missing = join(dir, 'missing.rlp');
    const r = gtos(['import', join(dir, 'chain.rlp'), missing, '--datadir', datadir]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`no such file: ${missing.replace(/[.]/g, '\\.')}`));
    assert.equal(await headOf(datadir), 0n, 'the readable first file was not imported either');
    // A directory given as a file is named too, and a datadir that does not exist is never created.
    const fresh = join(dir, 'fresh');
    const d = gtos(['import', dir, '--datadir', fresh]);
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /is a directory/);
    assert.equal(existsSync(fresh), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import → export round trip is byte-identical; a damaged block fails the export by number and leaves no file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-files-'));
  try {
    const { datadir, bytes, hashes } = await setup(dir);
    const imp = gtos(['import', join(dir, 'chain.rlp'), '--datadir', datadir]);
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, /Imported blocks=8 skipped=0 txs=40/);
    const out = join(dir, 'out.rlp');
    const exp = gtos(['export', out, '1', '8', '--datadir', datadir]);
    assert.equal(exp.status, 0, exp.stderr);
    assert.ok(equalBytes(readFileSync(out), bytes), 'blocks 1..8 exported byte-identical to the imported file');

    const db = await LevelDatabase.open(chainDataPath(datadir));
    const batch = db.batch();
    batch.put(schema.body(5n, hashes[5]!), Uint8Array.of(0xc2, 0x01));
    await batch.write();
    await db.close();
    const target = join(dir, 'damaged.rlp');
    const bad = gtos(['export', target, '--datadir', datadir]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /export failed, nothing written: database corruption at block 5: body/);
    assert.equal(existsSync(target), false, 'no partial file');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('damaged')), [], 'no temp file either');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Mounts a tmpfs at `dir` (root only); the reason when that is not possible here. */
function mountTmpfs(dir: string): string | undefined {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `mount exited ${r.status}`).trim();
}
const remountReadOnly = (dir: string) => assert.equal(spawnSync('mount', ['-o', 'remount,ro', dir]).status, 0);

test('permissions: an export into a directory we may not write and an import into such a datadir say so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-files-'));
  const mounts: string[] = [];
  try {
    const { datadir } = await setup(dir);
    const roDir = join(dir, 'readonly');
    mkdirSync(roDir);
    if (asRoot) {
      // Permission bits do not bind root: a read-only file system does (EROFS), and needs no
      // other user able to reach this checkout (a clone under a 0700 directory is common).
      const why = mountTmpfs(roDir);
      if (why) {
        t.skip(`as root a read-only file system is needed and cannot be mounted here (${why})`);
        return;
      }
      mounts.push(roDir);
      remountReadOnly(roDir);
    } else {
      chmodSync(roDir, 0o555);
    }
    const refusal = asRoot ? 'read-only file system' : 'permission denied';
    const target = join(roDir, 'chain.rlp');
    const exp = gtos(['export', target, '--datadir', datadir]);
    assert.notEqual(exp.status, 0);
    assert.match(exp.stderr, new RegExp(`${refusal}: ${target.replace(/[.]/g, '\\.')}`));
    assert.deepEqual(readdirSync(roDir), [], 'neither the file nor a temp file was left');

    // A datadir we may not write: LevelDB cannot create its LOCK file, which is not another process holding it.
    let roData = datadir;
    if (asRoot) {
      roData = join(dir, 'rodata');
      mkdirSync(roData);
      assert.equal(mountTmpfs(roData), undefined);
      mounts.push(roData);
      assert.equal(spawnSync('cp', ['-a', `${datadir}/.`, roData]).status, 0);
      remountReadOnly(roData);
    } else {
      chmodSync(chainDataPath(datadir), 0o555);
      for (const f of readdirSync(chainDataPath(datadir))) chmodSync(join(chainDataPath(datadir), f), 0o444);
    }
    const imp = gtos(['import', join(dir, 'chain.rlp'), '--datadir', roData]);
    assert.notEqual(imp.status, 0);
    assert.match(imp.stderr, new RegExp(`cannot open database .*: ${refusal}`));
    assert.doesNotMatch(imp.stderr, /in use by another process/);
  } finally {
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  }
});
