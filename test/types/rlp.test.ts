/**
 * Strict RLP: round trips against @ethereumjs/rlp on seeded random nested
 * items, every non-canonical form refused with RlpError, and a mutation fuzz
 * holding the decoder to "accepted ⇒ re-encodes to the same bytes".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, concatBytes } from '../../src/crypto/bytes.js';
import { decodeRlp, decodeRlpPrefix, decodeUint, encodeRlp, expectBytes, expectList, RlpError, type RlpItem } from '../../src/types/rlp.js';
import { RlpError as PrimitiveRlpError } from '../../src/crypto/rlp.js';
import { Rng } from '../../tools/workload/rng.js';

function randomItem(rng: Rng, depth: number): RlpItem {
  if (depth < 3 && rng.bool(0.3)) {
    const n = rng.pick([0, 1, 2, 5, 20]);
    return Array.from({ length: n }, () => randomItem(rng, depth + 1));
  }
  // Lengths around the short/long boundaries and single bytes on both sides of 0x80.
  const len = rng.pick([0, 1, 1, 2, 55, 56, 57, 255, 256, 1100]);
  const b = rng.bytes(len);
  if (len === 1 && rng.bool()) b[0] = rng.int(0x80);
  return b;
}

test('decodeRlp inverts @ethereumjs/rlp on random nested items', () => {
  const seed = 101;
  const rng = new Rng(seed);
  for (let i = 0; i < 500; i++) {
    const item = randomItem(rng, 0);
    const enc = RLP.encode(item as never);
    assert.deepEqual(decodeRlp(enc), RLP.decode(enc), `seed ${seed} item ${i}`);
    assert.deepEqual(encodeRlp(decodeRlp(enc)), enc, `seed ${seed} item ${i}`);
    const [prefixItem, used] = decodeRlpPrefix(concatBytes(enc, rng.bytes(3)));
    assert.equal(used, enc.length, `seed ${seed} item ${i}`);
    assert.deepEqual(prefixItem, decodeRlp(enc));
  }
});

test('encodeRlp equals @ethereumjs/rlp for payloads whose length takes 1, 2 and 3 bytes', () => {
  const rng = new Rng(7);
  for (const len of [55, 56, 255, 256, 65535, 65536, 70000]) {
    const s = rng.bytes(len);
    assert.equal(bytesToHex(encodeRlp(s)), bytesToHex(RLP.encode(s)), `string of ${len}`);
    const list: RlpItem[] = [s, [rng.bytes(1), new Uint8Array(0), [rng.bytes(300)]], rng.bytes(2)];
    assert.equal(bytesToHex(encodeRlp(list)), bytesToHex(RLP.encode(list as never)), `list around a string of ${len}`);
  }
});

test('mutated encodings are either refused with RlpError or canonical', () => {
  const seed = 102;
  const rng = new Rng(seed);
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const enc = RLP.encode(randomItem(rng, 0) as never).slice();
    if (enc.length === 0) continue;
    const mode = rng.int(3);
    let m: Uint8Array;
    if (mode === 0) {
      m = enc;
      m[rng.int(m.length)] = rng.int(256);
    } else if (mode === 1) m = enc.subarray(0, rng.int(enc.length));
    else m = concatBytes(enc, rng.bytes(1 + rng.int(3)));
    let out: RlpItem;
    try {
      out = decodeRlp(m);
    } catch (e) {
      assert.ok(e instanceof RlpError, `seed ${seed} case ${i}: ${bytesToHex(m.subarray(0, 40))} threw ${(e as Error).name}`);
      refused++;
      continue;
    }
    assert.equal(bytesToHex(RLP.encode(out as never)), bytesToHex(m), `seed ${seed} case ${i}: accepted a non-canonical encoding`);
  }
  assert.ok(refused > 1000, `seed ${seed}: only ${refused} refused`);
});

test('the types layer shares the primitives RlpError class', () => {
  assert.equal(RlpError, PrimitiveRlpError);
});

test('non-canonical and malformed RLP is refused with RlpError', () => {
  const bad: [string, number[]][] = [
    ['single byte below 0x80 wrapped as a string', [0x81, 0x05]],
    ['single zero byte wrapped as a string', [0x81, 0x00]],
    ['long string form for a 2-byte string', [0xb8, 0x02, 1, 2]],
    ['long string form for a 55-byte string', [0xb8, 55, ...new Array(55).fill(0xaa)]],
    ['leading zero in a string length', [0xb9, 0x00, 0x40, ...new Array(64).fill(0xaa)]],
    ['long list form for a short list', [0xf8, 0x02, 0x01, 0x02]],
    ['leading zero in a list length', [0xf9, 0x00, 0x40, ...new Array(64).fill(0x01)]],
    ['trailing bytes after a string', [0x82, 0xaa, 0xbb, 0x00]],
    ['trailing bytes after a list', [0xc1, 0x01, 0xc0]],
    ['string longer than the input', [0x83, 0xaa, 0xbb]],
    ['list longer than the input', [0xc3, 0x01, 0x02]],
    ['list element crossing the list end', [0xc2, 0x83, 0xaa, 0xbb, 0xcc]],
    // The inner list's last element overruns it; without the check the parent would read the overrun byte as its next item.
    ['list element crossing its list end inside a parent', [0xc4, 0xc2, 0x82, 0xaa, 0x05]],
    ['length bytes missing', [0xb9, 0x01]],
    ['empty input', []],
  ];
  for (const [why, bytes] of bad) assert.throws(() => decodeRlp(Uint8Array.from(bytes)), RlpError, why);
});

test('decodeUint: minimal big-endian within the bit width', () => {
  assert.equal(decodeUint(new Uint8Array(0), 64, 'x'), 0n);
  assert.equal(decodeUint(Uint8Array.of(0x7f), 8, 'x'), 0x7fn);
  assert.equal(decodeUint(new Uint8Array(8).fill(0xff), 64, 'x'), (1n << 64n) - 1n);
  assert.equal(decodeUint(new Uint8Array(32).fill(0xff), 256, 'x'), (1n << 256n) - 1n);
  assert.throws(() => decodeUint(Uint8Array.of(0, 1), 64, 'x'), RlpError, 'leading zero');
  assert.throws(() => decodeUint(Uint8Array.of(0), 64, 'x'), RlpError, 'zero encoded as 0x00');
  assert.throws(() => decodeUint(new Uint8Array(9).fill(1), 64, 'x'), RlpError, '65+ bits');
  assert.throws(() => decodeUint(Uint8Array.of(1, ...new Uint8Array(32)), 256, 'x'), RlpError, '257 bits');
  assert.throws(() => decodeUint(Uint8Array.of(0x20), 5, 'x'), RlpError, 'width not a multiple of 8');
  assert.throws(() => decodeUint([] as RlpItem, 64, 'x'), RlpError, 'a list');
});

test('expectList and expectBytes check shape and counts', () => {
  assert.deepEqual(expectList([new Uint8Array(0)], 1, 'x'), [new Uint8Array(0)]);
  assert.equal(expectList([new Uint8Array(0), []], [1, 2], 'x').length, 2);
  assert.throws(() => expectList([new Uint8Array(0)], 2, 'x'), RlpError);
  assert.throws(() => expectList([new Uint8Array(0)], [2, 3], 'x'), RlpError);
  assert.throws(() => expectList(new Uint8Array(2), 2, 'x'), RlpError);
  assert.throws(() => expectBytes([], 'x'), RlpError);
  assert.throws(() => expectBytes(new Uint8Array(3), 'x', 4), RlpError);
});
