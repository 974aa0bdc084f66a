/**
 * Keystore v3 files: ethers decrypts ours and we decrypt ethers', the Web3
 * Secret Storage test vectors, wrong passwords and malformed files, 0600
 * files in a 0700 directory, and no secret in any error message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, encryptKeystoreJson } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/crypto/bytes.js';
import { addressToHex } from '../../src/crypto/primitives.js';
import { decryptKey, encryptKey, KeystoreError, LIGHT_SCRYPT } from '../../src/crypto/keystore.js';
import { KeystoreDir, readPasswordFile } from '../../src/crypto/keystore-dir.js';

const KEY = '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';

test('ethers decrypts our key files, and we decrypt ethers key files', async () => {
  const key = hexToBytes(KEY);
  const ours = encryptKey(key, 'pw-ours', LIGHT_SCRYPT);
  const w = await Wallet.fromEncryptedJson(JSON.stringify(ours), 'pw-ours');
  assert.equal(w.privateKey, `0x${KEY}`);
  const w2 = new Wallet(`0x${KEY}`);
  const theirs = await encryptKeystoreJson({ address: w2.address, privateKey: w2.privateKey }, 'pw-theirs', { scrypt: { N: 4096 } });
  const back = decryptKey(theirs, 'pw-theirs');
  assert.equal(bytesToHex(back.privateKey, false), KEY);
});

test('Web3 Secret Storage test vectors (pbkdf2 and scrypt)', () => {
  const pbkdf2 = { crypto: { cipher: 'aes-128-ctr', cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' }, ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46', kdf: 'pbkdf2', kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' }, mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2' }, id: '3198bc9c-6672-5ab3-d995-4942343ae5b6', version: 3 };
  const scrypt = { crypto: { cipher: 'aes-128-ctr', cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' }, ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c', kdf: 'scrypt', kdfparams: { dklen: 32, n: 262144, p: 8, r: 1, salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19' }, mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097' }, id: '3198bc9c-6672-5ab3-d995-4942343ae5b6', version: 3 };
  assert.equal(bytesToHex(decryptKey(pbkdf2 as never, 'testpassword').privateKey, false), KEY);
  assert.equal(bytesToHex(decryptKey(scrypt as never, 'testpassword').privateKey, false), KEY);
});

test('wrong password and malformed files are typed errors without secrets in them', () => {
  const json = encryptKey(hexToBytes(KEY), 'right-password', LIGHT_SCRYPT);
  for (const [input, code] of [[json, 'wrong-password'], ['{nope', 'malformed'], [{ ...json, crypto: undefined }, 'malformed'], [{ ...json, version: 4 }, 'malformed'], [{ ...json, crypto: { ...json.crypto, kdf: 'argon' } }, 'unsupported-kdf']] as const) {
    assert.throws(() => decryptKey(input as never, 'wrong-password-xyz'), (e: Error) => {
      assert.ok(e instanceof KeystoreError && e.code === code, `${code}: ${e.message}`);
      assert.ok(!e.message.includes('wrong-password-xyz') && !e.message.includes(KEY));
      return true;
    });
  }
});

test('a keystore directory: 0700 dir, 0600 files, list, import twice refused, unlock', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'gtos-ks-')), 'keystore');
  const ks = new KeystoreDir(dir);
  const a = ks.create('p1', LIGHT_SCRYPT);
  const b = ks.importKey(hexToBytes(KEY), 'p2', LIGHT_SCRYPT);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  for (const x of [a, b]) assert.equal(statSync(ks.path(x)).mode & 0o777, 0o600);
  assert.deepEqual(ks.list().map(addressToHex).sort(), [a, b].map(addressToHex).sort());
  assert.throws(() => ks.importKey(hexToBytes(KEY), 'p3', LIGHT_SCRYPT), (e: Error) => e instanceof KeystoreError && e.code === 'exists');
  assert.equal(bytesToHex(ks.unlock(b, 'p2'), false), KEY);
  assert.throws(() => ks.unlock(b, 'nope'), (e: Error) => e instanceof KeystoreError && e.code === 'wrong-password');
  const pw = join(dir, '..', 'pw.txt');
  writeFileSync(pw, 'secret\r\nsecond line');
  assert.equal(readPasswordFile(pw), 'secret');
});
