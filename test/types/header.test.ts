/**
 * Headers: the mainnet genesis hash as a fixed vector, seeded random headers
 * (with and without baseFee) against @ethereumjs/block, the hash cache, and
 * every malformed header refused with HeaderDecodeError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockHeader, createBlockHeaderFromRLP } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, concatBytes, hexToBytes } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/keccak.js';
import { asAddress, asHash, hashFromHex, ZERO_ADDRESS, ZERO_HASH } from '../../src/crypto/primitives.js';
import { RlpError } from '../../src/types/rlp.js';
import {
  decodeHeader, EMPTY_BLOOM, EMPTY_UNCLE_HASH, encodeHeader, headerFromFields, headerHash, HeaderDecodeError, headerToRlpFields, type Header,
} from '../../src/types/header.js';
import { Rng } from '../../tools/workload/rng.js';

const U64_MAX = (1n << 64n) - 1n;
const U256_MAX = (1n << 256n) - 1n;
const EMPTY_ROOT = hashFromHex('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

function edgy(rng: Rng, max: bigint): bigint {
  return rng.pick([0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, max, rng.bigint(max), rng.bigint(1n << 40n)]);
}

/** gasUsed ≤ gasLimit only because ethereumjs checks it at construction; the codec does not care. */
function randomHeader(rng: Rng, withBaseFee: boolean): Header {
  const gasLimit = edgy(rng, U64_MAX);
  const h: Header = {
    parentHash: asHash(rng.bytes(32)), uncleHash: rng.bool() ? EMPTY_UNCLE_HASH : asHash(rng.bytes(32)), coinbase: asAddress(rng.bytes(20)),
    stateRoot: asHash(rng.bytes(32)), txRoot: asHash(rng.bytes(32)), receiptRoot: asHash(rng.bytes(32)),
    logsBloom: rng.bool() ? new Uint8Array(256) : rng.bytes(256), difficulty: edgy(rng, U256_MAX), number: edgy(rng, U64_MAX),
    gasLimit, gasUsed: rng.pick([0n, gasLimit, rng.bigint(gasLimit)]), time: edgy(rng, U64_MAX),
    extraData: rng.bytes(rng.pick([0, 1, 32, 55, 56, 97, 300])), mixDigest: asHash(rng.bytes(32)), nonce: rng.bytes(8),
  };
  if (withBaseFee) h.baseFee = edgy(rng, U256_MAX);
  return h;
}

test('mainnet genesis header hashes to d4e567…8fa3', () => {
  const genesis: Header = {
    parentHash: ZERO_HASH, uncleHash: EMPTY_UNCLE_HASH, coinbase: ZERO_ADDRESS,
    stateRoot: hashFromHex('0xd7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544'),
    txRoot: EMPTY_ROOT, receiptRoot: EMPTY_ROOT, logsBloom: EMPTY_BLOOM, difficulty: 0x400000000n, number: 0n,
    gasLimit: 5000n, gasUsed: 0n, time: 0n, extraData: hexToBytes('0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa'),
    mixDigest: ZERO_HASH, nonce: hexToBytes('0x0000000000000042'),
  };
  assert.equal(bytesToHex(headerHash(genesis)), '0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3');
});

test('constants: empty uncle hash is keccak(rlp([])), empty bloom is 256 zero bytes', () => {
  assert.equal(bytesToHex(EMPTY_UNCLE_HASH), '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347');
  assert.deepEqual(EMPTY_BLOOM, new Uint8Array(256));
});

test('random headers encode and hash like @ethereumjs/block, and round-trip', () => {
  const seed = 301;
  const rng = new Rng(seed);
  const berlin = new Common({ chain: Mainnet, hardfork: Hardfork.Berlin });
  const london = new Common({ chain: Mainnet, hardfork: Hardfork.London });
  for (let i = 0; i < 200; i++) {
    const withBaseFee = rng.bool();
    const h = randomHeader(rng, withBaseFee);
    const ctx = `seed ${seed} header ${i}`;
    const common = withBaseFee ? london : berlin;
    const theirs = createBlockHeader({
      parentHash: h.parentHash, uncleHash: h.uncleHash, coinbase: h.coinbase, stateRoot: h.stateRoot, transactionsTrie: h.txRoot,
      receiptTrie: h.receiptRoot, logsBloom: h.logsBloom, difficulty: h.difficulty, number: h.number, gasLimit: h.gasLimit,
      gasUsed: h.gasUsed, timestamp: h.time, extraData: h.extraData, mixHash: h.mixDigest, nonce: h.nonce, baseFeePerGas: h.baseFee,
    }, { common, skipConsensusFormatValidation: true });
    const enc = encodeHeader(h);
    assert.equal(bytesToHex(enc), bytesToHex(theirs.serialize()), ctx);
    assert.equal(bytesToHex(headerHash(h)), bytesToHex(theirs.hash()), ctx);
    assert.equal(headerToRlpFields(h).length, withBaseFee ? 16 : 15, ctx);
    const back = decodeHeader(enc);
    assert.deepEqual(back, h, ctx);
    assert.equal('baseFee' in back, withBaseFee, ctx);
    // And ethereumjs reads ours back to the same hash.
    assert.equal(bytesToHex(createBlockHeaderFromRLP(enc, { common, skipConsensusFormatValidation: true }).hash()), bytesToHex(headerHash(h)), ctx);
  }
});

