/**
 * Settings: defaults < TOML < flags; unknown keys and bad values are errors
 * naming the key; dumpconfig output reads back to the same settings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyToml, ConfigError, defaultConfig, dumpToml, get, resolveConfig } from '../../src/cmd/config.js';

test('defaults match go-ethereum and the architecture', () => {
  const c = defaultConfig();
  assert.equal(get(c, 'http', 'addr'), '127.0.0.1');
  assert.equal(get(c, 'http', 'port'), 8545);
  assert.equal(get(c, 'metrics', 'addr'), '127.0.0.1');
  assert.equal(get(c, 'txexec', 'parallel'), false);
  assert.equal(get(c, 'txpool', 'globalslots'), 5120);
  assert.equal(get(c, 'txpool', 'pricebump'), 10n);
});

test('TOML overrides defaults and flags override TOML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cfg-'));
  const file = join(dir, 'c.toml');
  writeFileSync(file, '[txexec]\nparallel = true\nworkers = 3\n[http]\nport = 9000\napi = ["eth", "net"]\n');
  const c = resolveConfig({ config: file, 'http.port': '9100', 'txexec.batch': '64' });
  assert.equal(get(c, 'txexec', 'parallel'), true);
  assert.equal(get(c, 'txexec', 'workers'), 3);
  assert.equal(get(c, 'txexec', 'batch'), 64);
  assert.equal(get(c, 'http', 'port'), 9100);
  assert.deepEqual(get(c, 'http', 'api'), ['eth', 'net']);
});

test('unknown keys and bad values name the key', () => {
  assert.throws(() => applyToml(defaultConfig(), '[txexec]\nparalel = true\n'), (e: Error) => e instanceof ConfigError && /txexec\.paralel/.test(e.message));
  assert.throws(() => applyToml(defaultConfig(), '[nope]\nx = 1\n'), (e: Error) => e instanceof ConfigError && /nope\.x/.test(e.message));
  assert.throws(() => applyToml(defaultConfig(), '[http]\nport = "abc"\n'), (e: Error) => e instanceof ConfigError && /http\.port/.test(e.message));
  assert.throws(() => applyToml(defaultConfig(), '[http]\nport = 70000\n'), (e: Error) => e instanceof ConfigError && /http\.port/.test(e.message));
  assert.throws(() => applyToml(defaultConfig(), 'x = = 1'), ConfigError);
  assert.throws(() => resolveConfig({ 'txexec.workers': 'many' }), (e: Error) => e instanceof ConfigError && /txexec\.workers/.test(e.message));
});

test('dumpconfig output reads back to the same effective settings', () => {
  const c = resolveConfig({ 'txexec.parallel': true, 'miner.gaslimit': '40000000' });
  const text = dumpToml(c);
  const back = defaultConfig();
  applyToml(back, text);
  assert.deepEqual(back, c);
});
