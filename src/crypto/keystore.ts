/**
 * Web3 Secret Storage v3 key files, as go-ethereum writes them and ethers
 * reads them: scrypt (or, for reading, pbkdf2-hmac-sha256), aes-128-ctr,
 * mac = keccak256(derivedKey[16:32] ‖ ciphertext). Passwords and keys never
 * appear in error messages.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from './bytes.js';
import { keccak256 } from './keccak.js';
import { addressFromHex, addressToHex, type Address } from './primitives.js';
import { privateKeyToAddress } from './secp256k1.js';

export interface ScryptParams {
  n: number;
  r: number;
  p: number;
  dklen: number;
}

export const STANDARD_SCRYPT: ScryptParams = { n: 262144, r: 8, p: 1, dklen: 32 };
export const LIGHT_SCRYPT: ScryptParams = { n: 4096, r: 8, p: 6, dklen: 32 };

export type KeystoreErrorCode = 'wrong-password' | 'malformed' | 'unsupported-kdf' | 'exists' | 'not-found';

export class KeystoreError extends Error {
  override name = 'KeystoreError';
  constructor(readonly code: KeystoreErrorCode, message: string) {
    super(message);
  }
}

export interface KeyFileJson {
  address: string;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: string;
    kdfparams: Record<string, unknown>;
    mac: string;
  };
  id: string;
  version: number;
}

function scrypt(password: string, salt: Uint8Array, p: ScryptParams): Uint8Array {
  try {
    return new Uint8Array(scryptSync(Buffer.from(password, 'utf8'), salt, p.dklen, { N: p.n, r: p.r, p: p.p, maxmem: 256 * p.n * p.r * (p.p + 2) + 64 * 1024 * 1024 }));
  } catch {
    // OpenSSL refuses N >= 2^(16r) (e.g. the Web3 test vector's r = 1), which go-ethereum's scrypt
    // accepts: such files go through the pure-JS implementation instead.
    return nobleScrypt(new TextEncoder().encode(password), salt, { N: p.n, r: p.r, p: p.p, dkLen: p.dklen, maxmem: 2 ** 32 });
  }
}

export function encryptKey(privateKey: Uint8Array, password: string, params: ScryptParams = STANDARD_SCRYPT): KeyFileJson {
  const salt = new Uint8Array(randomBytes(32));
  const iv = new Uint8Array(randomBytes(16));
  const dk = scrypt(password, salt, params);
  const cipher = createCipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(privateKey), cipher.final()]));
  const mac = keccak256(concatBytes(dk.subarray(16, 32), ciphertext));
  return {
    address: addressToHex(privateKeyToAddress(privateKey)).slice(2),
    crypto: {
      cipher: 'aes-128-ctr',
      ciphertext: bytesToHex(ciphertext, false),
      cipherparams: { iv: bytesToHex(iv, false) },
      kdf: 'scrypt',
      kdfparams: { dklen: params.dklen, n: params.n, p: params.p, r: params.r, salt: bytesToHex(salt, false) },
      mac: bytesToHex(mac, false),
    },
    id: randomUUID(),
    version: 3,
  };
}

function field(o: Record<string, unknown>, name: string): unknown {
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function hexField(o: Record<string, unknown>, name: string): Uint8Array {
  const v = field(o, name);
  if (typeof v !== 'string') throw new KeystoreError('malformed', `key file: missing ${name}`);
  try {
    return hexToBytes(v);
  } catch {
    throw new KeystoreError('malformed', `key file: ${name} is not hex`);
  }
}

function num(o: Record<string, unknown>, name: string): number {
  const v = field(o, name);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new KeystoreError('malformed', `key file: kdfparams.${name} must be a positive integer`);
  return v;
}

export function decryptKey(input: string | KeyFileJson, password: string): { address: Address; privateKey: Uint8Array } {
  let doc: Record<string, unknown>;
  try {
    doc = (typeof input === 'string' ? JSON.parse(input) : input) as Record<string, unknown>;
  } catch {
    throw new KeystoreError('malformed', 'key file is not valid JSON');
  }
  if (!doc || typeof doc !== 'object') throw new KeystoreError('malformed', 'key file is not a JSON object');
  if (field(doc, 'version') !== 3) throw new KeystoreError('malformed', 'key file: only version 3 is supported');
  const c = field(doc, 'crypto') as Record<string, unknown> | undefined;
  if (!c || typeof c !== 'object') throw new KeystoreError('malformed', 'key file: missing crypto section');
  if (field(c, 'cipher') !== 'aes-128-ctr') throw new KeystoreError('malformed', 'key file: only aes-128-ctr is supported');
  const kp = field(c, 'kdfparams') as Record<string, unknown> | undefined;
  const cp = field(c, 'cipherparams') as Record<string, unknown> | undefined;
  if (!kp || typeof kp !== 'object' || !cp || typeof cp !== 'object') throw new KeystoreError('malformed', 'key file: missing kdfparams or cipherparams');
  const salt = hexField(kp, 'salt');
  const kdf = field(c, 'kdf');
  let dk: Uint8Array;
  if (kdf === 'scrypt') {
    dk = scrypt(password, salt, { n: num(kp, 'n'), r: num(kp, 'r'), p: num(kp, 'p'), dklen: num(kp, 'dklen') });
  } else if (kdf === 'pbkdf2') {
    if (field(kp, 'prf') !== 'hmac-sha256') throw new KeystoreError('unsupported-kdf', 'key file: pbkdf2 needs prf hmac-sha256');
    dk = new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, num(kp, 'c'), num(kp, 'dklen'), 'sha256'));
  } else {
    throw new KeystoreError('unsupported-kdf', `key file: unsupported kdf ${JSON.stringify(kdf)}`);
  }
  if (dk.length < 32) throw new KeystoreError('malformed', 'key file: dklen must be at least 32');
  const ciphertext = hexField(c, 'ciphertext');
  const mac = keccak256(concatBytes(dk.subarray(16, 32), ciphertext));
  if (!equalBytes(mac, hexField(c, 'mac'))) throw new KeystoreError('wrong-password', 'could not decrypt key with given password');
  const iv = hexField(cp, 'iv');
  if (iv.length !== 16) throw new KeystoreError('malformed', 'key file: iv must be 16 bytes');
  const decipher = createDecipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
  const privateKey = new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  if (privateKey.length !== 32) throw new KeystoreError('malformed', 'key file: key is not 32 bytes');
  const address = privateKeyToAddress(privateKey);
  const claimed = field(doc, 'address');
  if (typeof claimed === 'string' && claimed.length > 0) {
    let a: Address;
    try {
      a = addressFromHex(claimed.startsWith('0x') ? claimed : `0x${claimed}`);
    } catch {
      throw new KeystoreError('malformed', 'key file: address is not a 20-byte hex address');
    }
    if (!equalBytes(a, address)) throw new KeystoreError('malformed', 'key file: address does not match the key');
  }
  return { address, privateKey };
}
