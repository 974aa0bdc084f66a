/**
 * go-ethereum's flags with go-ethereum's meaning: --identity, --miner.extradata,
 * --rpc.gascap, --rpc.txfeecap, --nodekey, --log.format and --log.file, each
 * parsed into the typed config and seen working (over HTTP on a dev node).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveConfig } from '../../src/cmd/config.js';
import { NodeStartError, startNode, type RunningNode } from '../../src/node/node.js';
import { loadNodeKeyFile, NodeKeyError } from '../../src/network/node-key.js';
import { logger, setLogFile, setLogFormat, setLogSink, setVerbosity } from '../../src/util/log.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'gtos-flags-'));

test('the flags land in the typed config, with geth defaults', () => {
  const d = resolveConfig({});
  assert.equal(d.rpc.gascap, 50_000_000n);
  assert.equal(d.rpc.txfeecap, 1);
  assert.equal(d.log.format, 'terminal');
  const c = resolveConfig({
    identity: 'box', 'miner.extradata': 'vanity', 'rpc.gascap': '0', 'rpc.txfeecap': '0.5',
    nodekey: '/k', 'log.format': 'json', 'log.file': '/l',
  });
  assert.equal(c.node.identity, 'box');
  assert.equal(c.miner.extradata, 'vanity');
  assert.equal(c.rpc.gascap, 0n);
  assert.equal(c.rpc.txfeecap, 0.5);
  assert.equal(c.p2p.nodekey, '/k');
  assert.equal(c.log.format, 'json');
  assert.equal(c.log.file, '/l');
  assert.throws(() => resolveConfig({ 'log.format': 'xml' }), (e: Error) => e instanceof ConfigError && /log\.format/.test(e.message));
  assert.throws(() => resolveConfig({ 'rpc.txfeecap': 'lots' }), (e: Error) => e instanceof ConfigError && /rpc\.txfeecap/.test(e.message));
});

test('--miner.extradata over 32 bytes refuses the start', async () => {
  const dir = tmp();
  try {
    await assert.rejects(startNode(resolveConfig({ dev: true, datadir: dir, 'miner.extradata': 'x'.repeat(33) })),
      (e: Error) => e instanceof NodeStartError && /at most 32 bytes, got 33/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('on a dev node', () => {
  const dir = tmp();
  let node: RunningNode;
  let url: string;
  let id = 0;
  const call = async (method: string, params: unknown[] = []) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    return (await res.json()) as { result?: any; error?: { code: number; message: string } };
  };

  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({
      dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '0',
      identity: 'mybox', 'miner.extradata': 'hello gtos', 'rpc.gascap': '2000',
    }));
    url = `http://${node.rpc!.host}:${node.rpc!.port}`;
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--identity names the node in web3_clientVersion as geth does', async () => {
    const v = (await call('web3_clientVersion')).result as string;
    assert.match(v, /^gtos-ts\/mybox\/v[0-9]+\.[0-9]+\.[0-9]+[^/]*\/[a-z0-9]+-[a-z0-9]+\/node[0-9.]+$/);
  });

  test('--miner.extradata is the vanity of mined blocks', async () => {
    const [dev] = (await call('eth_accounts')).result as string[];
    const sent = await call('eth_sendTransaction', [{ from: dev, to: '0x' + '42'.repeat(20), value: '0x1' }]);
    assert.equal(sent.error, undefined, sent.error?.message);
    for (let i = 0; i < 100 && node.chain.currentHeader().number === 0n; i++) await new Promise((r) => setTimeout(r, 50));
    const block = (await call('eth_getBlockByNumber', ['0x1', false])).result as { extraData: string };
    const vanity = Buffer.from('hello gtos').toString('hex').padEnd(64, '0');
    assert.equal(block.extraData.slice(2, 66), vanity);
    assert.equal(block.extraData.length, 2 + (32 + 65) * 2);
  });

  test('--rpc.gascap caps eth_estimateGas and eth_call', async () => {
    const [dev] = (await call('eth_accounts')).result as string[];
    // A transfer needs 3,000 gas here (the chain's txGas): more than the 2,000 cap.
    const tx = { from: dev, to: '0x' + '43'.repeat(20) };
    assert.equal((await call('eth_estimateGas', [tx])).error?.message, 'gas required exceeds allowance (2000)');
    // Asked for more than the cap, a call runs with the cap (as geth), here too little.
    const c = await call('eth_call', [{ ...tx, gas: '0x989680' }]);
    assert.match(c.error?.message ?? '', /intrinsic gas too low/);
  });

  test('--rpc.txfeecap (default 1 ether) refuses costlier sends with geth\'s message', async () => {
    const [dev] = (await call('eth_accounts')).result as string[];
    // 1,000,000 gas × 2,000 gwei = 2 ether.
    const tx = { from: dev, to: '0x' + '44'.repeat(20), value: '0x1', gas: '0xf4240', gasPrice: '0x1d1a94a2000' };
    const sent = await call('eth_sendTransaction', [tx]);
    assert.equal(sent.error?.message, 'tx fee (2.00 ether) exceeds the configured cap (1.00 ether)');
    const signed = await call('eth_signTransaction', [tx]);
    assert.equal(signed.error, undefined, signed.error?.message);
    const raw = await call('eth_sendRawTransaction', [signed.result.raw]);
    assert.equal(raw.error?.message, 'tx fee (2.00 ether) exceeds the configured cap (1.00 ether)');
  });
});

test('--nodekey reads a geth secp256k1 key or an Ed25519 key, and names a misfit', async () => {
  const dir = tmp();
  try {
    const f = join(dir, 'key');
    writeFileSync(f, '45'.repeat(32) + '\n');
    assert.equal((await loadNodeKeyFile(f)).type, 'secp256k1');
    const { generateKeyPairFromSeed } = await import('@libp2p/crypto/keys');
    const ed = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7));
    writeFileSync(f, Buffer.from(ed.raw).toString('hex'));
    const back = await loadNodeKeyFile(f);
    assert.equal(back.type, 'Ed25519');
    assert.ok(back.publicKey.equals(ed.publicKey));
    const forged = Buffer.from(ed.raw);
    forged[40] = forged[40]! ^ 1;
    writeFileSync(f, forged.toString('hex'));
    await assert.rejects(loadNodeKeyFile(f), (e: Error) => e instanceof NodeKeyError && /does not belong to the seed/.test(e.message));
    writeFileSync(f, 'ab'.repeat(20));
    await assert.rejects(loadNodeKeyFile(f), (e: Error) => e instanceof NodeKeyError && /expected 32 bytes .* got 20 bytes/.test(e.message));
    writeFileSync(f, 'zz');
    await assert.rejects(loadNodeKeyFile(f), (e: Error) => e instanceof NodeKeyError && /not hex/.test(e.message));
    await assert.rejects(loadNodeKeyFile(join(dir, 'none')), (e: Error) => e instanceof NodeKeyError && /cannot read/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--log.format json and --log.file: one JSON object a line, appended to a 0600 file', () => {
  const dir = tmp();
  const file = join(dir, 'gtos.log');
  try {
    setVerbosity(3);
    setLogFormat('json');
    setLogFile(file);
    logger('test').info('first', { n: 5n, ok: true });
    logger('test').warn('second');
    setLogFile(file); // reopened: appends
    logger('test').info('third');
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.msg), ['first', 'second', 'third']);
    assert.equal(lines[0]!.lvl, 'info');
    assert.equal(lines[0]!.n, '5');
    assert.equal(lines[0]!.module, 'test');
    assert.ok(!Number.isNaN(Date.parse(String(lines[0]!.t))));
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    setLogFormat('terminal');
    setLogSink((l) => process.stderr.write(l + '\n'));
    setVerbosity(1);
    rmSync(dir, { recursive: true, force: true });
  }
});
