/**
 * Keystore v3 files: ethers decrypts ours and we decrypt ethers', the Web3
 * Secret Storage and go-ethereum test vectors, wrong passwords and malformed
 * files, 0600 files in a 0700 directory listed by content as geth does, and
 * no secret in any error message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, encryptKeystoreJson, encryptKeystoreJsonSync } from 'ethers';
import { bytesToHex, hexToBytes } from '../../src/crypto/bytes.js';
import { addressFromHex, addressToHex, type Address } from '../../src/crypto/primitives.js';
import { privateKeyToAddress } from '../../src/crypto/secp256k1.js';
import { decryptKey, encryptKey, KeystoreError, LIGHT_SCRYPT, STANDARD_SCRYPT, type KeyFileJson, type KeystoreErrorCode } from '../../src/crypto/keystore.js';
import { keyFileName, KeystoreDir, readPasswordFile, readPasswordList } from '../../src/crypto/keystore-dir.js';

const KEY = '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const KEY_ADDRESS = '0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b';

// go-ethereum accounts/keystore/testdata/v3_test_vector.json; the first two
// are the Web3 Secret Storage definition's test vectors.
const V3_VECTORS = JSON.parse(`{
  "wikipage_test_vector_scrypt": {
    "json": {
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {
          "iv": "83dbcc02d8ccb40e466191a123791e0e"
        },
        "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
        "kdf": "scrypt",
        "kdfparams": {
          "dklen": 32,
          "n": 262144,
          "r": 1,
          "p": 8,
          "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
        },
        "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
      },
      "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      "version": 3
    },
    "password": "testpassword",
    "priv": "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
  },
  "wikipage_test_vector_pbkdf2": {
    "json": {
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {
          "iv": "6087dab2f9fdbbfaddc31a909735c1e6"
        },
        "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf": "pbkdf2",
        "kdfparams": {
          "c": 262144,
          "dklen": 32,
          "prf": "hmac-sha256",
          "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
        },
        "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
      },
      "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      "version": 3
    },
    "password": "testpassword",
    "priv": "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
  },
  "31_byte_key": {
    "json": {
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {
          "iv": "e0c41130a323adc1446fc82f724bca2f"
        },
        "ciphertext": "9517cd5bdbe69076f9bf5057248c6c050141e970efa36ce53692d5d59a3984",
        "kdf": "scrypt",
        "kdfparams": {
          "dklen": 32,
          "n": 2,
          "r": 8,
          "p": 1,
          "salt": "711f816911c92d649fb4c84b047915679933555030b3552c1212609b38208c63"
        },
        "mac": "d5e116151c6aa71470e67a7d42c9620c75c4d23229847dcc127794f0732b0db5"
      },
      "id": "fecfc4ce-e956-48fd-953b-30f8b52ed66c",
      "version": 3
    },
    "password": "foo",
    "priv": "fa7b3db73dc7dfdf8c5fbdb796d741e4488628c41fc4febd9160a866ba0f35"
  },
  "30_byte_key": {
    "json": {
      "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {
          "iv": "3ca92af36ad7c2cd92454c59cea5ef00"
        },
        "ciphertext": "108b7d34f3442fc26ab1ab90ca91476ba6bfa8c00975a49ef9051dc675aa",
        "kdf": "scrypt",
        "kdfparams": {
          "dklen": 32,
          "n": 2,
          "r": 8,
          "p": 1,
          "salt": "d0769e608fb86cda848065642a9c6fa046845c928175662b8e356c77f914cd3b"
        },
        "mac": "75d0e6759f7b3cefa319c3be41680ab6beea7d8328653474bd06706d4cc67420"
      },
      "id": "a37e1559-5955-450d-8075-7b8931b392b2",
      "version": 3
    },
    "password": "foo",
    "priv": "81c29e8142bb6a81bef5a92bda7a8328a5c85bb2f9542e76f9b0f94fc018"
  }
}`) as Record<string, { json: KeyFileJson; password: string; priv: string }>;

// go-ethereum accounts/keystore/testdata/very-light-scrypt.json (password "").
const VERY_LIGHT = `{
  "address": "45dea0fb0bba44f4fcf290bba71fd57d7117cbb8",
  "crypto": {
    "cipher": "aes-128-ctr",
    "ciphertext": "b87781948a1befd247bff51ef4063f716cf6c2d3481163e9a8f42e1f9bb74145",
    "cipherparams": {
      "iv": "dc4926b48a105133d2f16b96833abf1e"
    },
    "kdf": "scrypt",
    "kdfparams": {
      "dklen": 32,
      "n": 2,
      "p": 1,
      "r": 8,
      "salt": "004244bbdc51cadda545b1cfa43cff9ed2ae88e08c61f1479dbb45410722f8f0"
    },
    "mac": "39990c1684557447940d4c69e06b1b82b2aceacb43f284df65c956daf3046b85"
  },
  "id": "ce541d8d-c79b-40f8-9f8c-20f59616faba",
  "version": 3
}
`;

// go-ethereum accounts/keystore/testdata/keystore/{aaa,zzz} (password "foobar"):
// key files whose names are not UTC--… names.
const GETH_AAA = `{"address":"f466859ead1932d743d622cb74fc058882e8648a","crypto":{"cipher":"aes-128-ctr","ciphertext":"cb664472deacb41a2e995fa7f96fe29ce744471deb8d146a0e43c7898c9ddd4d","cipherparams":{"iv":"dfd9ee70812add5f4b8f89d0811c9158"},"kdf":"scrypt","kdfparams":{"dklen":32,"n":8,"p":16,"r":8,"salt":"0d6769bf016d45c479213990d6a08d938469c4adad8a02ce507b4a4e7b7739f1"},"mac":"bac9af994b15a45dd39669fc66f9aa8a3b9dd8c22cb16e4d8d7ea089d0f1a1a9"},"id":"472e8b3d-afb6-45b5-8111-72c89895099a","version":3}`;
const GETH_ZZZ = `{"address":"289d485d9771714cce91d3393d764e1311907acc","crypto":{"cipher":"aes-128-ctr","ciphertext":"faf32ca89d286b107f5e6d842802e05263c49b78d46eac74e6109e9a963378ab","cipherparams":{"iv":"558833eec4a665a8c55608d7d503407d"},"kdf":"scrypt","kdfparams":{"dklen":32,"n":8,"p":16,"r":8,"salt":"d571fff447ffb24314f9513f5160246f09997b857ac71348b73e785aab40dc04"},"mac":"21edb85ff7d0dab1767b9bf498f2c3cb7be7609490756bd32300bb213b59effe"},"id":"3279afcf-55ba-43ff-8997-02dcc46a6525","version":3}`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gtos-'));
}

/** Asserts a KeystoreError with `code` whose message holds none of `secrets`. */
function throwsKeystore(fn: () => unknown, code: KeystoreErrorCode, secrets: string[] = []): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof KeystoreError, `expected KeystoreError, got ${e.name}: ${e.message}`);
    assert.equal(e.code, code, e.message);
    for (const s of secrets) assert.ok(!e.message.toLowerCase().includes(s.toLowerCase()), `secret in message: ${e.message}`);
    return true;
  });
}

