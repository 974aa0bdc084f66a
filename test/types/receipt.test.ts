/**
 * Receipts, the bloom and the derived roots: encodings against
 * @ethereumjs/vm and a hand-built rlp([status, cumGas, bloom, []]), the
 * receipt root against @ethereumjs/mpt, bloom bits against ethereumjs'
 * Bloom, and malformed receipts refused with ReceiptDecodeError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeReceipt as ejsEncodeReceipt, Bloom as EjsBloom } from '@ethereumjs/vm';
import { createMPT } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bigintToBytes, bytesToHex, concatBytes } from '../../src/crypto/bytes.js';
import { hashFromHex } from '../../src/crypto/primitives.js';
import { RlpError } from '../../src/types/rlp.js';
import { decodeReceipt, decodeReceipts, encodeReceipt, encodeReceipts, ReceiptDecodeError, type Receipt } from '../../src/types/receipt.js';
import { bloomAdd, bloomContains, createBloom, newBloom, BLOOM_BYTES } from '../../src/types/bloom.js';
import { receiptRoot } from '../../src/types/derive-root.js';
import { orderedTrieRoot } from '../../src/state/trie/ordered.js';
import { Rng } from '../../tools/workload/rng.js';

const U64_MAX = (1n << 64n) - 1n;
const EMPTY_ROOT = hashFromHex('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

function randomReceipt(rng: Rng): Receipt {
  return {
    type: rng.pick([0, 1, 2] as const), status: rng.pick([0, 1] as const),
    cumulativeGasUsed: rng.pick([0n, 1n, 0x7fn, 0x80n, 21000n, U64_MAX, rng.bigint(U64_MAX)]),
    // Receipt blooms are empty on this chain, but the codec must carry any 256 bytes.
    logsBloom: rng.bool() ? new Uint8Array(256) : rng.bytes(256), logs: [],
  };
}

test('receipts encode like @ethereumjs/vm and like rlp([status, cumGas, bloom, []]) with the type prefix', () => {
  const seed = 501;
  const rng = new Rng(seed);
  for (let i = 0; i < 200; i++) {
    const r = randomReceipt(rng);
    const ctx = `seed ${seed} receipt ${i}`;
    const enc = encodeReceipt(r);
    // ethereumjs writes a zero cumulative gas as 0x00 where geth's uint64 rule gives 0x80; the hand-built RLP below covers zero.
    if (r.cumulativeGasUsed !== 0n) {
      const theirs = ejsEncodeReceipt({ status: r.status, cumulativeBlockGasUsed: r.cumulativeGasUsed, bitvector: r.logsBloom, logs: [] }, r.type);
      assert.equal(bytesToHex(enc), bytesToHex(theirs), ctx);
    }
    const body = RLP.encode([r.status === 1 ? Uint8Array.of(1) : new Uint8Array(0), bigintToBytes(r.cumulativeGasUsed), r.logsBloom, []] as never);
    assert.equal(bytesToHex(enc), bytesToHex(r.type === 0 ? body : concatBytes(Uint8Array.of(r.type), body)), ctx);
    assert.deepEqual(decodeReceipt(enc), r, ctx);
  }
});

test('the storage list round-trips', () => {
  const rng = new Rng(502);
  for (const n of [0, 1, 7]) {
    const rs = Array.from({ length: n }, () => randomReceipt(rng));
    const enc = encodeReceipts(rs);
    assert.deepEqual(decodeReceipts(enc), rs);
    assert.deepEqual(enc, RLP.encode(rs.map(encodeReceipt) as never));
  }
});

test('receipt root matches an @ethereumjs/mpt trie keyed by rlp(index)', async () => {
  const seed = 503;
  const rng = new Rng(seed);
  assert.deepEqual(receiptRoot([], orderedTrieRoot), EMPTY_ROOT);
  for (const n of [1, 2, 3, 16, 17, 130]) {
    const rs = Array.from({ length: n }, () => randomReceipt(rng));
    const trie = await createMPT();
    for (let i = 0; i < n; i++) await trie.put(RLP.encode(i), encodeReceipt(rs[i]!));
    assert.equal(bytesToHex(receiptRoot(rs, orderedTrieRoot)), bytesToHex(trie.root()), `seed ${seed} n ${n}`);
  }
});

test('bloom: bits as ethereumjs sets them, membership, and the OR over receipts', () => {
  const seed = 504;
  const rng = new Rng(seed);
  const ours = newBloom();
  const theirs = new EjsBloom();
  const added: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const entry = rng.bytes(rng.pick([20, 32]));
    bloomAdd(ours, entry);
    theirs.add(entry);
    added.push(entry);
    assert.equal(bytesToHex(ours), bytesToHex(theirs.bitvector), `seed ${seed} entry ${i}`);
  }
  for (const e of added) assert.ok(bloomContains(ours, e));
  assert.ok(!bloomContains(newBloom(), added[0]!));
  const probe = rng.bytes(20);
  assert.equal(bloomContains(ours, probe), theirs.check(probe));

  assert.deepEqual(createBloom([]), new Uint8Array(BLOOM_BYTES));
  const a = newBloom();
  bloomAdd(a, added[0]!);
  const b = newBloom();
  bloomAdd(b, added[1]!);
  const rs: Receipt[] = [a, b].map((logsBloom) => ({ type: 0, status: 1, cumulativeGasUsed: 1n, logsBloom, logs: [] }));
  const or = createBloom(rs);
  for (let i = 0; i < BLOOM_BYTES; i++) assert.equal(or[i], a[i]! | b[i]!);
  assert.ok(bloomContains(or, added[0]!) && bloomContains(or, added[1]!));
});

test('decodeReceipt refuses malformed receipts with ReceiptDecodeError', () => {
  const bloom = new Uint8Array(256);
  const enc = (type: number, fields: unknown[]) => {
    const body = RLP.encode(fields as never);
    return type === 0 ? body : concatBytes(Uint8Array.of(type), body);
  };
  const good = [Uint8Array.of(1), 21000, bloom, []];
  assert.deepEqual(decodeReceipt(enc(2, good)).status, 1);
  const cases: [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['type byte only', Uint8Array.of(2)],
    ['unknown type 3', enc(3, good)],
    ['0x00 type prefix', concatBytes(Uint8Array.of(0), RLP.encode(good as never))],
    ['trailing byte', concatBytes(enc(0, good), Uint8Array.of(0x80))],
    ['truncated', enc(1, good).subarray(0, 50)],
    ['3 fields', enc(0, good.slice(0, 3))],
    ['5 fields', enc(0, [...good, []])],
    ['status 0x02', enc(0, [Uint8Array.of(2), ...good.slice(1)])],
    ['status 0x00 byte', enc(0, [Uint8Array.of(0), ...good.slice(1)])],
    ['status as a 32-byte post-state root', enc(0, [new Uint8Array(32).fill(1), ...good.slice(1)])],
    ['status as a list', enc(0, [[], ...good.slice(1)])],
    ['cumulative gas over 64 bits', enc(0, [good[0], new Uint8Array(9).fill(1), bloom, []])],
    ['cumulative gas with a leading zero', enc(0, [good[0], Uint8Array.of(0, 1), bloom, []])],
    ['bloom of 255 bytes', enc(0, [good[0], 1, new Uint8Array(255), []])],
    ['bloom as a list', enc(0, [good[0], 1, [], []])],
    ['a log present', enc(0, [good[0], 1, bloom, [[new Uint8Array(20), [], new Uint8Array(0)]]])],
    ['logs as a string', enc(0, [good[0], 1, bloom, new Uint8Array(0)])],
    ['a string, not a list', RLP.encode(new Uint8Array(300))],
  ];
  for (const [why, bytes] of cases) assert.throws(() => decodeReceipt(bytes), ReceiptDecodeError, why);
  assert.ok(new ReceiptDecodeError('x') instanceof RlpError);
  assert.throws(() => decodeReceipts(RLP.encode(new Uint8Array(3))), ReceiptDecodeError, 'storage list as a string');
  assert.throws(() => decodeReceipts(RLP.encode([good] as never)), ReceiptDecodeError, 'a receipt as a raw list');
  assert.throws(() => decodeReceipts(concatBytes(encodeReceipts([]), Uint8Array.of(1))), ReceiptDecodeError, 'trailing byte');
  assert.throws(() => decodeReceipts(RLP.encode([enc(3, good)] as never)), ReceiptDecodeError, 'bad item');
});
