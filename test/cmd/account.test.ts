/** `gtos account new | list | import` with --password files: keys land encrypted, 0600, and list back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const gtos = (args: string[]) => spawnSync(process.execPath, [GTOS, ...args], { encoding: 'utf8', timeout: 60_000 });

test('account import, new and list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-acct-'));
  try {
    const datadir = join(dir, 'data');
    const pw = join(dir, 'pw.txt');
    writeFileSync(pw, 'hunter2\n');
    const keyfile = join(dir, 'key.hex');
    writeFileSync(keyfile, '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d\n');
    const imp = gtos(['account', 'import', keyfile, '--password', pw, '--datadir', datadir]);
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, /Address: \{008aeeda4d805471df9b2a5b0f38a0c3bcba786b\}/);
    assert.ok(!imp.stdout.includes('7a28b5ba') && !imp.stderr.includes('7a28b5ba') && !imp.stdout.includes('hunter2'), 'no secret printed');
    const again = gtos(['account', 'import', keyfile, '--password', pw, '--datadir', datadir]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already exists/);
    const made = gtos(['account', 'new', '--password', pw, '--datadir', datadir]);
    assert.equal(made.status, 0, made.stderr);
    const list = gtos(['account', 'list', '--datadir', datadir]);
    assert.equal(list.status, 0);
    assert.equal(list.stdout.trim().split('\n').length, 2);
    const ks = join(datadir, 'keystore');
    for (const f of readdirSync(ks)) assert.equal(statSync(join(ks, f)).mode & 0o777, 0o600);
    const noPw = spawnSync(process.execPath, [GTOS, 'account', 'new', '--datadir', datadir], { encoding: 'utf8', input: '' });
    assert.notEqual(noPw.status, 0, 'no password file and no terminal: refused');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
