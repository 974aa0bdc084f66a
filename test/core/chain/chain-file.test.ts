/**
 * Chain files: blocks round-trip through writeChainFile/readChainFile at any
 * chunk size (a block split across reads included); a truncated or garbled
 * file fails with the byte offset; a missing file is named; a failed write
 * leaves neither a temp file nor a partial target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { assertReadable, ChainFileError, readChainFile, writeChainFile } from '../../../src/core/chain/chain-file.js';
import { encodeBlock, type Block } from '../../../src/types/block.js';
import { headerHash } from '../../../src/types/header.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';

async function someBlocks(): Promise<Block[]> {
  const signer = testAccount('chainfile-signer');
  const users = testAccounts('chainfile-user', 8);
  const b = await ChainBuilder.create({ signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 10n ** 18n })) });
  for (let n = 0; n < 6; n++) await b.addBlock(users.slice(0, n + 1).map((u, k) => transfer(u, users[(k + 1) % 8]!.address, 1n, 1337n)));
  return b.blocks;
}

async function readAll(path: string, chunk?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const { block } of readChainFile(path, chunk)) out.push(bytesToHex(headerHash(block.header)));
  return out;
}

test('blocks round-trip at any chunk size; damage is named with its offset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-chainfile-'));
  try {
    const blocks = await someBlocks();
    const path = join(dir, 'chain.rlp');
    await writeChainFile(path, blocks.length, (i) => encodeBlock(blocks[i]!));
    assert.deepEqual(readdirSync(dir), ['chain.rlp'], 'no temp file left behind');
    const want = blocks.map((b) => bytesToHex(headerHash(b.header)));
    for (const chunk of [1, 7, 100, 1 << 20]) assert.deepEqual(await readAll(path, chunk), want, `chunk ${chunk}`);

    const full = readFileSync(path);
    const firstLen = encodeBlock(blocks[0]!).length;
    writeFileSync(join(dir, 'cut.rlp'), full.subarray(0, full.length - 5));
    await assert.rejects(readAll(join(dir, 'cut.rlp'), 64), (e: Error) => e instanceof ChainFileError && /truncated block at byte offset \d+/.test(e.message));
    const garbled = Uint8Array.from(full);
    garbled[firstLen + 1] = 0xff; // inside the second block's list header/first item
    writeFileSync(join(dir, 'bad.rlp'), garbled);
    await assert.rejects(readAll(join(dir, 'bad.rlp')), (e: Error) => e instanceof ChainFileError && e.offset !== undefined && e.offset >= firstLen, 'names the offset of the bad block');

    await assert.rejects(assertReadable(join(dir, 'missing.rlp')), /no such file: .*missing\.rlp/);
    await assert.rejects(assertReadable(dir), /is a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed write keeps the old target and removes its temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-chainfile-w-'));
  try {
    const blocks = await someBlocks();
    const path = join(dir, 'chain.rlp');
    writeFileSync(path, 'previous');
    await assert.rejects(writeChainFile(path, blocks.length, (i) => {
      if (i === 3) throw new Error('block 3 is unreadable');
      return encodeBlock(blocks[i]!);
    }), /block 3 is unreadable/);
    assert.equal(readFileSync(path, 'utf8'), 'previous');
    assert.deepEqual(readdirSync(dir), ['chain.rlp']);
    await assert.rejects(writeChainFile(join(dir, 'nope', 'x.rlp'), 1, () => encodeBlock(blocks[0]!)), (e: Error) => e instanceof ChainFileError && /no such file/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
