/**
 * A keystore directory like go-ethereum's `keystore/`: one v3 key file per
 * account, named `UTC--<time>--<address>`, 0600 files written atomically
 * (temp file + rename) in a 0700 directory. As in geth, accounts are found by
 * reading the `address` field of every file, not by parsing file names, so
 * key files copied in under any name are seen; hidden files, editor backups
 * (`~`), directories and symlinks are skipped.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { equalBytes } from './bytes.js';
import { addressFromHex, addressToHex, ZERO_ADDRESS, type Address } from './primitives.js';
import { decryptKey, encryptKey, KeystoreError, STANDARD_SCRYPT, type ScryptParams } from './keystore.js';
import { privateKeyToAddress, randomPrivateKey } from './secp256k1.js';

/** Key files are well under 1 KiB; anything far larger is not one. */
const MAX_KEY_FILE = 1024 * 1024;

/**
 * Lines of a --password file as geth's MakePasswordList returns them: split
 * on \n, trailing \r removed; a final newline yields a last, empty entry.
 */
export function readPasswordList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeystoreError('not-found', `cannot read password file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return text.split('\n').map((l) => l.replace(/\r+$/, ''));
}

/** geth: the first line of the file, trailing \r\n trimmed. */
export function readPasswordFile(file: string): string {
  return readPasswordList(file)[0]!;
}

/** geth's keyFileName: UTC--2006-01-02T15-04-05.999999999Z--<hex>; JS clocks stop at milliseconds. */
export function keyFileName(address: Address, now: Date = new Date()): string {
  const iso = now.toISOString();
  return `UTC--${iso.slice(0, 19).replace(/:/g, '-')}.${iso.slice(20, 23)}000000Z--${addressToHex(address).slice(2)}`;
}

function isKeyFileName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('~');
}

/** geth's account cache: the file's `address`, or nothing when absent, zero or not an address. */
function readAddress(file: string): Address | null {
  try {
    const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof doc !== 'object' || doc === null) return null;
    const key = Object.keys(doc).find((k) => k.toLowerCase() === 'address');
    const v = key === undefined ? undefined : (doc as Record<string, unknown>)[key];
    if (typeof v !== 'string') return null;
    const a = addressFromHex(v);
    return equalBytes(a, ZERO_ADDRESS) ? null : a;
  } catch {
    return null;
  }
}

interface CachedFile {
  mtimeMs: number;
  size: number;
  ino: number;
  address: Address | null;
}

export interface KeystoreAccount {
  address: Address;
  path: string;
}

export class KeystoreDir {
  // Re-reading only files whose stat changed keeps list()/has() cheap on
  // every call without a watcher, and still sees files added by hand.
  private readonly cache = new Map<string, CachedFile>();

  constructor(readonly dir: string) {}

  /** Every key file, sorted by file name; an address held in two files appears twice. */
  accounts(): KeystoreAccount[] {
    let names: string[];
    try {
      names = readdirSync(this.dir, { withFileTypes: true })
        .filter((d) => d.isFile() && isKeyFileName(d.name))
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const seen = new Set(names);
    for (const k of this.cache.keys()) if (!seen.has(k)) this.cache.delete(k);
    const out: KeystoreAccount[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      let st;
      try {
        st = statSync(file);
      } catch {
        continue; // removed between readdir and stat
      }
      let c = this.cache.get(name);
      if (!c || c.mtimeMs !== st.mtimeMs || c.size !== st.size || c.ino !== st.ino) {
        c = { mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, address: st.size <= MAX_KEY_FILE ? readAddress(file) : null };
        this.cache.set(name, c);
      }
      if (c.address) out.push({ address: c.address, path: file });
    }
    return out;
  }

  list(): Address[] {
    return this.accounts().map((x) => x.address);
  }

  has(a: Address): boolean {
    return this.accounts().some((x) => equalBytes(x.address, a));
  }

  /** The key file of `a`; like geth, refuses an address held by several files. */
  path(a: Address): string {
    const m = this.accounts().filter((x) => equalBytes(x.address, a));
    if (m.length === 0) throw new KeystoreError('not-found', `no key for ${addressToHex(a)} in ${this.dir}`);
    if (m.length > 1) throw new KeystoreError('ambiguous', `multiple keys match address ${addressToHex(a)} (${m.map((x) => x.path).join(', ')})`);
    return m[0]!.path;
  }

  create(password: string, params: ScryptParams = STANDARD_SCRYPT): Address {
    return this.write(randomPrivateKey(), password, params);
  }

  importKey(privateKey: Uint8Array, password: string, params: ScryptParams = STANDARD_SCRYPT): Address {
    let a: Address;
    try {
      a = privateKeyToAddress(privateKey);
    } catch {
      throw new KeystoreError('malformed', 'not a valid secp256k1 private key');
    }
    if (this.has(a)) throw new KeystoreError('exists', `account ${addressToHex(a)} already exists`);
    return this.write(privateKey, password, params);
  }

  unlock(a: Address, password: string): Uint8Array {
    const file = this.path(a);
    const { address, privateKey } = decryptKey(readFileSync(file, 'utf8'), password);
    if (!equalBytes(address, a)) throw new KeystoreError('malformed', `key content mismatch in ${file}: have ${addressToHex(address)}, want ${addressToHex(a)}`);
    return privateKey;
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if ((statSync(this.dir).mode & 0o777) !== 0o700) chmodSync(this.dir, 0o700);
  }

  private write(privateKey: Uint8Array, password: string, params: ScryptParams): Address {
    const json = encryptKey(privateKey, password, params);
    const address = addressFromHex(json.address);
    this.ensureDir();
    const name = keyFileName(address);
    const tmp = join(this.dir, `.${name}.tmp-${randomBytes(6).toString('hex')}`);
    // 'wx' refuses to reuse a stale temp file (whose mode we would not set);
    // fchmod makes the mode 0600 whatever the umask.
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      try {
        fchmodSync(fd, 0o600);
        writeSync(fd, JSON.stringify(json));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, join(this.dir, name));
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw e;
    }
    return address;
  }
}
