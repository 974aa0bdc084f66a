import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, keccak256Reference } from '../../src/crypto/keccak.js';
import { bytesToHex } from '../../src/crypto/bytes.js';
import {
  recoverAddress, recoverPublicKey, sign, privateKeyToAddress, cryptoBackend,
  SECP256K1_N, InvalidSignatureError,
} from '../../src/crypto/secp256k1.js';
import { Rng } from '../../tools/workload/rng.js';

test('keccak256 of empty input is the well-known constant', () => {
  assert.equal(bytesToHex(keccak256(new Uint8Array(0))), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});

test('wasm keccak agrees with @noble/hashes on random inputs', () => {
  const rng = new Rng(1);
  for (let i = 0; i < 2000; i++) {
    const data = rng.bytes(rng.int(600));
    assert.deepEqual(keccak256(data), keccak256Reference(data));
  }
});

test('native secp256k1 loads from the prebuilt addon', () => {
  assert.equal(cryptoBackend(), process.env.GTOS_CRYPTO === 'js' ? 'js' : 'native');
});

test('native and JS recovery agree on thousands of random signatures', () => {
  const seed = 7;
  const rng = new Rng(seed);
  for (let i = 0; i < 2000; i++) {
    const key = rng.privateKey();
    const msg = rng.bytes(32);
    const sig = sign(msg, key);
    assert.ok(sig.s <= SECP256K1_N / 2n, 'signatures are low-s');
    const expected = privateKeyToAddress(key);
    const a = recoverAddress(msg, sig, true, false);
    const b = recoverAddress(msg, sig, true, true);
    assert.deepEqual(a, expected, `seed ${seed} iteration ${i}`);
    assert.deepEqual(b, expected, `seed ${seed} iteration ${i}`);
    // A random (r, s) pair recovers to the same key on both back-ends or fails on both.
    const forged = { r: rng.bigint(SECP256K1_N - 1n) + 1n, s: rng.bigint(SECP256K1_N / 2n - 1n) + 1n, yParity: rng.int(2) };
    let na: string | undefined, js: string | undefined;
    try { na = bytesToHex(recoverPublicKey(msg, forged, true, false)); } catch { na = 'fail'; }
    try { js = bytesToHex(recoverPublicKey(msg, forged, true, true)); } catch { js = 'fail'; }
    assert.equal(na, js, `forged signature seed ${seed} iteration ${i}`);
  }
});

test('high-s signatures are rejected under EIP-2 and accepted without it', () => {
  const rng = new Rng(3);
  const key = rng.privateKey();
  const msg = rng.bytes(32);
  const sig = sign(msg, key);
  const high = { r: sig.r, s: SECP256K1_N - sig.s, yParity: sig.yParity ^ 1 };
  for (const forceJs of [false, true]) {
    assert.throws(() => recoverAddress(msg, high, true, forceJs), InvalidSignatureError);
    assert.deepEqual(recoverAddress(msg, high, false, forceJs), privateKeyToAddress(key));
  }
});

test('invalid recovery ids and out-of-range r/s are rejected', () => {
  const rng = new Rng(4);
  const msg = rng.bytes(32);
  const sig = sign(msg, rng.privateKey());
  for (const forceJs of [false, true]) {
    for (const yParity of [2, 3, -1, 27]) {
      assert.throws(() => recoverAddress(msg, { ...sig, yParity }, true, forceJs), InvalidSignatureError);
    }
    assert.throws(() => recoverAddress(msg, { ...sig, r: 0n }, true, forceJs), InvalidSignatureError);
    assert.throws(() => recoverAddress(msg, { ...sig, r: SECP256K1_N }, true, forceJs), InvalidSignatureError);
    assert.throws(() => recoverAddress(msg, { ...sig, s: 0n }, true, forceJs), InvalidSignatureError);
  }
});
