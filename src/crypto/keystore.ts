/**
 * Web3 Secret Storage v3 key files, as go-ethereum writes them and ethers
 * reads them: scrypt (or, for reading, pbkdf2-hmac-sha256), aes-128-ctr,
 * mac = keccak256(derivedKey[16:32] ‖ ciphertext). Reading is as lenient as
 * geth's (case-insensitive field names, keys shorter than 32 bytes) and no
 * more. Passwords and keys never appear in error messages.
 */
import { createCipheriv, pbkdf2Sync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { scrypt as nobleScrypt } from '@noble/hashes/scrypt.js';
import { bytesToBigint, bytesToHex, equalBytes, hexToBytes, utf8ToBytes } from './bytes.js';
import { keccak256Parts } from './keccak.js';
import { addressFromHex, addressToHex, type Address } from './primitives.js';
import { privateKeyToAddress, SECP256K1_N } from './secp256k1.js';

export interface ScryptParams {
  n: number;
  r: number;
  p: number;
  dklen: number;
}

/** geth StandardScryptN / StandardScryptP: ~1 s and 256 MiB per key. */
export const STANDARD_SCRYPT: ScryptParams = { n: 262144, r: 8, p: 1, dklen: 32 };
/** geth LightScryptN / LightScryptP: for dev mode and tests. */
export const LIGHT_SCRYPT: ScryptParams = { n: 4096, r: 8, p: 6, dklen: 32 };

export type KeystoreErrorCode = 'wrong-password' | 'malformed' | 'unsupported-kdf' | 'exists' | 'not-found' | 'ambiguous';

export class KeystoreError extends Error {
  override name = 'KeystoreError';
  constructor(
    readonly code: KeystoreErrorCode,
    message: string,
  ) {
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

// A hostile or corrupt file must not make the node allocate without bound;
// 4 GiB is far above any parameters a wallet writes (geth standard: 256 MiB).
const MAX_SCRYPT_MEMORY = 2 ** 32;
const MAX_DKLEN = 1024;

function checkScryptParams(p: ScryptParams): void {
  const { n, r, p: par, dklen } = p;
  for (const v of [n, r, par, dklen]) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new KeystoreError('malformed', 'scrypt parameters must be positive integers');
  }
  if (n < 2 || (n & (n - 1)) !== 0 || n > 2 ** 40) throw new KeystoreError('malformed', 'scrypt n must be a power of two greater than 1');
  if (r * par >= 2 ** 30) throw new KeystoreError('malformed', 'scrypt r * p must be below 2^30');
  if (dklen < 32 || dklen > MAX_DKLEN) throw new KeystoreError('malformed', `dklen must be between 32 and ${MAX_DKLEN}`);
  if (128 * r * (n + par + 2) > MAX_SCRYPT_MEMORY) throw new KeystoreError('unsupported-kdf', 'scrypt parameters need more than 4 GiB of memory');
}

function scrypt(password: Uint8Array, salt: Uint8Array, p: ScryptParams): Uint8Array {
  checkScryptParams(p);
  // OpenSSL refuses n >= 2^(16r) (the Web3 scrypt test vector has r = 1),
  // which geth's scrypt accepts: those files go through the pure-JS one.
  try {
    if (Math.log2(p.n) >= 16 * p.r) {
      return nobleScrypt(password, salt, { N: p.n, r: p.r, p: p.p, dkLen: p.dklen, maxmem: MAX_SCRYPT_MEMORY + 1 });
    }
    const maxmem = 128 * p.r * (p.n + p.p + 2) + 1024 * 1024;
    return new Uint8Array(scryptSync(password, salt, p.dklen, { N: p.n, r: p.r, p: p.p, maxmem }));
  } catch (e) {
    // Only the parameters can make scrypt fail (e.g. out of memory); the
    // underlying message names neither the password nor the salt.
    throw new KeystoreError('unsupported-kdf', `scrypt failed: ${(e as Error).message}`);
  }
}

function pbkdf2(password: Uint8Array, salt: Uint8Array, c: number, dklen: number): Uint8Array {
  if (c > 2 ** 31 - 1) throw new KeystoreError('unsupported-kdf', 'pbkdf2 iteration count too large');
  if (dklen < 32 || dklen > MAX_DKLEN) throw new KeystoreError('malformed', `dklen must be between 32 and ${MAX_DKLEN}`);
  return new Uint8Array(pbkdf2Sync(password, salt, c, dklen, 'sha256'));
}

function aes128ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ctr', key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function isValidPrivateKey(k: Uint8Array): boolean {
  if (k.length !== 32) return false;
  const v = bytesToBigint(k);
  return v > 0n && v < SECP256K1_N;
}

export function encryptKey(privateKey: Uint8Array, password: string, params: ScryptParams = STANDARD_SCRYPT): KeyFileJson {
  if (!isValidPrivateKey(privateKey)) throw new KeystoreError('malformed', 'not a valid secp256k1 private key (32 bytes, 0 < k < n)');
  const salt = new Uint8Array(randomBytes(32));
  const iv = new Uint8Array(randomBytes(16));
  const dk = scrypt(utf8ToBytes(password), salt, params);
  const ciphertext = aes128ctr(dk.subarray(0, 16), iv, privateKey);
  const mac = keccak256Parts(dk.subarray(16, 32), ciphertext);
  dk.fill(0);
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

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's encoding/json matches field names case-insensitively, exact match first. */
function field(o: Obj, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  const lower = name.toLowerCase();
  const k = Object.keys(o).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : o[k];
}

function objField(o: Obj, name: string): Obj {
  const v = field(o, name);
  if (!isObj(v)) throw new KeystoreError('malformed', `key file: missing ${name}`);
  return v;
}

function hexField(o: Obj, name: string): Uint8Array {
  const v = field(o, name);
  if (typeof v !== 'string') throw new KeystoreError('malformed', `key file: missing ${name}`);
  try {
    return hexToBytes(v);
  } catch {
    throw new KeystoreError('malformed', `key file: ${name} is not hex`);
  }
}

function intField(o: Obj, name: string): number {
  const v = field(o, name);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new KeystoreError('malformed', `key file: kdfparams.${name} must be a positive integer`);
  return v;
}

function parseDoc(input: string | KeyFileJson): Obj {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      throw new KeystoreError('malformed', 'key file is not valid JSON');
    }
  }
  if (!isObj(doc)) throw new KeystoreError('malformed', 'key file is not a JSON object');
  return doc;
}

