/**
 * `gtos attach`: `--exec` evaluates once against a dev node, over IPC (by
 * path and by the datadir's default socket) and over HTTP, with quantities
 * shown as numbers where geth's console shows them so.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));

/** Async: the node under test runs in this process and must keep answering. */
function gtos(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [GTOS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('gtos attach --exec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-attach-'));
  let node: RunningNode;
  let url: string;
  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '0' }));
    url = `http://${node.rpc!.host}:${node.rpc!.port}`;
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('over IPC, by path and by the datadir default', async () => {
    const r = await gtos(['attach', node.ipc!, '--exec', 'eth.blockNumber()']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0');
    const d = await gtos(['attach', '--datadir', dir, '--exec', 'eth.getBalance(eth.coinbase())']);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout.trim(), /^[0-9]+n?$/);
    assert.ok(BigInt(d.stdout.trim().replace(/n$/, '')) > 0n);
    const v = await gtos(['attach', node.ipc!, '--exec', 'web3.clientVersion()']);
    assert.match(v.stdout, /^"gtos-ts\//);
  });

  test('over HTTP; a node error and a missing endpoint fail with their message', async () => {
    const r = await gtos(['attach', url, '--exec', 'eth.blockNumber()']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0');
    const bad = await gtos(['attach', url, '--exec', 'eth.noSuchThing()']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /eth_noSuchThing does not exist/);
    const none = await gtos(['attach', join(dir, 'nope.ipc'), '--exec', 'eth.blockNumber()']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /cannot connect to .*nope\.ipc/);
  });

  test('a typo of attach is named with the suggestion', async () => {
    const r = await gtos(['atach']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command 'atach' \(did you mean attach\?\)/);
  });
});
