/**
 * Signing and dry runs as go-ethereum answers them, over HTTP against an in-process dev node,
 * driven with ethers v6: eth_sign / personal_sign (EIP-191), eth_signTransaction, the pool's
 * refusals from eth_estimateGas and eth_call, the pending tag, and personal_* only where enabled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexlify, JsonRpcProvider, Transaction, toUtf8Bytes, verifyMessage, Wallet } from 'ethers';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';

const SYSTEM_ACTION = '0x0000000000000000000000000000000054534f31';
type RpcAnswer = { result?: any; error?: { code: number; message: string } };

function client(url: string) {
  let id = 0;
  const call = async (method: string, params: unknown[] = []): Promise<RpcAnswer> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }) });
    return (await res.json()) as RpcAnswer;
  };
  const ok = async (method: string, params: unknown[] = []) => {
    const r = await call(method, params);
    assert.equal(r.error, undefined, `${method}: ${r.error?.message}`);
    return r.result;
  };
  const fails = async (method: string, params: unknown[]) => {
    const r = await call(method, params);
    assert.ok(r.error, `${method} should fail`);
    return r.error!;
  };
  return { call, ok, fails };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('RPC signing, estimates and the pending tag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-sign-'));
  let node: RunningNode;
  let url: string;
  let rpc: ReturnType<typeof client>;
  let provider: JsonRpcProvider;
  let dev: string;
  const eoa = '0x' + '42'.repeat(20);

  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '0', 'http.api': 'eth,net,web3,personal' }));
    url = `http://${node.rpc!.host}:${node.rpc!.port}`;
    rpc = client(url);
    provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, polling: true, pollingInterval: 50 } as never);
    [dev] = await rpc.ok('eth_accounts');
  });
  after(async () => {
    provider?.destroy();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const mined = (hash: string) => until(`receipt of ${hash}`, () => rpc.ok('eth_getTransactionReceipt', [hash]));

  test('personal_sign and eth_sign: EIP-191 signatures that ethers recovers to the dev account', async () => {
    const signer = await provider.getSigner(dev);
    const viaPersonal = await signer.signMessage('hello gtos'); // personal_sign [data, address]
    assert.equal(verifyMessage('hello gtos', viaPersonal).toLowerCase(), dev);
    const viaEth = await signer._legacySignMessage('hello gtos'); // eth_sign [address, data]
    assert.equal(viaEth, viaPersonal, 'the same signature, parameters swapped');
    assert.match(viaEth, /^0x[0-9a-f]{128}(1b|1c)$/, '65 bytes, v 27/28');
    const bytes = Uint8Array.of(0, 1, 2, 0xff);
    assert.equal(verifyMessage(bytes, await rpc.ok('personal_sign', [hexlify(bytes), dev, ''])).toLowerCase(), dev, 'with geth\'s password argument');
    // Only accounts the node signs for.
    const stranger = Wallet.createRandom().address;
    for (const [m, params] of [['eth_sign', [stranger, '0x00']], ['personal_sign', ['0x00', stranger]]] as const) {
      const e = await rpc.fails(m, [...params]);
      assert.equal(e.code, -32000);
      assert.match(e.message, /^unknown account/);
    }
    assert.equal((await rpc.fails('eth_sign', [dev, 'hello'])).code, -32602, 'data is hex');
  });

  test('eth_signTransaction: raw decodes to the request, is not sent, and eth_sendRawTransaction mines it', async () => {
    const to = Wallet.createRandom().address;
    const before = await rpc.ok('eth_getTransactionCount', [dev, 'pending']);
    const { raw, tx } = await rpc.ok('eth_signTransaction', [{ from: dev, to, value: '0x2a' }]);
    const parsed = Transaction.from(raw);
    assert.equal(parsed.from!.toLowerCase(), dev);
    assert.equal(parsed.to, to);
    assert.equal(parsed.value, 42n);
    assert.equal(parsed.type, 2);
    assert.equal(parsed.nonce, Number(before), 'nonce filled as eth_sendTransaction fills it');
    assert.equal(parsed.gasLimit, 3000n, 'gas filled with the estimate');
    assert.equal(tx.hash, parsed.hash);
    assert.equal(BigInt(tx.maxFeePerGas), parsed.maxFeePerGas);
    assert.equal(tx.gasPrice, null, 'geth marshals an EIP-1559 tx with gasPrice null');
    assert.equal(tx.from, undefined, 'geth\'s tx JSON has no sender');
    assert.equal(await rpc.ok('eth_getTransactionByHash', [tx.hash]), null, 'signed, not sent');
    assert.equal(await rpc.ok('eth_sendRawTransaction', [raw]), parsed.hash);
    assert.equal((await mined(parsed.hash!)).status, '0x1');
    assert.equal(await provider.getBalance(to), 42n);

    // A legacy one through ethers' JsonRpcSigner.signTransaction (its request encoding); ethers hands
    // back whatever the node answers, here geth's {raw, tx}.
    const signer = await provider.getSigner(dev);
    const answer = (await signer.signTransaction({ to, value: 7n, gasPrice: 2_000_000_000n })) as unknown as { raw: string };
    const legacy = Transaction.from(answer.raw);
    assert.equal(legacy.type, 0);
    assert.equal(legacy.from!.toLowerCase(), dev);
    assert.equal(legacy.chainId, 1337n, 'EIP-155');
    assert.equal(await rpc.ok('eth_sendRawTransaction', [legacy.serialized]), legacy.hash);
    await mined(legacy.hash!);

    const unknown = await rpc.fails('eth_signTransaction', [{ from: Wallet.createRandom().address, to }]);
    assert.equal(unknown.code, -32000);
    assert.match(unknown.message, /^unknown account/);
    assert.match((await rpc.fails('eth_signTransaction', [{ from: dev, to, gasPrice: '0x1', maxFeePerGas: '0x1' }])).message, /both gasPrice and \(maxFeePerGas or maxPriorityFeePerGas\) specified/);
  });

  test('eth_estimateGas and eth_call refuse what the pool refuses, in the same words', async () => {
    // Data to an account that is not the system address.
    const { raw: withData } = await rpc.ok('eth_signTransaction', [{ from: dev, to: eoa, data: '0x01', gas: '0x2710' }]);
    const sent = await rpc.fails('eth_sendRawTransaction', [withData]);
    assert.equal(sent.message, 'data is only allowed for system actions');
    for (const m of ['eth_estimateGas', 'eth_call']) {
      const e = await rpc.fails(m, [{ from: dev, to: eoa, data: '0x01' }, 'latest']);
      assert.deepEqual(e, sent, m);
    }

    // A sender that cannot pay: same gas and price as the signed tx, so the same have/want.
    const poor = Wallet.createRandom();
    const signed = await poor.signTransaction({ to: eoa, value: 5n, gasLimit: 3000n, gasPrice: 1_000_000_000n, nonce: 0, chainId: 1337n });
    const broke = await rpc.fails('eth_sendRawTransaction', [signed]);
    assert.match(broke.message, /^insufficient funds for gas \* price \+ value: have 0 want 3000000000005$/);
    const args = { from: poor.address, to: eoa, value: '0x5', gas: '0xbb8', gasPrice: '0x3b9aca00' };
    assert.deepEqual(await rpc.fails('eth_estimateGas', [args]), broke);
    assert.deepEqual(await rpc.fails('eth_call', [args, 'latest']), broke);
    // Without a price only the value must be covered, as geth's calls charge no gas.
    assert.equal((await rpc.fails('eth_estimateGas', [{ from: poor.address, to: eoa, value: '0x5' }])).message, 'insufficient funds for gas * price + value: have 0 want 5');
    assert.equal(await rpc.ok('eth_estimateGas', [{ from: poor.address, to: eoa }]), '0xbb8', 'nothing to pay for');

    // A value wider than 256 bits: invalid params, as eth_sendTransaction says it.
    const huge = '0x1' + '0'.repeat(64);
    const viaSend = await rpc.fails('eth_sendTransaction', [{ from: dev, to: eoa, value: huge }]);
    assert.equal(viaSend.code, -32602);
    assert.deepEqual(await rpc.fails('eth_estimateGas', [{ from: dev, to: eoa, value: huge }]), viaSend);
    assert.deepEqual(await rpc.fails('eth_call', [{ from: dev, to: eoa, value: huge }, 'latest']), viaSend);
    assert.equal((await rpc.fails('eth_estimateGas', [{ from: dev, to: eoa, gas: '0x01' + '0'.repeat(16) }])).code, -32602, 'gas is 64 bits');

    // No `to`: contract creation, refused by the pool.
    const creation = await rpc.fails('eth_sendTransaction', [{ from: dev, data: '0x00' }]);
    assert.equal(creation.message, 'contract creation not supported');
    assert.deepEqual(await rpc.fails('eth_estimateGas', [{ from: dev, data: '0x00' }]), creation);

    // A malformed system action.
    const { raw: badAction } = await rpc.ok('eth_signTransaction', [{ from: dev, to: SYSTEM_ACTION, data: hexlify(toUtf8Bytes('{"action":')) }]);
    const refused = await rpc.fails('eth_sendRawTransaction', [badAction]);
    assert.match(refused.message, /^malformed system action: system action is not valid JSON/);
    assert.deepEqual(await rpc.fails('eth_estimateGas', [{ from: dev, to: SYSTEM_ACTION, data: hexlify(toUtf8Bytes('{"action":')) }]), refused);

    // What passes: the gas a well-formed action costs; a call returns no data.
    const stake = toUtf8Bytes('{"action":"NODE_STAKE"}');
    assert.equal(BigInt(await rpc.ok('eth_estimateGas', [{ from: dev, to: SYSTEM_ACTION, data: hexlify(stake) }])), 3000n + 16n * BigInt(stake.length) + 100_000n);
    assert.equal(await rpc.ok('eth_call', [{ from: dev, to: eoa, value: '0x1' }, 'pending']), '0x');
    assert.match((await rpc.fails('eth_estimateGas', [{ from: dev, to: SYSTEM_ACTION, data: hexlify(stake), gas: '0x2710' }])).message, /^gas required exceeds allowance \(10000\)$/);
    assert.match((await rpc.fails('eth_call', [{ from: dev, to: eoa, gas: '0x10' }, 'latest'])).message, /^intrinsic gas too low/);
  });

  test('block tags: pending is the miner\'s next block; safe and finalized are the head', async () => {
    // With the miner stopped a pooled tx stays in the pending block only.
    await node.miner!.stop();
    let hash: string;
    try {
      const latest = await rpc.ok('eth_getBlockByNumber', ['latest', false]);
      const to = Wallet.createRandom().address;
      hash = await rpc.ok('eth_sendTransaction', [{ from: dev, to, value: '0x3' }]);
      const pending = await until('the pending block to hold the tx', async () => {
        const p = await rpc.ok('eth_getBlockByNumber', ['pending', false]);
        return p.transactions.includes(hash) && p;
      });
      assert.equal(BigInt(pending.number), BigInt(latest.number) + 1n, 'head+1');
      assert.equal(pending.parentHash, latest.hash);
      assert.equal(pending.hash, null, 'unsealed: no hash, nonce or miner, as geth');
      assert.equal(pending.nonce, null);
      assert.equal(pending.miner, null);
      const full = await rpc.ok('eth_getBlockByNumber', ['pending', true]);
      assert.equal(full.transactions[0].hash, hash);
      assert.equal(await rpc.ok('eth_getBlockTransactionCountByNumber', ['pending']), '0x1');
      assert.equal(await rpc.ok('eth_getBalance', [to, 'pending']), '0x3');
      assert.equal(await rpc.ok('eth_getBalance', [to, 'latest']), '0x0');
      assert.equal(BigInt(await rpc.ok('eth_getTransactionCount', [dev, 'pending'])), BigInt(await rpc.ok('eth_getTransactionCount', [dev, 'latest'])) + 1n);
      assert.equal(await rpc.ok('eth_getBalance', [to, { blockNumber: 'pending' }]), '0x3', 'EIP-1898 form too');
      for (const tag of ['safe', 'finalized']) assert.equal((await rpc.ok('eth_getBlockByNumber', [tag, false])).hash, latest.hash, tag);
    } finally {
      node.miner!.start();
    }
    // Mined: the next pending block is on the new head.
    const head = await rpc.ok('eth_getBlockByHash', [(await mined(hash)).blockHash, false]);
    const next = await until('a pending block on the new head', async () => {
      const p = await rpc.ok('eth_getBlockByNumber', ['pending', false]);
      return p.parentHash === head.hash && p;
    });
    assert.equal(BigInt(next.number), BigInt(head.number) + 1n);
  });
});

describe('personal_* is off unless --http.api names it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-sign-off-'));
  let node: RunningNode;
  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, http: true, 'http.port': '0', 'dev.period': '0' }));
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('personal_sign answers as an unknown method; eth_sign works', async () => {
    const rpc = client(`http://${node.rpc!.host}:${node.rpc!.port}`);
    const [dev] = await rpc.ok('eth_accounts');
    const e = await rpc.fails('personal_sign', ['0x00', dev]);
    assert.equal(e.code, -32601);
    assert.equal((await rpc.ok('rpc_modules')).personal, undefined);
    assert.equal(verifyMessage(Uint8Array.of(0), await rpc.ok('eth_sign', [dev, '0x00'])).toLowerCase(), dev);
  });
});
