/**
 * The node driven by tools users already run: foundry's `cast` (the
 * `@foundry-rs/cast-linux-amd64` dev dependency) reads the head, sends a
 * signed transfer, reads its receipt and queries logs; ethers v6's
 * `provider.on('pending')` polls a pending-transaction filter and delivers
 * hashes without an error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { JsonRpcProvider, Wallet, parseEther } from 'ethers';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';
import { testAccount } from '../../tools/workload/accounts.js';
import { rpcCall } from '../util/rpc.js';
import { until } from '../util/wait.js';

function castPath(): string | undefined {
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('@foundry-rs/cast-linux-amd64/package.json')), 'bin', 'cast');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

describe('real clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-clients-'));
  let node: RunningNode;
  let url: string;
  const user = testAccount('clients-user');

  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '1' }));
    url = `http://${node.rpc!.host}:${node.rpc!.port}`;
    const [dev] = await rpcCall(url, 'eth_accounts');
    const h = await rpcCall(url, 'eth_sendTransaction', [{ from: dev, to: bytesToHex(user.address), value: '0x56bc75e2d63100000' }]);
    await until(async () => (await rpcCall(url, 'eth_getTransactionReceipt', [h])) !== null, 20_000, 'funding mined');
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('cast: block-number, send with a private key, receipt, logs', async (t) => {
    const cast = castPath();
    if (!cast) {
      t.skip('dev dependency @foundry-rs/cast-linux-amd64 not installed');
      return;
    }
    // Asynchronous: the node answering cast runs in this process.
    const run = async (...args: string[]) => {
      try {
        return (await promisify(execFile)(cast, args, { encoding: 'utf8', timeout: 60_000 })).stdout.trim();
      } catch (e) {
        assert.fail(`cast ${args.join(' ')}: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
      }
    };
    assert.ok(Number(await run('block-number', '--rpc-url', url)) >= 1);
    const to = '0x' + '5a'.repeat(20);
    const sent = await run('send', '--rpc-url', url, '--private-key', bytesToHex(user.key), '--json', to, '--value', '12345');
    const receipt = JSON.parse(sent) as { status: string; transactionHash: string };
    assert.equal(receipt.status, '0x1');
    assert.match(await run('receipt', '--rpc-url', url, receipt.transactionHash, 'status'), /^(1|0x1|true|1 \(success\))$/);
    assert.equal(await run('balance', '--rpc-url', url, to), '12345');
    assert.equal(await run('logs', '--rpc-url', url, '--from-block', '0', '--to-block', 'latest', '--json'), '[]');
  });

  test("ethers: provider.on('pending') polls a filter and delivers hashes, without errors", async () => {
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 } as never);
    const errors: unknown[] = [];
    provider.on('error', (e) => errors.push(e));
    const seen = new Set<string>();
    try {
      await provider.on('pending', (h: string) => seen.add(h));
      await new Promise((r) => setTimeout(r, 300)); // the filter is installed before the send
      const w = new Wallet(bytesToHex(user.key), provider);
      const tx = await w.sendTransaction({ to: Wallet.createRandom().address, value: parseEther('0.001') });
      await until(() => seen.has(tx.hash), 15_000, 'the pending hash delivered');
      await tx.wait(1, 20_000);
      assert.deepEqual(errors, []);
    } finally {
      provider.destroy();
    }
  });
});
