/** hexutil parsing and formatting at the RPC edge: every rejection is a −32602 naming the field. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidParamsError } from '../../src/rpc/errors.js';
import {
  parseAddress,
  parseBlockNumberOrHash,
  parseBlockTag,
  parseBool,
  parseData,
  parseHash,
  parseQuantity,
  parseUint64,
  toData,
  toQuantity,
} from '../../src/rpc/hex.js';

function rejects(fn: () => unknown, why: RegExp, field = 'f'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidParamsError, `expected InvalidParamsError, got ${String(e)}`);
    assert.equal(e.code, -32602);
    assert.match(e.message, new RegExp(`'${field.replace(/[.[\]]/g, '\\$&')}'`), 'names the field');
    assert.match(e.message, why);
    return true;
  });
}

describe('parseQuantity', () => {
  test('accepts canonical quantities', () => {
    assert.equal(parseQuantity('0x0', 'f'), 0n);
    assert.equal(parseQuantity('0x1', 'f'), 1n);
    assert.equal(parseQuantity('0x3e8', 'f'), 1000n);
    assert.equal(parseQuantity('0xDEADbeef', 'f'), 0xdeadbeefn, 'mixed case digits');
    assert.equal(parseQuantity('0X10', 'f'), 16n, 'hexutil accepts 0X');
    assert.equal(parseQuantity('0x' + 'f'.repeat(64), 'f'), (1n << 256n) - 1n, 'exactly 256 bits');
  });

  test('rejects leading zeros, empty numbers, bad digits and non-strings', () => {
    rejects(() => parseQuantity('0x01', 'f'), /leading zero/);
    rejects(() => parseQuantity('0x00', 'f'), /leading zero/);
    rejects(() => parseQuantity('0x', 'f'), /"0x"/);
    rejects(() => parseQuantity('', 'f'), /empty hex string/);
    rejects(() => parseQuantity('10', 'f'), /without 0x prefix/);
    rejects(() => parseQuantity('0xg1', 'f'), /invalid hex string/);
    rejects(() => parseQuantity('0x-1', 'f'), /invalid hex string/);
    rejects(() => parseQuantity(' 0x1', 'f'), /without 0x prefix/);
    rejects(() => parseQuantity(16, 'f'), /hex string/);
    rejects(() => parseQuantity(null, 'f'), /hex string/);
    rejects(() => parseQuantity(undefined, 'value'), /hex string/, 'value');
  });

  test('rejects more than 256 bits, cheaply even for huge inputs', () => {
    rejects(() => parseQuantity('0x1' + '0'.repeat(64), 'f'), /> 256 bits/);
    rejects(() => parseQuantity('0x1' + '0'.repeat(1_000_000), 'f'), /> 256 bits/);
  });

  test('parseUint64 and maxBits bound the width', () => {
    assert.equal(parseUint64('0xffffffffffffffff', 'gas'), (1n << 64n) - 1n);
    rejects(() => parseUint64('0x10000000000000000', 'gas'), /> 64 bits/, 'gas');
    rejects(() => parseQuantity('0x100', 'f', 8), /> 8 bits/);
    assert.equal(parseQuantity('0xff', 'f', 8), 255n);
  });
});

describe('parseData, parseAddress, parseHash, parseBool', () => {
  test('data is 0x-prefixed, even-length hex; "0x" is empty', () => {
    assert.deepEqual(parseData('0x', 'f'), new Uint8Array(0));
    assert.deepEqual(parseData('0x00ff', 'f'), Uint8Array.of(0, 255));
    assert.deepEqual(parseData('0xABcd', 'f'), Uint8Array.of(0xab, 0xcd));
    rejects(() => parseData('0xabc', 'f'), /odd length/);
    rejects(() => parseData('abcd', 'f'), /without 0x prefix/);
    rejects(() => parseData('0xzz', 'f'), /invalid hex string/);
    rejects(() => parseData(42, 'f'), /hex string/);
    rejects(() => parseData('0x0102', 'f', 3), /length 4, want 6/);
  });

  test('addresses are exactly 20 bytes, hashes exactly 32', () => {
    const a = '0x' + '11'.repeat(20);
    assert.equal(parseAddress(a, 'to').length, 20);
    rejects(() => parseAddress('0x' + '11'.repeat(19), 'to'), /length 38, want 40/, 'to');
    rejects(() => parseAddress('0x' + '11'.repeat(21), 'to'), /length 42, want 40/, 'to');
    rejects(() => parseAddress('0x' + '1'.repeat(39), 'to'), /odd length/, 'to');
    rejects(() => parseAddress('11'.repeat(20), 'to'), /0x prefix/, 'to');
    assert.equal(parseHash('0x' + 'ab'.repeat(32), 'h').length, 32);
    rejects(() => parseHash('0x' + 'ab'.repeat(20), 'h'), /want 64/, 'h');
  });

  test('booleans are JSON booleans', () => {
    assert.equal(parseBool(true, 'b'), true);
    assert.equal(parseBool(false, 'b'), false);
    rejects(() => parseBool('true', 'b'), /boolean/, 'b');
    rejects(() => parseBool(1, 'b'), /boolean/, 'b');
  });
});

describe('block parameters', () => {
  test('tags and numbers up to int64', () => {
    for (const t of ['latest', 'pending', 'earliest', 'safe', 'finalized'] as const) assert.equal(parseBlockTag(t), t);
    assert.equal(parseBlockTag('0x0'), 0n);
    assert.equal(parseBlockTag('0x7fffffffffffffff'), (1n << 63n) - 1n);
    rejects(() => parseBlockTag('0x8000000000000000'), /larger than int64/, 'block number');
    rejects(() => parseBlockTag('0x01'), /leading zero/, 'block number');
    rejects(() => parseBlockTag('Latest'), /0x prefix/, 'block number');
    rejects(() => parseBlockTag(5), /hex string/, 'block number');
  });

  test('block number or hash (EIP-1898)', () => {
    const h = '0x' + '22'.repeat(32);
    const byHash = parseBlockNumberOrHash({ blockHash: h, requireCanonical: true });
    assert.ok(typeof byHash === 'object');
    assert.equal(toData(byHash.blockHash), h);
    assert.equal(byHash.requireCanonical, true);
    const bare = parseBlockNumberOrHash(h);
    assert.ok(typeof bare === 'object' && bare.requireCanonical === false);
    assert.equal(parseBlockNumberOrHash({ blockNumber: '0x10' }), 16n);
    assert.equal(parseBlockNumberOrHash('latest'), 'latest');
    assert.equal(parseBlockNumberOrHash('0x5'), 5n);
    rejects(() => parseBlockNumberOrHash({ blockHash: h, blockNumber: '0x1' }), /both/, 'block');
    rejects(() => parseBlockNumberOrHash({}), /neither/, 'block');
    rejects(() => parseBlockNumberOrHash({ blockHash: '0x12' }), /want 64/, 'block.blockHash');
    rejects(() => parseBlockNumberOrHash({ blockHash: h, requireCanonical: 'yes' }), /boolean/, 'block.requireCanonical');
  });
});

describe('formatting', () => {
  test('toQuantity has no leading zeros and refuses what is not a natural number', () => {
    assert.equal(toQuantity(0n), '0x0');
    assert.equal(toQuantity(0), '0x0');
    assert.equal(toQuantity(255), '0xff');
    assert.equal(toQuantity(1n << 255n), '0x8' + '0'.repeat(63));
    assert.throws(() => toQuantity(-1n), RangeError);
    assert.throws(() => toQuantity(1.5), RangeError);
    assert.throws(() => toQuantity(Number.NaN), RangeError);
  });

  test('toData is lower-case, even-length, "0x" for empty', () => {
    assert.equal(toData(new Uint8Array(0)), '0x');
    assert.equal(toData(Uint8Array.of(0, 1, 0xab)), '0x0001ab');
  });

  test('round trips', () => {
    for (const v of [0n, 1n, 15n, 16n, 1n << 64n, (1n << 256n) - 1n]) assert.equal(parseQuantity(toQuantity(v), 'f'), v);
    const b = Uint8Array.of(0, 0, 7);
    assert.deepEqual(parseData(toData(b), 'f'), b);
  });
});