const hex = (b: Uint8Array): string => bytesToHex(b, false);

test('encryptKey writes geth-shaped v3 JSON whose mac is keccak256(dk[16:32] ‖ ciphertext)', () => {
  const json = encryptKey(hexToBytes(KEY), 'pw', LIGHT_SCRYPT);
  assert.deepEqual(Object.keys(json), ['address', 'crypto', 'id', 'version']);
  assert.deepEqual(Object.keys(json.crypto), ['cipher', 'ciphertext', 'cipherparams', 'kdf', 'kdfparams', 'mac']);
  assert.equal(json.address, KEY_ADDRESS.slice(2));
  assert.equal(json.version, 3);
  assert.equal(json.crypto.cipher, 'aes-128-ctr');
  assert.equal(json.crypto.kdf, 'scrypt');
  assert.deepEqual({ ...json.crypto.kdfparams, salt: undefined }, { dklen: 32, n: 4096, p: 6, r: 8, salt: undefined });
  assert.match(json.crypto.kdfparams.salt as string, /^[0-9a-f]{64}$/);
  assert.match(json.crypto.cipherparams.iv, /^[0-9a-f]{32}$/);
  assert.match(json.crypto.ciphertext, /^[0-9a-f]{64}$/);
  assert.match(json.crypto.mac, /^[0-9a-f]{64}$/);
  assert.match(json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'uuid v4');
  const again = encryptKey(hexToBytes(KEY), 'pw', LIGHT_SCRYPT);
  assert.notEqual(again.crypto.kdfparams.salt, json.crypto.kdfparams.salt, 'fresh salt');
  assert.notEqual(again.crypto.cipherparams.iv, json.crypto.cipherparams.iv, 'fresh iv');
  assert.notEqual(again.id, json.id);
  assert.equal(STANDARD_SCRYPT.n, 262144);
  assert.deepEqual(LIGHT_SCRYPT, { n: 4096, r: 8, p: 6, dklen: 32 });
});