test('headerHash is keccak(rlp(header)), cached per header object', () => {
  const h = randomHeader(new Rng(302), true);
  const first = headerHash(h);
  assert.deepEqual(first, keccak256(encodeHeader(h)));
  assert.equal(headerHash(h), first, 'same object, same cached hash');
  const copy = { ...h, number: h.number + 1n };
  assert.notDeepEqual(headerHash(copy), first);
});

test('a zero baseFee stays present (London block with base fee 0)', () => {
  const h = { ...randomHeader(new Rng(303), false), baseFee: 0n };
  const back = decodeHeader(encodeHeader(h));
  assert.equal(back.baseFee, 0n);
  assert.deepEqual(encodeHeader(back), encodeHeader(h));
});

test('encodeHeader refuses wrongly sized fixed fields', () => {
  const h = randomHeader(new Rng(304), true);
  for (const [k, n] of [['parentHash', 31], ['coinbase', 21], ['logsBloom', 255], ['mixDigest', 33], ['nonce', 7]] as const) {
    assert.throws(() => encodeHeader({ ...h, [k]: new Uint8Array(n) }), TypeError, k);
  }
});

test('decodeHeader refuses malformed headers with HeaderDecodeError', () => {
  const h = randomHeader(new Rng(305), true);
  const enc = encodeHeader(h);
  const f = RLP.decode(enc) as Uint8Array[];
  const withField = (i: number, v: unknown) => {
    const c: unknown[] = [...f];
    c[i] = v;
    return RLP.encode(c as never);
  };
  const over64 = new Uint8Array(9).fill(1);
  const over256 = Uint8Array.of(1, ...new Uint8Array(32));
  const cases: [string, Uint8Array][] = [
    ['14 fields', RLP.encode(f.slice(0, 14) as never)],
    ['17 fields', RLP.encode([...f, new Uint8Array(0)] as never)],
    ['a string, not a list', RLP.encode(concatBytes(...f))],
    ['trailing byte', concatBytes(enc, Uint8Array.of(0x80))],
    ['truncated', enc.subarray(0, enc.length - 1)],
    ['parentHash of 31 bytes', withField(0, new Uint8Array(31))],
    ['uncleHash of 33 bytes', withField(1, new Uint8Array(33))],
    ['coinbase of 19 bytes', withField(2, new Uint8Array(19))],
    ['coinbase of 21 bytes', withField(2, new Uint8Array(21))],
    ['coinbase empty', withField(2, new Uint8Array(0))],
    ['stateRoot of 31 bytes', withField(3, new Uint8Array(31))],
    ['txRoot of 33 bytes', withField(4, new Uint8Array(33))],
    ['receiptRoot empty', withField(5, new Uint8Array(0))],
    ['bloom of 255 bytes', withField(6, new Uint8Array(255))],
    ['bloom of 257 bytes', withField(6, new Uint8Array(257))],
    ['difficulty over 256 bits', withField(7, over256)],
    ['number over 64 bits', withField(8, over64)],
    ['gasLimit over 64 bits', withField(9, over64)],
    ['gasUsed over 64 bits', withField(10, over64)],
    ['time over 64 bits', withField(11, over64)],
    ['number with a leading zero', withField(8, Uint8Array.of(0, 1))],
    ['gasLimit encoded as 0x00', withField(9, Uint8Array.of(0))],
    ['extraData as a list', withField(12, [])],
    ['mixDigest of 31 bytes', withField(13, new Uint8Array(31))],
    ['nonce of 7 bytes', withField(14, new Uint8Array(7))],
    ['nonce of 9 bytes', withField(14, new Uint8Array(9))],
    ['baseFee over 256 bits', withField(15, over256)],
    ['baseFee with a leading zero', withField(15, Uint8Array.of(0, 7))],
    ['baseFee as a list', withField(15, [])],
    ['parentHash as a list', withField(0, [])],
  ];
  for (const [why, bytes] of cases) {
    assert.throws(() => decodeHeader(bytes), HeaderDecodeError, why);
    let item: unknown;
    try {
      item = RLP.decode(bytes);
    } catch {
      continue;
    }
    assert.throws(() => headerFromFields(item as never), HeaderDecodeError, `fields: ${why}`);
  }
  assert.ok(new HeaderDecodeError('x') instanceof RlpError);
  // The boundary values themselves are fine.
  const edge = { ...h, number: U64_MAX, gasLimit: U64_MAX, time: U64_MAX, difficulty: U256_MAX, baseFee: U256_MAX };
  assert.deepEqual(decodeHeader(encodeHeader(edge)), edge);
});
