/**
 * Blocks and bodies: seeded random blocks of mixed tx types against
 * @ethereumjs/block (bytes, hash, tx root), round trips, the `geth export`
 * stream reader over good and broken input, and malformed blocks refused
 * with BlockDecodeError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlock, createBlockFromRLP, genTransactionsTrieRoot } from '@ethereumjs/block';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToHex, concatBytes } from '../../src/crypto/bytes.js';
import { asAddress, asHash, hashFromHex } from '../../src/crypto/primitives.js';
import { RlpError } from '../../src/types/rlp.js';
import { EMPTY_UNCLE_HASH, headerHash, headerToRlpFields, type Header } from '../../src/types/header.js';
import { signTransaction, Transaction, type TxType } from '../../src/types/transaction.js';
import { txRoot } from '../../src/types/derive-root.js';
import { orderedTrieRoot } from '../../src/state/trie/ordered.js';
import {
  blockHash, BlockDecodeError, decodeBlock, decodeBody, encodeBlock, encodeBody, encodedBlockSize, readBlockStream, type Block,
} from '../../src/types/block.js';
import { Rng } from '../../tools/workload/rng.js';

const CHAIN_ID = 1337n;
const EMPTY_ROOT = hashFromHex('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');
const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.London });

function header(rng: Rng, number: bigint): Header {
  return {
    parentHash: asHash(rng.bytes(32)), uncleHash: EMPTY_UNCLE_HASH, coinbase: asAddress(rng.bytes(20)), stateRoot: asHash(rng.bytes(32)),
    txRoot: asHash(rng.bytes(32)), receiptRoot: asHash(rng.bytes(32)), logsBloom: new Uint8Array(256), difficulty: rng.pick([1n, 2n]),
    number, gasLimit: 30_000_000n, gasUsed: rng.bigint(30_000_000n), time: 1_700_000_000n + number, extraData: rng.bytes(97),
    mixDigest: asHash(new Uint8Array(32)), nonce: new Uint8Array(8), baseFee: 7n + rng.bigint(10n ** 9n),
  };
}

function tx(rng: Rng, key: Uint8Array, type: TxType): Transaction {
  return signTransaction({
    type, chainId: CHAIN_ID, nonce: rng.bigint(1000n), gasLimit: 21000n + rng.bigint(100000n), to: rng.bool(0.1) ? null : asAddress(rng.bytes(20)),
    value: rng.bigint(10n ** 21n), data: rng.bytes(rng.pick([0, 1, 60, 200])), gasPrice: 10n ** 9n + rng.bigint(10n ** 10n),
    maxFeePerGas: 2n * 10n ** 9n + rng.bigint(10n ** 10n), maxPriorityFeePerGas: rng.bigint(10n ** 9n),
    accessList: type !== 0 && rng.bool() ? [{ address: asAddress(rng.bytes(20)), storageKeys: [asHash(rng.bytes(32))] }] : [],
  }, key);
}

function randomBlock(rng: Rng, number: bigint, maxTxs = 20): Block {
  const key = rng.privateKey();
  const txs = Array.from({ length: rng.int(maxTxs + 1) }, () => tx(rng, key, rng.pick([0, 1, 2] as const)));
  return { header: header(rng, number), transactions: txs, uncles: [] };
}

test('random blocks encode like @ethereumjs/block and round-trip', async () => {
  const seed = 401;
  const rng = new Rng(seed);
  for (let i = 0; i < 40; i++) {
    const ctx = `seed ${seed} block ${i}`;
    const block = randomBlock(rng, BigInt(1 + i));
    block.header.txRoot = txRoot(block.transactions, orderedTrieRoot);
    const enc = encodeBlock(block);
    assert.equal(encodedBlockSize(block), enc.length, `${ctx}: size without encoding`);
    const h = block.header;
    const theirs = createBlock({
      header: {
        parentHash: h.parentHash, uncleHash: h.uncleHash, coinbase: h.coinbase, stateRoot: h.stateRoot, transactionsTrie: h.txRoot,
        receiptTrie: h.receiptRoot, logsBloom: h.logsBloom, difficulty: h.difficulty, number: h.number, gasLimit: h.gasLimit,
        gasUsed: h.gasUsed, timestamp: h.time, extraData: h.extraData, mixHash: h.mixDigest, nonce: h.nonce, baseFeePerGas: h.baseFee,
      },
      transactions: block.transactions.map((t) => createTxFromRLP(t.encode(), { common })),
    }, { common, skipConsensusFormatValidation: true });
    assert.equal(bytesToHex(enc), bytesToHex(theirs.serialize()), ctx);
    assert.equal(bytesToHex(blockHash(block)), bytesToHex(theirs.hash()), ctx);
    assert.equal(bytesToHex(txRoot(block.transactions, orderedTrieRoot)), bytesToHex(await genTransactionsTrieRoot(theirs.transactions)), ctx);
    // The generic RLP of the [header, tx items, uncles] list is the same thing.
    assert.equal(bytesToHex(enc), bytesToHex(RLP.encode([headerToRlpFields(h), block.transactions.map((t) => t.blockItem()), []] as never)), ctx);

    const back = decodeBlock(enc);
    assert.deepEqual(back.header, block.header, ctx);
    assert.deepEqual(back.transactions.map((t) => bytesToHex(t.hash())), block.transactions.map((t) => bytesToHex(t.hash())), ctx);
    assert.deepEqual(back.transactions.map((t) => t.type), block.transactions.map((t) => t.type), ctx);
    assert.equal(bytesToHex(encodeBlock(back)), bytesToHex(enc), ctx);
    // ethereumjs reads ours.
    const parsed = createBlockFromRLP(enc, { common, skipConsensusFormatValidation: true });
    assert.equal(bytesToHex(parsed.hash()), bytesToHex(blockHash(block)), ctx);
    assert.equal(parsed.transactions.length, block.transactions.length, ctx);
  }
});

test('tx root of no txs is the empty trie root', () => {
  assert.deepEqual(txRoot([], orderedTrieRoot), EMPTY_ROOT);
});

test('bodies round-trip, with and without uncles', () => {
  const rng = new Rng(402);
  const block = randomBlock(rng, 5n);
  const uncle = header(rng, 4n);
  for (const uncles of [[], [uncle]]) {
    const enc = encodeBody(block.transactions, uncles);
    assert.deepEqual(enc, RLP.encode([block.transactions.map((t) => t.blockItem()), uncles.map((u) => headerToRlpFields(u))] as never));
    const back = decodeBody(enc);
    assert.deepEqual(back.transactions.map((t) => t.encode()), block.transactions.map((t) => t.encode()));
    assert.deepEqual(back.uncles, uncles);
    const full = decodeBlock(encodeBlock({ ...block, uncles }));
    assert.deepEqual(full.uncles.map(headerHash), uncles.map(headerHash));
  }
});

test('readBlockStream reads concatenated blocks with offsets', () => {
  const rng = new Rng(403);
  const blocks = [randomBlock(rng, 1n), randomBlock(rng, 2n, 0), randomBlock(rng, 3n)];
  const encs = blocks.map(encodeBlock);
  const got = [...readBlockStream(concatBytes(...encs))];
  assert.equal(got.length, 3);
  let offset = 0;
  for (let i = 0; i < 3; i++) {
    assert.equal(got[i]!.offset, offset);
    assert.equal(got[i]!.length, encs[i]!.length);
    assert.deepEqual(blockHash(got[i]!.block), blockHash(blocks[i]!));
    assert.equal(got[i]!.block.transactions.length, blocks[i]!.transactions.length);
    offset += encs[i]!.length;
  }
  assert.equal([...readBlockStream(new Uint8Array(0))].length, 0);
});

test('readBlockStream: a truncated or garbage tail throws after the good blocks, with its offset', () => {
  const rng = new Rng(404);
  const a = encodeBlock(randomBlock(rng, 1n));
  const b = encodeBlock(randomBlock(rng, 2n));
  const tails: [string, Uint8Array][] = [
    ['truncated block', b.subarray(0, b.length - 3)],
    ['only a list header', b.subarray(0, 3)],
    ['a string, not a block', Uint8Array.of(0x00)],
    ['an empty list', Uint8Array.of(0xc0)],
    ['a block with a bad tx', (() => {
      const items = RLP.decode(b) as unknown[];
      return RLP.encode([items[0], [[new Uint8Array(0)]], []] as never);
    })()],
  ];
  for (const [why, tail] of tails) {
    const gen = readBlockStream(concatBytes(a, a, tail));
    assert.equal(gen.next().value?.offset, 0, why);
    assert.equal(gen.next().value?.offset, a.length, why);
    let err: unknown;
    try {
      gen.next();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof BlockDecodeError, `${why}: ${String(err)}`);
    assert.ok(err instanceof RlpError);
    assert.equal(err.offset, 2 * a.length, why);
    assert.match(err.message, new RegExp(`offset ${2 * a.length}\\b`), why);
  }
});

test('decodeBlock and decodeBody refuse malformed input with BlockDecodeError', () => {
  const rng = new Rng(405);
  const block = randomBlock(rng, 9n, 3);
  block.transactions.push(tx(rng, rng.privateKey(), 2));
  const enc = encodeBlock(block);
  const [h, txs, uncles] = RLP.decode(enc) as [Uint8Array[], unknown[], unknown[]];
  const badTx = [...txs];
  badTx[badTx.length - 1] = concatBytes(Uint8Array.of(3), (badTx[badTx.length - 1] as Uint8Array).subarray(1));
  const cases: [string, Uint8Array][] = [
    ['2 fields', RLP.encode([h, txs] as never)],
    ['4 fields', RLP.encode([h, txs, uncles, []] as never)],
    ['trailing byte', concatBytes(enc, Uint8Array.of(0xc0))],
    ['truncated', enc.subarray(0, enc.length - 1)],
    ['a string', RLP.encode(new Uint8Array(10))],
    ['txs as a string', RLP.encode([h, new Uint8Array(0), uncles] as never)],
    ['uncles as a string', RLP.encode([h, txs, new Uint8Array(0)] as never)],
    ['header with 14 fields', RLP.encode([h.slice(0, 14), txs, uncles] as never)],
    ['header as a string', RLP.encode([new Uint8Array(5), txs, uncles] as never)],
    ['tx of unknown type', RLP.encode([h, badTx, uncles] as never)],
    ['tx as an empty list', RLP.encode([h, [...txs, []], uncles] as never)],
    ['uncle with a short nonce', RLP.encode([h, txs, [[...h.slice(0, 14), new Uint8Array(7), h[15]]]] as never)],
  ];
  for (const [why, bytes] of cases) assert.throws(() => decodeBlock(bytes), BlockDecodeError, why);
  const body = encodeBody(block.transactions, []);
  const bodyCases: [string, Uint8Array][] = [
    ['1 field', RLP.encode([txs] as never)],
    ['3 fields', RLP.encode([txs, [], []] as never)],
    ['trailing byte', concatBytes(body, Uint8Array.of(0x80))],
    ['txs as a string', RLP.encode([new Uint8Array(1), []] as never)],
    ['tx of unknown type', RLP.encode([badTx, []] as never)],
  ];
  for (const [why, bytes] of bodyCases) assert.throws(() => decodeBody(bytes), BlockDecodeError, `body: ${why}`);
});