test('ethers decrypts our key files (light scrypt, ASCII and non-ASCII passwords)', async () => {
  for (const password of ['pw-ours', '', 'pässwörd ✓ 鍵']) {
    const ours = encryptKey(hexToBytes(KEY), password, LIGHT_SCRYPT);
    const w = await Wallet.fromEncryptedJson(JSON.stringify(ours), password);
    assert.equal(w.privateKey, `0x${KEY}`);
    assert.equal(w.address.toLowerCase(), KEY_ADDRESS);
  }
  const w = Wallet.createRandom();
  const ours = encryptKey(hexToBytes(w.privateKey), 'x', LIGHT_SCRYPT);
  assert.equal((await Wallet.fromEncryptedJson(JSON.stringify(ours), 'x')).privateKey, w.privateKey);
});

test('we decrypt key files written by ethers', async () => {
  const w = new Wallet(`0x${KEY}`);
  // Wallet.encrypt uses ethers' defaults (scrypt n = 131072, r 8, p 1).
  const viaWallet = await w.encrypt('pw-theirs');
  let back = decryptKey(viaWallet, 'pw-theirs');
  assert.equal(hex(back.privateKey), KEY);
  assert.equal(addressToHex(back.address), KEY_ADDRESS);
  const viaAsync = await encryptKeystoreJson({ address: w.address, privateKey: w.privateKey }, 'pw-2', { scrypt: { N: 4096 } });
  assert.equal(hex(decryptKey(viaAsync, 'pw-2').privateKey), KEY);
  const viaSync = encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, 'pw-3', { scrypt: { N: 1024, r: 8, p: 1 } });
  back = decryptKey(JSON.parse(viaSync) as KeyFileJson, 'pw-3');
  assert.equal(hex(back.privateKey), KEY);
  throwsKeystore(() => decryptKey(viaSync, 'pw-4'), 'wrong-password', ['pw-4', KEY]);
});

test('Web3 Secret Storage test vectors: pbkdf2 and scrypt (r = 1)', () => {
  for (const name of ['wikipage_test_vector_pbkdf2', 'wikipage_test_vector_scrypt']) {
    const v = V3_VECTORS[name]!;
    const { privateKey, address } = decryptKey(v.json, v.password);
    assert.equal(hex(privateKey), v.priv, name);
    assert.equal(addressToHex(address), KEY_ADDRESS, name);
  }
  const pb = V3_VECTORS['wikipage_test_vector_pbkdf2']!;
  assert.equal(hex(decryptKey(JSON.stringify(pb.json), pb.password).privateKey), pb.priv, 'as a string');
  throwsKeystore(() => decryptKey(V3_VECTORS['wikipage_test_vector_pbkdf2']!.json, 'testpasswore'), 'wrong-password', ['testpasswore']);
});

test('go-ethereum vectors: 31- and 30-byte keys are left-padded, very-light-scrypt.json', () => {
  for (const name of ['31_byte_key', '30_byte_key']) {
    const v = V3_VECTORS[name]!;
    const { privateKey, address } = decryptKey(v.json, v.password);
    assert.equal(privateKey.length, 32);
    assert.equal(hex(privateKey), v.priv.padStart(64, '0'), name);
    assert.deepEqual(address, privateKeyToAddress(privateKey));
  }
  const { address } = decryptKey(VERY_LIGHT, '');
  assert.equal(addressToHex(address), '0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8');
  throwsKeystore(() => decryptKey(VERY_LIGHT, 'not-empty'), 'wrong-password');
});

test('field names are matched case-insensitively, as Go encoding/json does', () => {
  const json = encryptKey(hexToBytes(KEY), 'pw', LIGHT_SCRYPT);
  const { crypto, ...rest } = json;
  const upper = {
    Address: `0x${rest.address.toUpperCase()}`,
    Crypto: { Cipher: crypto.cipher, CipherText: crypto.ciphertext, CipherParams: { IV: crypto.cipherparams.iv }, KDF: crypto.kdf, KDFParams: crypto.kdfparams, MAC: crypto.mac },
    Id: rest.id,
    Version: '3', // ethers accepts the string too
  };
  assert.equal(hex(decryptKey(JSON.stringify(upper), 'pw').privateKey), KEY);
});

