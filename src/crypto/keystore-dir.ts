/**
 * A keystore directory like go-ethereum's `keystore/`: one v3 key file per
 * account named `UTC--<time>--<address>`, files 0600 written atomically
 * (temp file + rename), the directory 0700.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressFromHex, addressToHex, type Address } from './primitives.js';
import { decryptKey, encryptKey, KeystoreError, STANDARD_SCRYPT, type ScryptParams } from './keystore.js';
import { randomPrivateKey } from './secp256k1.js';
import { privateKeyToAddress } from './secp256k1.js';

export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeystoreError('not-found', `cannot read password file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return text.split('\n')[0]!.replace(/\r$/, '');
}

export class KeystoreDir {
  constructor(readonly dir: string) {}

  private ensureDir(): void {
    if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  private files(): { name: string; address: Address }[] {
    if (!existsSync(this.dir)) return [];
    const out: { name: string; address: Address }[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const m = /--([0-9a-fA-F]{40})$/.exec(name);
      if (m) out.push({ name, address: addressFromHex(`0x${m[1]}`) });
    }
    return out;
  }

  list(): Address[] {
    return this.files().map((f) => f.address);
  }

  has(a: Address): boolean {
    return this.files().some((f) => addressToHex(f.address) === addressToHex(a));
  }

  path(a: Address): string {
    const f = this.files().find((x) => addressToHex(x.address) === addressToHex(a));
    if (!f) throw new KeystoreError('not-found', `no key for ${addressToHex(a)}`);
    return join(this.dir, f.name);
  }

  private write(privateKey: Uint8Array, password: string, params: ScryptParams): Address {
    this.ensureDir();
    const json = encryptKey(privateKey, password, params);
    const ts = new Date().toISOString().replace(/:/g, '-');
    const name = `UTC--${ts}--${json.address}`;
    const tmp = join(this.dir, `.${name}.tmp`);
    writeFileSync(tmp, JSON.stringify(json), { mode: 0o600 });
    renameSync(tmp, join(this.dir, name));
    return privateKeyToAddress(privateKey);
  }

  create(password: string, params: ScryptParams = STANDARD_SCRYPT): Address {
    return this.write(randomPrivateKey(), password, params);
  }

  importKey(privateKey: Uint8Array, password: string, params: ScryptParams = STANDARD_SCRYPT): Address {
    const a = privateKeyToAddress(privateKey);
    if (this.has(a)) throw new KeystoreError('exists', `account ${addressToHex(a)} already exists`);
    return this.write(privateKey, password, params);
  }

  unlock(a: Address, password: string): Uint8Array {
    return decryptKey(readFileSync(this.path(a), 'utf8'), password).privateKey;
  }
}