export function decryptKey(input: string | KeyFileJson, password: string): { address: Address; privateKey: Uint8Array } {
  const doc = parseDoc(input);
  const version = field(doc, 'version');
  // ethers accepts "3" as well as 3; version 1 (aes-cbc) files predate Frontier.
  if (version !== 3 && version !== '3') throw new KeystoreError('malformed', `key file: unsupported version ${JSON.stringify(version ?? null)}`);
  const c = objField(doc, 'crypto');
  if (field(c, 'cipher') !== 'aes-128-ctr') throw new KeystoreError('malformed', 'key file: only cipher aes-128-ctr is supported');
  const kp = objField(c, 'kdfparams');
  const iv = hexField(objField(c, 'cipherparams'), 'iv');
  if (iv.length !== 16) throw new KeystoreError('malformed', 'key file: iv must be 16 bytes');
  const ciphertext = hexField(c, 'ciphertext');
  if (ciphertext.length === 0 || ciphertext.length > 32) throw new KeystoreError('malformed', 'key file: ciphertext must be 1 to 32 bytes');
  const mac = hexField(c, 'mac');
  if (mac.length !== 32) throw new KeystoreError('malformed', 'key file: mac must be 32 bytes');
  let claimed: Address | undefined;
  const addr = field(doc, 'address');
  if (addr !== undefined && addr !== null && addr !== '') {
    if (typeof addr !== 'string') throw new KeystoreError('malformed', 'key file: address must be a string');
    try {
      claimed = addressFromHex(addr);
    } catch {
      throw new KeystoreError('malformed', 'key file: address is not a 20-byte hex address');
    }
  }

  // Every cheap check is done before the expensive key derivation.
  const salt = hexField(kp, 'salt');
  const kdf = field(c, 'kdf');
  const pw = utf8ToBytes(password);
  let dk: Uint8Array;
  if (kdf === 'scrypt') {
    dk = scrypt(pw, salt, { n: intField(kp, 'n'), r: intField(kp, 'r'), p: intField(kp, 'p'), dklen: intField(kp, 'dklen') });
  } else if (kdf === 'pbkdf2') {
    if (field(kp, 'prf') !== 'hmac-sha256') throw new KeystoreError('unsupported-kdf', 'key file: pbkdf2 needs prf hmac-sha256');
    dk = pbkdf2(pw, salt, intField(kp, 'c'), intField(kp, 'dklen'));
  } else {
    throw new KeystoreError('unsupported-kdf', `key file: unsupported kdf ${JSON.stringify(typeof kdf === 'string' ? kdf.slice(0, 32) : kdf ?? null)}`);
  }
  pw.fill(0);
  const ok = timingSafeEqual(keccak256Parts(dk.subarray(16, 32), ciphertext), mac);
  if (!ok) {
    dk.fill(0);
    throw new KeystoreError('wrong-password', 'could not decrypt key with given password');
  }
  const plain = aes128ctr(dk.subarray(0, 16), iv, ciphertext);
  dk.fill(0);
  // geth reads the plaintext as a big-endian integer (crypto.ToECDSAUnsafe),
  // so keys of 31 or 30 bytes written by old tools are valid: left-pad them.
  const privateKey = new Uint8Array(32);
  privateKey.set(plain, 32 - plain.length);
  plain.fill(0);
  if (!isValidPrivateKey(privateKey)) throw new KeystoreError('malformed', 'key file: decrypted key is not a valid secp256k1 private key');
  const address = privateKeyToAddress(privateKey);
  if (claimed && !equalBytes(claimed, address)) throw new KeystoreError('malformed', 'key file: address does not match the key');
  return { address, privateKey };
}