test('wrong password, malformed and unsupported files are typed errors without secrets in them', () => {
  const pw = 'right-password-1234';
  const bad = 'wrong-password-xyz';
  const json = encryptKey(hexToBytes(KEY), pw, LIGHT_SCRYPT);
  const c = json.crypto;
  const otherAddress = addressToHex(privateKeyToAddress(hexToBytes('01'.repeat(32)))).slice(2);
  const cases: [unknown, KeystoreErrorCode, string][] = [
    [json, 'wrong-password', 'wrong password'],
    [JSON.stringify(json), 'wrong-password', 'wrong password, string'],
    ['{nope', 'malformed', 'not JSON'],
    ['[]', 'malformed', 'array'],
    ['null', 'malformed', 'null'],
    ['"str"', 'malformed', 'string'],
    [{ ...json, crypto: undefined }, 'malformed', 'no crypto'],
    [{ ...json, version: undefined }, 'malformed', 'no version'],
    [{ ...json, version: 4 }, 'malformed', 'version 4'],
    [{ ...json, version: '1' }, 'malformed', 'version 1'],
    [{ ...json, crypto: { ...c, cipher: 'aes-128-cbc' } }, 'malformed', 'cipher'],
    [{ ...json, crypto: { ...c, mac: undefined } }, 'malformed', 'no mac'],
    [{ ...json, crypto: { ...c, mac: 'zz' } }, 'malformed', 'mac not hex'],
    [{ ...json, crypto: { ...c, mac: c.mac.slice(2) } }, 'malformed', 'short mac'],
    [{ ...json, crypto: { ...c, ciphertext: undefined } }, 'malformed', 'no ciphertext'],
    [{ ...json, crypto: { ...c, ciphertext: '' } }, 'malformed', 'empty ciphertext'],
    [{ ...json, crypto: { ...c, ciphertext: c.ciphertext + '00' } }, 'malformed', '33-byte ciphertext'],
    [{ ...json, crypto: { ...c, cipherparams: undefined } }, 'malformed', 'no cipherparams'],
    [{ ...json, crypto: { ...c, cipherparams: { iv: 'abcd' } } }, 'malformed', 'short iv'],
    [{ ...json, crypto: { ...c, kdfparams: undefined } }, 'malformed', 'no kdfparams'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, salt: undefined } } }, 'malformed', 'no salt'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, n: undefined } } }, 'malformed', 'no n'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, n: '4096' } } }, 'malformed', 'n as string'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, n: 4095 } } }, 'malformed', 'n not a power of two'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, dklen: 16 } } }, 'malformed', 'dklen 16'],
    [{ ...json, crypto: { ...c, kdfparams: { ...c.kdfparams, n: 2 ** 30 } } }, 'unsupported-kdf', 'n too large for memory'],
    [{ ...json, crypto: { ...c, kdf: 'argon2' } }, 'unsupported-kdf', 'kdf argon2'],
    [{ ...json, crypto: { ...c, kdf: undefined } }, 'unsupported-kdf', 'no kdf'],
    [{ ...json, crypto: { ...c, kdf: 'pbkdf2', kdfparams: { c: 10, dklen: 32, prf: 'hmac-sha512', salt: c.kdfparams.salt } } }, 'unsupported-kdf', 'prf'],
    [{ ...json, address: 'xyz' }, 'malformed', 'address not hex'],
    [{ ...json, address: otherAddress }, 'malformed', 'address mismatch'],
  ];
  for (const [input, code, what] of cases) {
    const password = what === 'address mismatch' ? pw : bad;
    assert.throws(() => decryptKey(input as never, password), (e: Error) => {
      assert.ok(e instanceof KeystoreError, `${what}: expected KeystoreError, got ${e.name}: ${e.message}`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      for (const s of [pw, bad, KEY]) assert.ok(!e.message.includes(s), `${what}: secret in message`);
      return true;
    });
  }
  // The address is optional (the Web3 vectors have none), and 0x is accepted.
  assert.equal(hex(decryptKey({ ...json, address: undefined } as never, pw).privateKey), KEY);
  assert.equal(hex(decryptKey({ ...json, address: KEY_ADDRESS } as never, pw).privateKey), KEY);
});

test('encryptKey refuses invalid private keys without echoing them', () => {
  const n = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
  for (const k of ['00'.repeat(32), n, KEY.slice(2), KEY + '00']) {
    throwsKeystore(() => encryptKey(hexToBytes(k), 'pw', LIGHT_SCRYPT), 'malformed', [k, 'pw']);
  }
});

