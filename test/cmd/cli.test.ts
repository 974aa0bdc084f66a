/**
 * The command line as go-ethereum users expect it: `gtos version`, mistyped
 * subcommands named with a suggestion, bare flags that mean something.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));
const gtos = (args: string[]) => spawnSync(process.execPath, [GTOS, ...args], { encoding: 'utf8', timeout: 60_000 });
const PKG = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

test('gtos version prints the package version, Node.js version and platform', () => {
  const r = gtos(['version']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Version: ${PKG.version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^Node Version: ${process.version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^Operating System: ${process.platform}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^Architecture: ${process.arch}$`, 'm'));
  assert.equal(gtos(['--version']).stdout.trim(), PKG.version);
});

test('a mistyped subcommand is named as unknown, with the nearest one', () => {
  const r = gtos(['verison']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown command 'verison' \(did you mean version\?\)/);
  assert.doesNotMatch(r.stderr, /too many arguments/);
  const far = gtos(['frobnicate']);
  assert.equal(far.status, 1);
  assert.match(far.stderr, /unknown command 'frobnicate'$/m);
  // Subcommands still refuse extra words.
  assert.match(gtos(['version', 'extra']).stderr, /too many arguments/);
});

test('--txexec.shadow given bare shadow-verifies every block; a value still counts', () => {
  const bare = gtos(['dumpconfig', '--txexec.shadow']);
  assert.equal(bare.status, 0, bare.stderr);
  assert.match(bare.stdout, /^shadow = 1$/m);
  assert.match(gtos(['dumpconfig', '--txexec.shadow', '5']).stdout, /^shadow = 5$/m);
  assert.match(gtos(['dumpconfig']).stdout, /^shadow = 0$/m);
  assert.match(gtos(['dumpconfig', '--txexec.shadowhalt']).stdout, /^shadowhalt = true$/m);
  assert.match(gtos(['dumpconfig', '--txexec.shadow', 'x']).stderr, /txexec\.shadow: expected an integer/);
});
