/**
 * secp256k1 recovery and signing. Recovery runs through libsecp256k1 (the
 * `secp256k1` package's prebuilt addon, ~20x faster than pure JS) and falls
 * back to @noble/curves when the addon cannot load or GTOS_CRYPTO=js is set.
 * Both back-ends are kept: noble is the reference the tests hold the native
 * one to.
 */
import { createRequire } from 'node:module';
import { secp256k1 as noble } from '@noble/curves/secp256k1.js';
import { keccak256 } from './keccak.js';
import { bigintToBytesPadded, bytesToBigint } from './bytes.js';
import { asAddress, type Address } from './primitives.js';

export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export class InvalidSignatureError extends Error {
  override name = 'InvalidSignatureError';
}

export interface Signature {
  r: bigint;
  s: bigint;
  /** 0 or 1 */
  yParity: number;
}

interface NativeSecp {
  ecdsaRecover(sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean, out?: Uint8Array): Uint8Array;
  ecdsaSign(msg: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNative(): NativeSecp | null {
  if (process.env.GTOS_CRYPTO === 'js') return null;
  try {
    const require = createRequire(import.meta.url);
    // Load the addon build explicitly: the package's index falls back to a
    // slow elliptic.js implementation silently, which we must not use.
    return require('secp256k1/bindings.js') as NativeSecp;
  } catch {
    return null;
  }
}

const native = loadNative();

export function cryptoBackend(): 'native' | 'js' {
  return native ? 'native' : 'js';
}

/**
 * Validates r, s and the recovery id as go-ethereum's ValidateSignatureValues
 * does; `homestead` also rejects high-s (EIP-2).
 */
export function validateSignatureValues(yParity: number, r: bigint, s: bigint, homestead: boolean): boolean {
  if (r < 1n || s < 1n) return false;
  if (homestead && s > SECP256K1_HALF_N) return false;
  return r < SECP256K1_N && s < SECP256K1_N && (yParity === 0 || yParity === 1);
}

function compact(r: bigint, s: bigint): Uint8Array {
  const out = new Uint8Array(64);
  out.set(bigintToBytesPadded(r, 32), 0);
  out.set(bigintToBytesPadded(s, 32), 32);
  return out;
}

/** Uncompressed public key (65 bytes, 0x04 prefix) from a 32-byte digest. */
export function recoverPublicKey(msgHash: Uint8Array, sig: Signature, homestead = true, forceJs = false): Uint8Array {
  if (msgHash.length !== 32) throw new InvalidSignatureError('message hash must be 32 bytes');
  if (!validateSignatureValues(sig.yParity, sig.r, sig.s, homestead)) {
    throw new InvalidSignatureError('invalid signature values');
  }
  const c = compact(sig.r, sig.s);
  if (native && !forceJs) {
    try {
      return native.ecdsaRecover(c, sig.yParity, msgHash, false);
    } catch (e) {
      throw new InvalidSignatureError(`recovery failed: ${(e as Error).message}`);
    }
  }
  try {
    const rec = new Uint8Array(65);
    rec[0] = sig.yParity;
    rec.set(c, 1);
    const compressed = noble.recoverPublicKey(rec, msgHash, { prehash: false }) as unknown as Uint8Array;
    return noble.Point.fromBytes(compressed).toBytes(false) as unknown as Uint8Array;
  } catch (e) {
    throw new InvalidSignatureError(`recovery failed: ${(e as Error).message}`);
  }
}

export function publicKeyToAddress(pub: Uint8Array): Address {
  const body = pub.length === 65 ? pub.subarray(1) : pub;
  if (body.length !== 64) throw new InvalidSignatureError('public key must be 64 or 65 bytes');
  return asAddress(keccak256(body).slice(12));
}

export function recoverAddress(msgHash: Uint8Array, sig: Signature, homestead = true, forceJs = false): Address {
  return publicKeyToAddress(recoverPublicKey(msgHash, sig, homestead, forceJs));
}

/** Deterministic (RFC 6979), low-s signature over a 32-byte digest. */
export function sign(msgHash: Uint8Array, privateKey: Uint8Array): Signature {
  if (native) {
    const { signature, recid } = native.ecdsaSign(msgHash, privateKey);
    return { r: bytesToBigint(signature.subarray(0, 32)), s: bytesToBigint(signature.subarray(32)), yParity: recid };
  }
  const rec = noble.sign(msgHash, privateKey, { prehash: false, format: 'recovered', lowS: true }) as unknown as Uint8Array;
  return { r: bytesToBigint(rec.subarray(1, 33)), s: bytesToBigint(rec.subarray(33, 65)), yParity: rec[0]! };
}

export function privateKeyToAddress(privateKey: Uint8Array): Address {
  const pub = native ? native.publicKeyCreate(privateKey, false) : (noble.getPublicKey(privateKey, false) as unknown as Uint8Array);
  return publicKeyToAddress(pub);
}

export function randomPrivateKey(): Uint8Array {
  return noble.utils.randomSecretKey() as unknown as Uint8Array;
}
