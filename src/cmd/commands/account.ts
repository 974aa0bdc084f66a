/**
 * `gtos account new | list | import <keyfile>`, as geth: keys live encrypted
 * (keystore v3, scrypt) in <datadir>/keystore, files 0600; the password comes
 * from --password FILE or an interactive prompt. Keys never reach the logs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hexToBytes } from '../../crypto/bytes.js';
import { addressToHex } from '../../crypto/primitives.js';
import { KeystoreDir, readPasswordFile } from '../../crypto/keystore-dir.js';

export class AccountCommandError extends Error {
  override name = 'AccountCommandError';
}

async function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new AccountCommandError('no --password file given and standard input is not a terminal');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Hide what is typed: readline echoes through _writeToOutput.
  const anyRl = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  anyRl._writeToOutput = (s: string) => {
    if (s.includes(question)) anyRl.output.write(s);
  };
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function password(file: string | undefined, confirm: boolean): Promise<string> {
  if (file) return readPasswordFile(file);
  const p = await prompt('Password: ');
  if (confirm && (await prompt('Repeat password: ')) !== p) throw new AccountCommandError('passwords do not match');
  return p;
}

export async function accountNew(datadir: string, passwordFile: string | undefined, out: (s: string) => void): Promise<void> {
  const ks = new KeystoreDir(join(datadir, 'keystore'));
  const addr = ks.create(await password(passwordFile, true));
  out(`Public address of the key:   ${addressToHex(addr)}`);
  out(`Path of the secret key file: ${ks.path(addr)}`);
}

export function accountList(datadir: string, out: (s: string) => void): void {
  const ks = new KeystoreDir(join(datadir, 'keystore'));
  ks.accounts().forEach((a, i) => out(`Account #${i}: {${addressToHex(a.address).slice(2)}} keystore://${a.path}`));
}

export async function accountImport(datadir: string, keyfile: string, passwordFile: string | undefined, out: (s: string) => void): Promise<void> {
  let key: Uint8Array;
  try {
    key = hexToBytes(readFileSync(keyfile, 'utf8').trim());
  } catch (e) {
    throw new AccountCommandError(`cannot read a hex private key from ${keyfile}: ${(e as Error).message.replace(/0x[0-9a-f]+/gi, '…')}`);
  }
  if (key.length !== 32) throw new AccountCommandError(`${keyfile} must hold a 32-byte hex private key`);
  const ks = new KeystoreDir(join(datadir, 'keystore'));
  const addr = ks.importKey(key, await password(passwordFile, true));
  out(`Address: {${addressToHex(addr).slice(2)}}`);
}
