/**
 * Settings: defaults < TOML < flags; unknown keys and bad values are errors
 * naming the key; dumpconfig output reads back to the same settings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyToml, ConfigError, defaultConfig, dumpToml, resolveConfig } from '../../src/cmd/config.js';

test('defaults match go-ethereum and the architecture', () => {
  const c = defaultConfig();
  assert.equal(c.http.addr, '127.0.0.1');
  assert.equal(c.http.port, 8545);
  assert.equal(c.metrics.addr, '127.0.0.1');
  assert.equal(c.txexec.parallel, false);
  assert.equal(c.txpool.globalslots, 5120);
  assert.equal(c.txpool.pricebump, 10n);
});

test('TOML overrides defaults and flags override TOML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-cfg-'));
  const file = join(dir, 'c.toml');
  writeFileSync(file, '[txexec]\nparallel = true\nworkers = 3\n[http]\nport = 9000\napi = ["eth", "net"]\n');
  const c = resolveConfig({ config: file, 'http.port': '9100', 'txexec.batch': '64' });
  assert.equal(c.txexec.parallel, true);
  assert.equal(c.txexec.workers, 3);
  assert.equal(c.txexec.batch, 64);
  assert.equal(c.http.port, 9100);
  assert.deepEqual(c.http.api, ['eth', 'net']);
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

test('every key of the typed config has exactly one setting, and defaults come from the parts that own them', async () => {
  const { SETTINGS } = await import('../../src/cmd/config.js');
  const { defaultExecutorConfig } = await import('../../src/core/executor/config.js');
  const { defaultTxPoolConfig } = await import('../../src/core/txpool/config.js');
  const c = defaultConfig();
  const keys = Object.entries(c).flatMap(([sec, body]) => Object.keys(body as object).map((k) => `${sec}.${k}`)).sort();
  const named = SETTINGS.map((s) => s.toml.join('.')).sort();
  assert.deepEqual(named, keys);
  assert.equal(new Set(SETTINGS.map((s) => s.flag)).size, SETTINGS.length);
  assert.equal(c.txexec.batch, defaultExecutorConfig().batchMax);
  assert.equal(c.txexec.workers, defaultExecutorConfig().workers);
  assert.equal(c.txpool.localslots, defaultTxPoolConfig().localSlots);
  assert.equal(c.txpool.lifetime * 1000, defaultTxPoolConfig().lifetimeMs);
});

test('--txpool.locals and --txpool.localslots reach the pool config', async () => {
  const { txPoolConfig } = await import('../../src/node/config.js');
  const c = resolveConfig({ 'txpool.locals': '0xAbC0000000000000000000000000000000000001, 0x00000000000000000000000000000000000000ff', 'txpool.localslots': '7' });
  const p = txPoolConfig(c);
  assert.deepEqual(p.locals, ['0xabc0000000000000000000000000000000000001', '0x00000000000000000000000000000000000000ff']);
  assert.equal(p.localSlots, 7);
  assert.throws(() => resolveConfig({ 'txpool.localslots': '0' }), (e: Error) => e instanceof ConfigError && /txpool\.localslots/.test(e.message));
});
