/**
 * The RPC namespaces over real HTTP against an in-process dev node: state
 * reads with proofs, blocks and receipts, fee suggestions and history, gas
 * estimates, clique signers and votes, txpool views, parameter errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/keccak.js';
import { hashFromHex } from '../../src/crypto/primitives.js';
import { verifyProof } from '../../src/state/trie/proof.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';
import { rpcAnswer, rpcCall } from '../util/rpc.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { testAccount, transfer } from '../../tools/workload/accounts.js';

const hashlessAddress = (b: number) => asAddress(new Uint8Array(20).fill(b));

describe('RPC methods', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-rpc-'));
  let node: RunningNode;
  let url: string;
  const call = (method: string, params: unknown[] = []) => rpcAnswer(url, method, params);
  const ok = (method: string, params: unknown[] = []) => rpcCall(url, method, params);

  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '0', 'http.api': 'eth,tos,net,web3,txpool,clique,staking,agent,admin' }));
    url = `http://${node.rpc!.host}:${node.rpc!.port}`;
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('transactions, receipts and blocks', async () => {
    const [dev] = await ok('eth_accounts');
    const to = '0x' + '42'.repeat(20);
    const hash = await ok('eth_sendTransaction', [{ from: dev, to, value: '0x3e8' }]);
    let receipt = null;
    for (let i = 0; i < 100 && !receipt; i++) {
      receipt = await ok('eth_getTransactionReceipt', [hash]);
      if (!receipt) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.gasUsed, '0xbb8', 'txGas 3000 in dev mode');
    assert.equal(await ok('tos_getBalance', [to, 'latest']), '0x3e8', 'tos_* mirrors eth_*');
    const tx = await ok('eth_getTransactionByHash', [hash]);
    assert.equal(tx.from, dev);
    assert.equal(tx.blockNumber, receipt.blockNumber);
    const byNum = await ok('eth_getBlockByNumber', [receipt.blockNumber, true]);
    assert.equal(byNum.transactions[0].hash, hash);
    const byHash = await ok('eth_getBlockByHash', [receipt.blockHash, false]);
    assert.deepEqual(byHash.transactions, [hash]);
    assert.equal(await ok('eth_getBlockTransactionCountByNumber', [receipt.blockNumber]), '0x1');
    assert.equal(await ok('eth_getBlockByNumber', ['0xffffff', false]), null);
    assert.equal(await ok('eth_getTransactionReceipt', ['0x' + '00'.repeat(32)]), null);
    assert.equal(await ok('eth_getTransactionCount', [dev, 'latest']), '0x1');
    assert.equal(await ok('eth_call', [{ to, data: '0x' }, 'latest']), '0x');
    // Block parameters as geth's BlockNumberOrHash: a bare hash, {blockHash, requireCanonical}, {blockNumber}.
    assert.equal(await ok('eth_getBalance', [to, receipt.blockHash]), '0x3e8');
    assert.equal(await ok('eth_getBalance', [to, { blockHash: receipt.blockHash, requireCanonical: true }]), '0x3e8');
    assert.equal(await ok('eth_getBalance', [to, { blockNumber: '0x0' }]), '0x0');
    assert.match((await call('eth_getBalance', [to, '0x' + '00'.repeat(32)])).error!.message, /not found/);
    assert.equal((await call('eth_getBalance', [to, { blockNumber: '0x0', blockHash: receipt.blockHash }])).error!.code, -32602);
    assert.equal((await call('eth_getBlockByNumber', [receipt.blockHash, false])).error!.code, -32602, 'by-number methods take numbers only');
    const modules = await ok('rpc_modules');
    assert.equal(modules.eth, '1.0');
    assert.equal(modules.rpc, '1.0');
    assert.equal(modules.clique, '1.0');
  });

  test('eth_getProof verifies against the block state root', async () => {
    const [dev] = await ok('eth_accounts');
    const head = await ok('eth_getBlockByNumber', ['latest', false]);
    const p = await ok('eth_getProof', [dev, ['0x0'], 'latest']);
    const value = verifyProof(hashFromHex(head.stateRoot), keccak256(hexToBytes(dev)), p.accountProof.map((n: string) => hexToBytes(n)));
    assert.ok(value, 'the account is proven present');
    assert.equal(p.storageProof[0].value, '0x0');
  });

  test('fees and estimates', async () => {
    const gp = BigInt(await ok('eth_gasPrice'));
    const tip = BigInt(await ok('eth_maxPriorityFeePerGas'));
    assert.ok(gp > tip && tip > 0n);
    assert.equal(await ok('eth_estimateGas', [{ to: '0x' + '11'.repeat(20), value: '0x1' }]), '0xbb8');
    const sys = '0x0000000000000000000000000000000054534f31';
    // A well-formed action: the estimate runs the pool's checks, and "{}" is no system action.
    const action = Buffer.from('{"action":"NODE_STAKE"}');
    assert.equal(BigInt(await ok('eth_estimateGas', [{ to: sys, data: '0x' + action.toString('hex') }])), 3000n + 16n * BigInt(action.length) + 100000n);
    const fh = await ok('eth_feeHistory', ['0x2', 'latest', [50]]);
    assert.equal(fh.baseFeePerGas.length, 3);
    assert.equal(fh.gasUsedRatio.length, 2);
    assert.equal(fh.reward.length, 2);
    assert.equal((await call('eth_feeHistory', ['0x2', 'latest', [60, 10]])).error?.code, -32602);
  });

  test('clique, txpool, net, web3 and staking views', async () => {
    const [dev] = await ok('eth_accounts');
    assert.deepEqual(await ok('clique_getSigners', ['latest']), [dev]);
    assert.equal(await ok('clique_getSigner', ['0x1']), dev);
    const snap = await ok('clique_getSnapshot', ['latest']);
    assert.ok(snap.signers[dev]);
    const cand = '0x' + '77'.repeat(20);
    assert.equal(await ok('clique_propose', [cand, true]), null);
    assert.deepEqual(await ok('clique_proposals'), { [cand]: true });
    await ok('clique_discard', [cand]);
    assert.deepEqual(await ok('clique_proposals'), {});
    assert.deepEqual(await ok('txpool_status'), { pending: '0x0', queued: '0x0' });
    assert.deepEqual(await ok('txpool_content'), { pending: {}, queued: {} });
    assert.equal(await ok('net_version'), '1337');
    assert.equal(await ok('net_listening'), true);
    assert.match(await ok('web3_clientVersion'), /^gtos-ts\//);
    assert.equal(await ok('web3_sha3', ['0x']), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    assert.equal(await ok('staking_getNetworkStake', []), '0x0');
    assert.equal(await ok('agent_getAgent', ['nobody']), null);
    assert.equal(await ok('eth_syncing'), false);
  });

  test('parameter errors name what is wrong', async () => {
    const e1 = await call('eth_getBalance', ['0x' + '11'.repeat(20), '0x01']);
    assert.equal(e1.error?.code, -32602);
    assert.match(e1.error!.message, /block number/);
    const e2 = await call('eth_getBlockByNumber', ['latest', 'yes']);
    assert.equal(e2.error?.code, -32602);
    const e3 = await call('eth_chainId', [1]);
    assert.equal(e3.error?.code, -32602);
    const e4 = await call('eth_sendTransaction', [{ from: '0x' + '99'.repeat(20), to: '0x' + '11'.repeat(20) }]);
    assert.equal(e4.error?.code, -32000);
    assert.match(e4.error!.message, /unknown account/);
  });

  test('a batch of raw txs is admitted as one pass with the meaning of one call at a time', async () => {
    const [dev] = await ok('eth_accounts');
    const user = testAccount('rpc-batch-user');
    const from = bytesToHex(user.address);
    const fund = await ok('eth_sendTransaction', [{ from: dev, to: from, value: '0xde0b6b3a7640000' }]);
    for (let i = 0; i < 100 && !(await ok('eth_getTransactionReceipt', [fund])); i++) await new Promise((r) => setTimeout(r, 50));
    const to = hashlessAddress(0x77);
    const raw = (nonce: bigint, chainId = 1337n) => bytesToHex(transfer(user, to, 5n, chainId, { nonce, gasLimit: 3000n }).encode());
    const body = [
      { jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw(1n)] }, // gapped until nonce 0 arrives
      { jsonrpc: '2.0', id: 2, method: 'eth_sendRawTransaction', params: [raw(0n)] },
      { jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: [raw(0n)] }, // the same tx again
      { jsonrpc: '2.0', id: 4, method: 'eth_sendRawTransaction', params: [raw(2n, 5n)] }, // another chain
      { jsonrpc: '2.0', id: 5, method: 'eth_sendRawTransaction', params: ['0x1234'] },
      { jsonrpc: '2.0', id: 6, method: 'eth_getTransactionCount', params: [from, 'pending'] }, // sees the run before it
      { jsonrpc: '2.0', id: 7, method: 'eth_sendRawTransaction', params: [raw(2n)] },
      { jsonrpc: '2.0', method: 'eth_sendRawTransaction', params: [raw(3n)] }, // a notification: runs, owes no answer
    ];
    const res = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { id: number; result?: string; error?: { code: number; message: string } }[];
    assert.deepEqual(res.map((r) => r.id), [1, 2, 3, 4, 5, 6, 7], 'answers in request order, none for the notification');
    assert.match(res[0]!.result!, /^0x[0-9a-f]{64}$/);
    assert.match(res[1]!.result!, /^0x[0-9a-f]{64}$/);
    assert.equal(res[2]!.error?.code, -32000);
    assert.match(res[2]!.error!.message, /already known/);
    assert.equal(res[3]!.error?.code, -32000);
    assert.equal(res[4]!.error?.code, -32000);
    assert.match(res[4]!.error!.message, /invalid transaction/);
    assert.equal(res[5]!.result, '0x2', 'nonces 0 and 1 are pending when the read runs');
    assert.match(res[6]!.result!, /^0x[0-9a-f]{64}$/);
    assert.equal(await ok('eth_getTransactionCount', [from, 'pending']), '0x4');
  });
});
