/**
 * `gtos localnet` as a user runs it: three `gtos` processes on 127.0.0.1,
 * each a clique signer, find each other from the bootnodes they are given,
 * seal in turn, and agree on every block and state root; a tx sent to one is
 * mined and visible on all; stopping (SIGINT, as Ctrl-C) ends every process
 * cleanly; `gtos localnet` on the same folder continues the chain, prints
 * the endpoints, and Ctrl-C stops all of its nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addressToHex } from '../../src/crypto/primitives.js';
import { prepareLocalnet, startLocalnet, type LocalnetOptions } from '../../src/cmd/commands/localnet.js';
import { freePortRange } from '../util/ports.js';
import { rpcCall } from '../util/rpc.js';
import { until } from '../util/wait.js';

const GTOS = fileURLToPath(new URL('../../src/cmd/gtos.js', import.meta.url));

test('localnet: three signer processes seal in turn, agree on blocks and state, share txs; the CLI resumes the chain and Ctrl-C stops all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-localnet-'));
  const base = await freePortRange(9);
  const opts: LocalnetOptions = { dir: join(dir, 'net'), nodes: 3, period: 1, p2pPort: base, httpPort: base + 3, metricsPort: base + 6, verbosity: 2, parallel: false };
  const logs: string[] = [];
  let net;
  try {
    const plans = await prepareLocalnet(opts);
    assert.equal(statSync(join(opts.dir, 'password.txt')).mode & 0o777, 0o600);
    net = await startLocalnet(plans, (s) => logs.push(s));
    const urls = net.nodes.map((n) => n.rpc);
    const heights = async () => Promise.all(urls.map(async (u) => BigInt(await rpcCall(u, 'eth_blockNumber'))));
    await until(async () => (await heights()).every((h) => h >= 9n), 60_000, 'nine blocks everywhere');
    // Same blocks and state roots everywhere.
    for (const n of [3n, 6n, 8n]) {
      const blocks = await Promise.all(urls.map((u) => rpcCall(u, 'eth_getBlockByNumber', ['0x' + n.toString(16), false])));
      assert.ok(blocks.every((b) => b.hash === blocks[0].hash && b.stateRoot === blocks[0].stateRoot), `block ${n} differs between nodes`);
    }
    // Sealed in turn: every signer seals, and nobody seals two blocks in a row.
    const sealers = await Promise.all([4, 5, 6, 7, 8, 9].map((n) => rpcCall(urls[0]!, 'clique_getSigner', ['0x' + n.toString(16)])));
    assert.equal(new Set(sealers).size, 3, `sealers ${sealers.join(' ')}`);
    for (let i = 1; i < sealers.length; i++) assert.notEqual(sealers[i], sealers[i - 1]);
    // A tx sent to node1 is mined and visible on all three.
    const from = addressToHex(plans[1]!.signer);
    const to = '0x' + '42'.repeat(20);
    const hash = await rpcCall(urls[1]!, 'eth_sendTransaction', [{ from, to, value: '0x2a' }]);
    await until(async () => (await Promise.all(urls.map((u) => rpcCall(u, 'eth_getTransactionReceipt', [hash])))).every((r) => r && r.status === '0x1'), 30_000, 'receipt everywhere');
    for (const u of urls) assert.equal(await rpcCall(u, 'eth_getBalance', [to, 'latest']), '0x2a');
    assert.equal(await rpcCall(urls[2]!, 'net_peerCount'), '0x2');

    await net.stop();
    assert.deepEqual(net.nodes.map((n) => n.process.exitCode), [0, 0, 0], logs.slice(-20).join('\n'));
    // The CLI as a user runs it, on the same folder: it continues the chain; Ctrl-C (SIGINT) stops every node.
    const cli = spawn(process.execPath, [GTOS, 'localnet', '--dir', opts.dir, '--p2p-port', String(base), '--http-port', String(base + 3), '--metrics-port', String(base + 6), '--verbosity', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    cli.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (printed += d.toString()));
    const cliExit = new Promise<number | null>((r) => cli.once('exit', (code) => r(code)));
    try {
      await until(() => printed.includes('Press Ctrl-C'), 60_000, 'the localnet banner');
      for (const u of urls) assert.ok(printed.includes(`JSON-RPC ${u}`), `endpoint ${u} printed`);
      const resumed = BigInt(await rpcCall(urls[0]!, 'eth_blockNumber'));
      assert.ok(resumed >= 9n, 'the chain survived the restart');
      await until(async () => BigInt(await rpcCall(urls[2]!, 'eth_blockNumber')) > resumed, 30_000, 'sealing resumes');
      cli.kill('SIGINT');
      assert.equal(await cliExit, 0, printed.slice(-2000));
      assert.match(printed, /Stopping localnet/);
      for (const u of urls) await assert.rejects(rpcCall(u, 'eth_blockNumber'), `${u} is down`);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  } finally {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
