/**
 * The real Prometheus against a dev node (Debian's `prometheus` package, which
 * .ci/run installs when it can): promtool accepts a scrape and the shipped
 * configs, Prometheus scrapes the node (up == 1, gtos_ series stored), every
 * dashboard query evaluates and every alert rule loads. Skips, saying why, without the binaries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningNode } from '../../src/node/node.js';
import { ALERT_RULES, PROMETHEUS_CONFIG, asPromql, dashboardExprs, startMetricsDevNode } from './support.js';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const missing = (bin: string) => `prometheus not installed: no ${bin} (apt-get install prometheus; .ci/run does when apt is available)`;

/** Runs a binary to completion with `input` on stdin. */
async function run(bin: string, args: string[], input = ''): Promise<{ code: number | null; out: string }> {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, out };
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls `fn` until it returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus and promtool against a dev node', { timeout: 60_000 }, () => {
  const needed = existsSync(PROMETHEUS) || existsSync(PROMTOOL);
  const dir = mkdtempSync(join(tmpdir(), 'gtos-prom-'));
  let dev: { node: RunningNode; url: string } | undefined;

  before(async () => {
    if (needed) dev = await startMetricsDevNode(join(dir, 'node'));
  });
  after(async () => {
    await dev?.node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('promtool: a scrape is lint-clean and the shipped config and rules are valid', async (t) => {
    if (!existsSync(PROMTOOL)) return t.skip(missing(PROMTOOL));
    const text = await (await fetch(dev!.url)).text();
    const metrics = await run(PROMTOOL, ['check', 'metrics'], text);
    assert.equal(metrics.code, 0, `promtool check metrics:\n${metrics.out}`);
    // check config also checks the rule files it names.
    const config = await run(PROMTOOL, ['check', 'config', PROMETHEUS_CONFIG]);
    assert.equal(config.code, 0, `promtool check config:\n${config.out}`);
    assert.match(config.out, /SUCCESS: \d+ rules found/);
  });

  test('Prometheus scrapes the node, stores gtos_ series, evaluates the dashboard and loads the alerts', async (t) => {
    if (!existsSync(PROMETHEUS)) return t.skip(missing(PROMETHEUS));
    const target = new URL(dev!.url).host;
    const port = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(ALERT_RULES)}`,
      'scrape_configs:',
      '  - job_name: gtos',
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
      '',
    ].join('\n'));
    let log = '';
    const prom: ChildProcess = spawn(PROMETHEUS, [
      `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout!.on('data', (d) => (log += d));
    prom.stderr!.on('data', (d) => (log += d));
    const exited = once(prom, 'exit');
    const api = async (path: string) => {
      if (prom.exitCode !== null) throw new Error(`prometheus exited ${prom.exitCode}:\n${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`);
      return (await res.json()) as { status: string; error?: string; data: any };
    };
    const query = (q: string) => api(`query?query=${encodeURIComponent(q)}`);
    try {
      await until('up == 1 for the node', 20_000, async () => {
        const r = await query('up{job="gtos"}');
        return r.data.result.find((s: any) => s.metric.instance === target && s.value[1] === '1');
      });
      const head = await until('a gtos_ series', 10_000, async () => (await query('gtos_chain_head_block')).data.result[0]);
      assert.equal(head.metric.instance, target);
      const ours = await query('count({__name__=~"gtos_.+"})');
      assert.ok(Number(ours.data.result[0].value[1]) > 20, 'many gtos_ series stored');

      // Each panel's query parses and evaluates on a real server (an empty result is fine: p2p on a dev node).
      for (const { panel, expr } of dashboardExprs()) {
        const r = await query(asPromql(expr));
        assert.equal(r.status, 'success', `${panel}: ${expr}: ${r.error}`);
      }
      // Evaluated once at least, every rule healthy.
      const rules = await until('every alert rule evaluated', 10_000, async () => {
        const all = (await api('rules')).data.groups.flatMap((g: any) => g.rules) as { name: string; health: string; lastError?: string }[];
        return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
      });
      for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    } finally {
      if (prom.exitCode === null) prom.kill('SIGTERM');
      await exited;
    }
  });
});
