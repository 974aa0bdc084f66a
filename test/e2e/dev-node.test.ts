/**
 * The dev node as a user meets it: started as a child process, driven with
 * ethers v6 over HTTP — legacy and EIP-1559 transfers, eth_sendTransaction
 * with the dev account, a system action — then metrics, bad input, SIGTERM,
 * restart with the same datadir (chain and local pending txs kept), and a
 * second process on the same datadir refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet, parseEther, toUtf8Bytes, hexlify } from 'ethers';
import { GTOS, rpc, startNode, type NodeProc } from './node-process.js';

const SYSTEM_ACTION = '0x0000000000000000000000000000000054534f31';

describe('dev node end to end (ethers v6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-e2e-'));
  const datadir = join(dir, 'data');
  const args = ['--dev', '--datadir', datadir, '--http', '--http.port', '0', '--metrics', '--metrics.port', '0', '--txexec.parallel', '--verbosity', '2'];
  let node: NodeProc;
  let provider: JsonRpcProvider;
  const user = Wallet.createRandom();

  before(async () => {
    node = await startNode(args);
    provider = new JsonRpcProvider(node.rpc, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 } as never);
  });
  after(async () => {
    provider?.destroy();
    await node?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('chain id, dev account, and eth_sendTransaction with the dev account', async () => {
    assert.equal((await provider.getNetwork()).chainId, 1337n);
    const accounts: string[] = await provider.send('eth_accounts', []);
    assert.deepEqual(accounts, [node.devAccount]);
    const dev = await provider.getSigner(node.devAccount!);
    const tx = await dev.sendTransaction({ to: user.address, value: parseEther('100') });
    const r = await tx.wait(1, 20_000);
    assert.equal(r!.status, 1);
    assert.equal(await provider.getBalance(user.address), parseEther('100'));
  });

  test('legacy and EIP-1559 transfers signed by an ethers wallet', async () => {
    const w = user.connect(provider);
    const to1 = Wallet.createRandom().address;
    const legacy = await w.sendTransaction({ to: to1, value: 1000n, type: 0, gasPrice: 3_000_000_000n });
    const r1 = await legacy.wait(1, 20_000);
    assert.equal(r1!.status, 1);
    assert.equal(r1!.type, 0);
    const to2 = Wallet.createRandom().address;
    const dyn = await w.sendTransaction({ to: to2, value: 2000n, type: 2 });
    const r2 = await dyn.wait(1, 20_000);
    assert.equal(r2!.status, 1);
    assert.equal(r2!.type, 2);
    assert.equal(await provider.getBalance(to1), 1000n);
    assert.equal(await provider.getBalance(to2), 2000n);
    const got = await provider.getTransaction(dyn.hash);
    assert.equal(got!.from, user.address);
    const block = await provider.getBlock(r2!.blockNumber, true);
    assert.ok(block!.transactions.includes(dyn.hash));
  });

  test('a system action registers a node and the staking read method shows it', async () => {
    const w = user.connect(provider);
    const data = hexlify(toUtf8Bytes(JSON.stringify({ action: 'NODE_REGISTER', payload: { commission_bps: 250 } })));
    const tx = await w.sendTransaction({ to: SYSTEM_ACTION, data, value: parseEther('1') });
    const r = await tx.wait(1, 20_000);
    assert.equal(r!.status, 1);
    const rec = await provider.send('staking_getNode', [user.address]);
    assert.equal(BigInt(rec.commission), 250n);
    assert.equal(BigInt(rec.selfStake), parseEther('1'));
    // A malformed action is refused by the pool before it costs anything.
    await assert.rejects(w.sendTransaction({ to: SYSTEM_ACTION, data: hexlify(toUtf8Bytes('{"action":')), gasLimit: 200_000n }), /malformed system action/);
  });

  test('metrics are served', async () => {
    const text = await (await fetch(node.metrics!)).text();
    assert.match(text, /gtos_chain_head_block \d+/);
    assert.match(text, /gtos_txexec_txs_total/);
    assert.match(text, /^gtos_chain_txs_total\{origin="mined"\} [1-9]/m, 'sealed blocks count as processed');
    assert.match(text, /gtos_miner_blocks_total \d+/);
    // A parallel dev node mines with a free core (its pool is idle between txs): after two blocks on the main
    // thread the root-path chooser tries the worker, and both paths' measured costs are exported.
    assert.match(text, /^gtos_state_root_offthread_total\{where="worker"\} [1-9]/m, 'the miner\'s state roots are computed on the worker');
    assert.match(text, /^gtos_state_root_cost_us_per_tx\{path="main"\} [0-9.e+-]+$/m);
    assert.match(text, /^gtos_state_root_cost_us_per_tx\{path="worker"\} [0-9.e+-]+$/m);
    assert.match(text, /^gtos_state_root_offthread_total\{where="main"\} 0$/m, 'no worker failed');
    assert.match(text, /^gtos_state_flat_layers [1-9]/m, 'the flat state has layers');
    assert.match(text, /process_cpu_user_seconds_total/);
    assert.equal((await fetch(node.metrics!.replace('/metrics', '/debug/metrics/prometheus'))).status, 200);
  });

  test('bad input gets the right JSON-RPC errors and the node keeps serving', async () => {
    assert.equal((await rpc(node.rpc, '{"jsonrpc":"2.0",')).json.error.code, -32700);
    assert.equal((await rpc(node.rpc, { jsonrpc: '2.0', id: 1, method: 'eth_nope', params: [] })).json.error.code, -32601);
    assert.equal((await rpc(node.rpc, { jsonrpc: '2.0', id: 2, method: 'eth_getBalance', params: ['0x12'] })).json.error.code, -32602);
    assert.equal((await rpc(node.rpc, { jsonrpc: '2.0', id: 3, method: 'eth_getBalance', params: [] })).json.error.code, -32602);
    assert.equal((await rpc(node.rpc, { jsonrpc: '2.0', id: 4, method: 'eth_sendRawTransaction', params: ['0xdeadbeef'] })).json.error.code, -32000);
    assert.equal((await rpc(node.rpc, [])).json.error.code, -32600);
    const big = await rpc(node.rpc, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'eth_chainId', params: ['x'.repeat(6 * 1024 * 1024)] }));
    assert.equal(big.status, 413);
    const batch = await rpc(node.rpc, Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })));
    assert.equal(batch.json.error.code, -32005);
    const mixed = await rpc(node.rpc, [{ jsonrpc: '2.0', id: 'a', method: 'eth_chainId' }, { jsonrpc: '2.0', id: 'b', method: 'nope' }]);
    assert.equal(mixed.json[0].result, '0x539');
    assert.equal(mixed.json[1].error.code, -32601);
    assert.equal((await rpc(node.rpc, { jsonrpc: '2.0', id: 6, method: 'eth_chainId' })).json.result, '0x539');
  });

  test('SIGTERM stops cleanly; a restart keeps the chain and local pending txs; a second process is refused', async () => {
    // A local tx with a nonce gap stays queued in the pool: it must survive the restart (journal).
    const w = user.connect(provider);
    const nonce = await provider.getTransactionCount(user.address, 'pending');
    const gapped = await w.signTransaction({ to: user.address, value: 1n, nonce: nonce + 5, gasLimit: 3000n, chainId: 1337n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, type: 2 });
    const hash = await provider.send('eth_sendRawTransaction', [gapped]);
    const height = await provider.getBlockNumber();
    const t0 = Date.now();
    const code = await node.stop('SIGTERM');
    assert.equal(code, 0, node.output());
    assert.ok(Date.now() - t0 < 5000, 'stopped within a few seconds');
    provider.destroy();
    // The chain this node mined with the parallel executor re-imports with the serial one: same roots.
    const exported = join(dir, 'mined.rlp');
    const exp = spawnSync(process.execPath, [GTOS, 'export', exported, '1', String(height), '--datadir', datadir], { encoding: 'utf8' });
    assert.equal(exp.status, 0, exp.stderr);
    const serialDir = join(dir, 'serial');
    assert.equal(spawnSync(process.execPath, [GTOS, 'init', join(datadir, 'dev-genesis.json'), '--datadir', serialDir], { encoding: 'utf8' }).status, 0);
    const imp = spawnSync(process.execPath, [GTOS, 'import', exported, '--datadir', serialDir], { encoding: 'utf8' });
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, new RegExp(`Imported blocks=${height} `));
    node = await startNode(args);
    provider = new JsonRpcProvider(node.rpc, undefined, { staticNetwork: true } as never);
    assert.ok((await provider.getBlockNumber()) >= height, 'the chain continues from where it was');
    const content = await provider.send('txpool_content', []);
    const queued = content.queued[user.address.toLowerCase()];
    assert.ok(queued && Object.values(queued).some((t: any) => t.hash === hash), 'the local queued tx came back from the journal');
    const second = spawnSync(process.execPath, [GTOS, '--datadir', datadir, '--dev', '--http', '--http.port', '0'], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /in use by another process/);
  });
});
