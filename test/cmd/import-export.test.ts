/**
 * `gtos init / import / export` as a user runs them (child processes on real
 * LevelDB): the export reproduces the imported bytes; a block with a wrong
 * state root stops the import exactly there with the reason, keeping its
 * parent as head; `kill -9` mid-import leaves a database that reopens at a
 * valid head and finishes the import when run again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, concatBytes, equalBytes } from '../../src/crypto/bytes.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { encodeBlock, decodeBlock } from '../../src/types/block.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { LevelDatabase } from '../../src/state/database.js';
import { chainDataPath } from '../../src/node/datadir.js';
import { ChainBuilder, genesisJson } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { Rng } from '../../tools/workload/rng.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const ETHER = 10n ** 18n;

function gtos(args: string[]) {
  return spawnSync(process.execPath, [GTOS, ...args], { encoding: 'utf8', timeout: 120_000 });
}

async function makeChain(blocks: number, txsPerBlock: number, seed: number) {
  const signer = testAccount('cli-signer');
  const users = testAccounts(`cli-user-${seed}`, 12);
  const spec = { signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 1000n * ETHER })) };
  const b = await ChainBuilder.create(spec);
  const rng = new Rng(seed);
  for (let i = 0; i < blocks; i++) {
    const txs = Array.from({ length: txsPerBlock }, () => transfer(rng.pick(users), asAddress(rng.bytes(20)), rng.bigint(ETHER), 1337n, { type: rng.pick([0, 2] as const) }));
    await b.addBlock(txs);
  }
  return { builder: b, genesis: genesisJson(spec), signer };
}

test('init, import and export: the export reproduces the imported bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cli-'));
  try {
    const { builder, genesis } = await makeChain(12, 6, 1);
    const gfile = join(dir, 'genesis.json');
    writeFileSync(gfile, JSON.stringify(genesis));
    const chainFile = join(dir, 'chain.rlp');
    const bytes = concatBytes(...builder.blocks.map((b) => encodeBlock(b)));
    writeFileSync(chainFile, bytes);
    const datadir = join(dir, 'data');
    const init = gtos(['init', gfile, '--datadir', datadir]);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, new RegExp(bytesToHex(builder.chain.genesisHash)));
    const imp = gtos(['import', chainFile, '--datadir', datadir, '--txexec.parallel', '--txexec.workers', '2']);
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, /Imported blocks=12 skipped=0 txs=72/);
    const out = join(dir, 'export.rlp');
    const exp = gtos(['export', out, '--datadir', datadir]);
    assert.equal(exp.status, 0, exp.stderr);
    // The export starts at genesis; the input started at block 1.
    const exported = readFileSync(out);
    const genesisLen = exported.length - bytes.length;
    assert.ok(equalBytes(exported.subarray(genesisLen), bytes), 'exported blocks 1..12 are byte-identical to the input');
    const exp2 = gtos(['export', join(dir, 'range.rlp'), '3', '5', '--datadir', datadir]);
    assert.equal(exp2.status, 0, exp2.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'range.rlp'))), concatBytes(...builder.blocks.slice(2, 5).map((b) => encodeBlock(b))));
    // Importing again skips what is known.
    const again = gtos(['import', chainFile, '--datadir', datadir]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /skipped=12/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block with an altered state root stops the import at exactly that block; its parent stays head', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cli-'));
  try {
    const { builder, genesis, signer } = await makeChain(10, 4, 2);
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
    const blocks = builder.blocks.map((b) => decodeBlock(encodeBlock(b)));
    // Block 7 gets a wrong state root, re-sealed by the real signer so only the root is wrong.
    const bad = blocks[6]!;
    blocks[6] = { ...bad, header: builder.chain.engine.seal({ ...bad.header, stateRoot: bad.header.txRoot }, signer.key) };
    writeFileSync(join(dir, 'chain.rlp'), concatBytes(...blocks.map((b) => encodeBlock(b))));
    const datadir = join(dir, 'data');
    assert.equal(gtos(['init', join(dir, 'genesis.json'), '--datadir', datadir]).status, 0);
    const imp = gtos(['import', join(dir, 'chain.rlp'), '--datadir', datadir]);
    assert.notEqual(imp.status, 0);
    assert.match(imp.stderr, /import failed at block 7 .*invalid merkle root/);
    const db = await LevelDatabase.open(chainDataPath(datadir));
    const chain = await Blockchain.open({ db });
    assert.equal(chain.currentHeader().number, 6n);
    await db.close();
    // A truncated file: the complete blocks before the damage are kept, and the error names the offset.
    const good = concatBytes(...builder.blocks.map((b) => encodeBlock(b)));
    writeFileSync(join(dir, 'cut.rlp'), good.subarray(0, good.length - 10));
    const d2 = join(dir, 'data2');
    assert.equal(gtos(['init', join(dir, 'genesis.json'), '--datadir', d2]).status, 0);
    const cut = gtos(['import', join(dir, 'cut.rlp'), '--datadir', d2]);
    assert.notEqual(cut.status, 0);
    assert.match(cut.stderr, /malformed block data after 9 blocks.*byte offset/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 in the middle of an import leaves a valid head, and the import then completes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cli-'));
  try {
    const { builder, genesis } = await makeChain(150, 40, 3);
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
    writeFileSync(join(dir, 'chain.rlp'), concatBytes(...builder.blocks.map((b) => encodeBlock(b))));
    const datadir = join(dir, 'data');
    assert.equal(gtos(['init', join(dir, 'genesis.json'), '--datadir', datadir]).status, 0);
    const child = spawn(process.execPath, [GTOS, 'import', join(dir, 'chain.rlp'), '--datadir', datadir], { stdio: 'ignore' });
    // Let it import part of the chain, then kill it without warning.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const db = await LevelDatabase.open(chainDataPath(datadir));
    const chain = await Blockchain.open({ db });
    const head = chain.currentHeader();
    // The head is a complete block: its state is readable and it is one of ours.
    assert.ok(head.number < 150n, `killed before the end (head ${head.number})`);
    assert.equal(bytesToHex(chain.currentHash()), bytesToHex(builder.chain.store.canonicalHash(head.number)!));
    chain.headState().getBalance(testAccounts('cli-user-3', 1)[0]!.address);
    await db.close();
    const rest = gtos(['import', join(dir, 'chain.rlp'), '--datadir', datadir]);
    assert.equal(rest.status, 0, rest.stderr);
    const db2 = await LevelDatabase.open(chainDataPath(datadir));
    const c2 = await Blockchain.open({ db: db2 });
    assert.equal(c2.currentHeader().number, 150n);
    assert.equal(bytesToHex(c2.currentHash()), bytesToHex(builder.chain.currentHash()));
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