test('standard scrypt round trip (n = 262144)', () => {
  const json = encryptKey(hexToBytes(KEY), 'standard-pw', STANDARD_SCRYPT);
  const back = decryptKey(JSON.stringify(json), 'standard-pw');
  assert.equal(hex(back.privateKey), KEY);
  assert.equal(json.crypto.kdfparams.n, 262144);
});

test('a keystore directory: 0700 dir, 0600 files, geth file names, list, import twice refused, unlock', () => {
  const root = tempDir();
  try {
    const dir = join(root, 'datadir', 'keystore');
    const ks = new KeystoreDir(dir);
    assert.deepEqual(ks.list(), [], 'missing directory: no accounts');
    const a = ks.create('p1', LIGHT_SCRYPT);
    const b = ks.importKey(hexToBytes(KEY), 'p2', LIGHT_SCRYPT);
    assert.equal(addressToHex(b), KEY_ADDRESS);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const x of [a, b]) {
      const file = ks.path(x);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(file.slice(dir.length + 1), /^UTC--\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{9}Z--[0-9a-f]{40}$/);
      assert.ok(file.endsWith(`--${addressToHex(x).slice(2)}`));
      const onDisk = JSON.parse(readFileSync(file, 'utf8')) as KeyFileJson;
      assert.equal(onDisk.address, addressToHex(x).slice(2));
      assert.equal(onDisk.crypto.kdfparams.n, LIGHT_SCRYPT.n);
    }
    assert.equal(readdirSync(dir).length, 2, 'no temp files left behind');
    assert.deepEqual(new Set(ks.list().map(addressToHex)), new Set([a, b].map(addressToHex)));
    const names = readdirSync(dir).sort();
    assert.deepEqual(ks.list().map((x) => ks.path(x).slice(dir.length + 1)), names, 'sorted by file name');
    assert.ok(ks.has(a) && ks.has(b));
    throwsKeystore(() => ks.importKey(hexToBytes(KEY), 'p3', LIGHT_SCRYPT), 'exists', ['p3', KEY]);
    assert.equal(readdirSync(dir).length, 2);
    assert.equal(hex(ks.unlock(b, 'p2')), KEY);
    assert.deepEqual(privateKeyToAddress(ks.unlock(a, 'p1')), a);
    throwsKeystore(() => ks.unlock(b, 'nope-pw'), 'wrong-password', ['nope-pw', KEY]);
    const stranger = addressFromHex('0x' + '11'.repeat(20));
    assert.equal(ks.has(stranger), false);
    throwsKeystore(() => ks.path(stranger), 'not-found');
    throwsKeystore(() => ks.unlock(stranger, 'p1'), 'not-found', ['p1']);
    throwsKeystore(() => ks.importKey(new Uint8Array(32), 'p4', LIGHT_SCRYPT), 'malformed', ['p4']);
    // A fresh instance (another process) sees the same accounts.
    assert.deepEqual(new KeystoreDir(dir).list().map(addressToHex), ks.list().map(addressToHex));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an existing looser directory is tightened to 0700', () => {
  const root = tempDir();
  try {
    const dir = join(root, 'keystore');
    mkdirSync(dir, { mode: 0o755 });
    new KeystoreDir(dir).create('', LIGHT_SCRYPT);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('accounts are read from file contents as geth does: any name, junk skipped, duplicates ambiguous', () => {
  const root = tempDir();
  try {
    const dir = join(root, 'keystore');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'aaa'), GETH_AAA, { mode: 0o600 });
    writeFileSync(join(dir, 'zzz'), GETH_ZZZ, { mode: 0o600 });
    writeFileSync(join(dir, 'README'), 'This is not a key file.\n');
    writeFileSync(join(dir, 'garbage'), '\u0000\u0001 binary');
    writeFileSync(join(dir, 'no-address'), JSON.stringify({ ...JSON.parse(GETH_AAA), address: undefined }));
    writeFileSync(join(dir, 'zero'), JSON.stringify({ ...JSON.parse(GETH_AAA), address: '0'.repeat(40) }));
    writeFileSync(join(dir, '.hiddenfile'), GETH_ZZZ.replace('289d485d', '389d485d'));
    writeFileSync(join(dir, 'backup~'), GETH_ZZZ.replace('289d485d', '489d485d'));
    mkdirSync(join(dir, 'foo'));
    writeFileSync(join(dir, 'foo', 'nested'), GETH_ZZZ.replace('289d485d', '589d485d'));
    symlinkSync(join(dir, 'aaa'), join(dir, 'link-to-aaa'));
    const ks = new KeystoreDir(dir);
    assert.deepEqual(ks.list().map(addressToHex), ['0xf466859ead1932d743d622cb74fc058882e8648a', '0x289d485d9771714cce91d3393d764e1311907acc']);
    assert.equal(ks.path(addressFromHex('0xf466859ead1932d743d622cb74fc058882e8648a')), join(dir, 'aaa'));
    const key = ks.unlock(addressFromHex('0x289d485d9771714cce91d3393d764e1311907acc'), 'foobar');
    assert.equal(addressToHex(privateKeyToAddress(key)), '0x289d485d9771714cce91d3393d764e1311907acc');

    // A file added by hand after the first scan is seen; a removed one is gone.
    writeFileSync(join(dir, 'very-light'), VERY_LIGHT);
    const vl = addressFromHex('0x45dea0fb0bba44f4fcf290bba71fd57d7117cbb8');
    assert.equal(ks.has(vl), true);
    assert.equal(hex(privateKeyToAddress(ks.unlock(vl, ''))), hex(vl));
    rmSync(join(dir, 'very-light'));
    assert.equal(ks.has(vl), false);

    // The same address in two files: listed twice, but unlock refuses to guess (geth AmbiguousAddrError).
    writeFileSync(join(dir, 'aaa-copy'), GETH_AAA, { mode: 0o600 });
    const aaa = addressFromHex('0xf466859ead1932d743d622cb74fc058882e8648a');
    assert.equal(ks.list().filter((x) => addressToHex(x) === addressToHex(aaa)).length, 2);
    assert.equal(ks.accounts().length, 3);
    throwsKeystore(() => ks.unlock(aaa, 'foobar'), 'ambiguous', ['foobar']);
    throwsKeystore(() => ks.importKey(hexToBytes('539f9b4106fb452408e1ee43d177077f057a8fdc1e1fad92c61e68982b4e3c4b'), 'x', LIGHT_SCRYPT), 'exists');

    // A file whose address field names another key is refused at unlock.
    rmSync(join(dir, 'aaa-copy'));
    const lying = { ...(JSON.parse(GETH_AAA) as KeyFileJson), address: '1111111111111111111111111111111111111111' };
    writeFileSync(join(dir, 'lying'), JSON.stringify(lying));
    throwsKeystore(() => ks.unlock(addressFromHex('0x' + '11'.repeat(20)), 'foobar'), 'malformed', ['foobar']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('keyFileName is geth’s UTC--<ISO time, - for :>--<hex>', () => {
  const a = addressFromHex(KEY_ADDRESS) as Address;
  assert.equal(keyFileName(a, new Date(Date.UTC(2016, 2, 22, 12, 57, 55, 920))), 'UTC--2016-03-22T12-57-55.920000000Z--008aeeda4d805471df9b2a5b0f38a0c3bcba786b');
});

test('password files: first line, trailing \\r\\n trimmed; the list as geth MakePasswordList', () => {
  const root = tempDir();
  try {
    const pw = join(root, 'pw.txt');
    writeFileSync(pw, 'secret\r\nsecond line\n');
    assert.equal(readPasswordFile(pw), 'secret');
    assert.deepEqual(readPasswordList(pw), ['secret', 'second line', '']);
    writeFileSync(pw, 'only');
    assert.equal(readPasswordFile(pw), 'only');
    writeFileSync(pw, '');
    assert.equal(readPasswordFile(pw), '');
    writeFileSync(pw, '  spaced  \r\r\n');
    assert.equal(readPasswordFile(pw), '  spaced  ', 'only \\r is trimmed, as geth');
    throwsKeystore(() => readPasswordFile(join(root, 'missing')), 'not-found');
    assert.equal(existsSync(join(root, 'missing')), false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a tampered ciphertext is a wrong-password error, never a wrong key', () => {
  const json = encryptKey(hexToBytes(KEY), 'pw', LIGHT_SCRYPT);
  const flipped = (parseInt(json.crypto.ciphertext[0]!, 16) ^ 1).toString(16) + json.crypto.ciphertext.slice(1);
  throwsKeystore(() => decryptKey({ ...json, crypto: { ...json.crypto, ciphertext: flipped } }, 'pw'), 'wrong-password');
});
