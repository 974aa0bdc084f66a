/**
 * A chain made by another implementation (ethereumjs's VM and block builder,
 * test/fixtures/foreign-chain) imports with every root matching: genesis hash
 * and state root as ethereumjs computed them, each block's hash and roots
 * (the import validates them all), final balances; its export reproduces the
 * input bytes; with one block's state root altered (and re-sealed by its real
 * signer) the import stops exactly there and the head stays at its parent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, concatBytes, equalBytes, utf8ToBytes } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/keccak.js';
import { addressFromHex } from '../../src/crypto/primitives.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { decodeBlock, encodeBlock, readBlockStream } from '../../src/types/block.js';
import { headerHash } from '../../src/types/header.js';
import { sealHeader } from '../../src/consensus/clique/seal.js';
import { LevelDatabase } from '../../src/state/database.js';
import { chainDataPath } from '../../src/node/datadir.js';
import { repoPath } from '../util/paths.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const FIXTURE = repoPath('test/fixtures/foreign-chain');
const gtos = (args: string[]) => spawnSync(process.execPath, [GTOS, ...args], { encoding: 'utf8', timeout: 120_000 });

interface Expected {
  genesisHash: string;
  genesisStateRoot: string;
  blocks: { number: number; hash: string; stateRoot: string; txRoot: string; receiptRoot: string; gasUsed: string; txCount: number }[];
  balances: Record<string, string>;
  txCounts: { total: number };
}

test('a chain made by ethereumjs imports with all roots matching, and exports back to the same bytes', async () => {
  const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
  const input = new Uint8Array(readFileSync(join(FIXTURE, 'chain.rlp')));
  const dir = mkdtempSync(join(tmpdir(), 'gtos-foreign-'));
  try {
    const datadir = join(dir, 'data');
    const init = gtos(['init', join(FIXTURE, 'genesis.json'), '--datadir', datadir]);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, new RegExp(`hash=${expected.genesisHash} stateRoot=${expected.genesisStateRoot}`));
    for (const parallel of [[], ['--txexec.parallel', '--txexec.workers', '2', '--txexec.shadow', '1']]) {
      const d = join(dir, `data-${parallel.length}`);
      assert.equal(gtos(['init', join(FIXTURE, 'genesis.json'), '--datadir', d]).status, 0);
      const imp = gtos(['import', join(FIXTURE, 'chain.rlp'), '--datadir', d, ...parallel]);
      assert.equal(imp.status, 0, imp.stderr);
      assert.match(imp.stdout, new RegExp(`Imported blocks=40 skipped=0 txs=${expected.txCounts.total} `));
      const db = await LevelDatabase.open(chainDataPath(d));
      const chain = await Blockchain.open({ db });
      for (const b of expected.blocks) {
        const h = chain.getHeaderByNumber(BigInt(b.number))!;
        assert.equal(bytesToHex(headerHash(h)), b.hash, `block ${b.number}`);
        assert.equal(bytesToHex(h.stateRoot), b.stateRoot);
        assert.equal(bytesToHex(h.receiptRoot), b.receiptRoot);
      }
      const st = chain.headState();
      for (const [a, bal] of Object.entries(expected.balances)) assert.equal(st.getBalance(addressFromHex(a)).toString(), bal, `balance of ${a}`);
      await db.close();
      const out = join(dir, `export-${parallel.length}.rlp`);
      assert.equal(gtos(['export', out, '1', '40', '--datadir', d]).status, 0);
      assert.ok(equalBytes(new Uint8Array(readFileSync(out)), input), 'export of the imported range reproduces the input bytes');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ethereumjs chain with one altered state root stops at that block; the head stays at its parent', async () => {
  const input = new Uint8Array(readFileSync(join(FIXTURE, 'chain.rlp')));
  const blocks = [...readBlockStream(input)].map((x) => x.block);
  // The fixture's signers use deterministic keys (see make-foreign-chain.ts): re-seal with the real one.
  const keyOf = (label: string) => keccak256(utf8ToBytes(`gtos-foreign-${label}`));
  const dir = mkdtempSync(join(tmpdir(), 'gtos-foreign-'));
  try {
    const datadir = join(dir, 'data');
    assert.equal(gtos(['init', join(FIXTURE, 'genesis.json'), '--datadir', datadir]).status, 0);
    const db0 = await LevelDatabase.open(chainDataPath(datadir));
    const chain0 = await Blockchain.open({ db: db0 });
    const target = blocks[24]!;
    const author = bytesToHex(chain0.engine.author(target.header));
    await db0.close();
    const key = [keyOf('signer-0'), keyOf('signer-1')].find((k) => {
      const h = sealHeader(target.header, k);
      return bytesToHex(new Uint8Array(h.extraData.subarray(h.extraData.length - 65))) === bytesToHex(new Uint8Array(target.header.extraData.subarray(target.header.extraData.length - 65)));
    });
    assert.ok(key, `found the signer key of ${author}`);
    blocks[24] = { ...target, header: sealHeader({ ...target.header, stateRoot: target.header.receiptRoot }, key!) };
    const file = join(dir, 'bad.rlp');
    writeFileSync(file, concatBytes(...blocks.map((b) => encodeBlock(decodeBlock(encodeBlock(b))))));
    const imp = gtos(['import', file, '--datadir', datadir]);
    assert.notEqual(imp.status, 0);
    assert.match(imp.stderr, /import failed at block 25 .*invalid merkle root/);
    const db = await LevelDatabase.open(chainDataPath(datadir));
    const chain = await Blockchain.open({ db });
    assert.equal(chain.currentHeader().number, 24n);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
