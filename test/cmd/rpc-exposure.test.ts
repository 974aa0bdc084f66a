/**
 * What a node on a public address says and refuses at start: --dev's
 * account behind 0.0.0.0 (HTTP or WebSocket) without --allow-insecure-unlock
 * is refused (and nothing is left open); a public HTTP or metrics listener
 * is a WARN line that names the address and what makes it worse; loopback
 * stays quiet; --http.vhosts reaches the node’s HTTP server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { resolveConfig } from '../../src/cmd/config.js';
import { NodeStartError, startNode } from '../../src/node/node.js';
import { isLoopbackHost } from '../../src/node/exposure.js';
import { LevelDatabase } from '../../src/state/database.js';
import { chainDataPath } from '../../src/node/datadir.js';
import { setLogSink, setVerbosity } from '../../src/util/log.js';

async function captureLog<T>(fn: () => Promise<T>): Promise<{ lines: string[]; result: T }> {
  const lines: string[] = [];
  setLogSink((l) => lines.push(l));
  try {
    return { lines, result: await fn() };
  } finally {
    setLogSink((l) => process.stderr.write(l + '\n'));
    setVerbosity(3);
  }
}

const devFlags = (datadir: string) => ({ dev: true, datadir, http: true, 'http.port': '0', 'dev.period': '0', verbosity: '2' });

test('loopback is told apart from every public address', () => {
  for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.5', 'node.example', '::ffff:10.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});

test('--dev on 0.0.0.0 (HTTP or WebSocket) without --allow-insecure-unlock is refused before anything opens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-exposure-'));
  try {
    await assert.rejects(
      startNode(resolveConfig({ ...devFlags(dir), 'http.addr': '0.0.0.0' })),
      (e: Error) => e instanceof NodeStartError && /refusing to expose unlocked accounts on 0\.0\.0\.0 without --allow-insecure-unlock/.test(e.message),
    );
    // WebSocket serves eth_sendTransaction too.
    await assert.rejects(
      startNode(resolveConfig({ ...devFlags(dir), ws: true, 'ws.addr': '0.0.0.0', 'ws.port': '0' })),
      (e: Error) => e instanceof NodeStartError && /refusing to expose unlocked accounts on 0\.0\.0\.0/.test(e.message),
    );
    // The database was never opened, so its lock is free.
    const db = await LevelDatabase.open(chainDataPath(dir));
    await db.close();
  } finally {
    setVerbosity(3);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a public bind is a WARN naming the address and what makes it worse; loopback is quiet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-exposure-'));
  try {
    const pub = await captureLog(async () => {
      const node = await startNode(resolveConfig({
        ...devFlags(dir), 'http.addr': '0.0.0.0', allowInsecureUnlock: true, 'http.corsdomain': '*',
        metrics: true, 'metrics.addr': '0.0.0.0', 'metrics.port': '0',
      }));
      await node.stop();
    });
    const warns = pub.lines.filter((l) => l.startsWith('WARN'));
    const http = warns.find((l) => /HTTP JSON-RPC listens on 0\.0\.0\.0/.test(l));
    assert.ok(http, `a WARN for the RPC bind in:\n${pub.lines.join('\n')}`);
    assert.match(http, /--dev/);
    assert.match(http, /corsdomain '\*'/);
    assert.ok(warns.some((l) => /metrics listen on 0\.0\.0\.0/.test(l)), `a WARN for the metrics bind in:\n${warns.join('\n')}`);

    const local = await captureLog(async () => {
      const node = await startNode(resolveConfig({ ...devFlags(dir), metrics: true, 'metrics.port': '0' }));
      await node.stop();
    });
    assert.deepEqual(local.lines.filter((l) => l.startsWith('WARN')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function statusFor(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: '/', agent: false, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

test('--http.vhosts reaches the node’s server: localhost by default, the listed names otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-exposure-'));
  try {
    const node = await startNode(resolveConfig({ ...devFlags(dir), verbosity: '0' }));
    try {
      assert.equal(await statusFor(node.rpc!.port, 'evil.example'), 403);
      assert.equal(await statusFor(node.rpc!.port, `localhost:${node.rpc!.port}`), 200);
    } finally {
      await node.stop();
    }
    const listed = await startNode(resolveConfig({ ...devFlags(dir), verbosity: '0', 'http.vhosts': 'node.example' }));
    try {
      assert.equal(await statusFor(listed.rpc!.port, 'node.example'), 200);
      assert.equal(await statusFor(listed.rpc!.port, 'localhost'), 403);
    } finally {
      await listed.stop();
    }
  } finally {
    setVerbosity(3);
    rmSync(dir, { recursive: true, force: true });
  }
});
