/**
 * WebSocket JSON-RPC, subscriptions and filters against an in-process dev
 * node over real sockets: calls, newHeads/newPendingTransactions, cleanup on
 * close, origin checks, slow-reader drops, viem over WS and HTTP, getLogs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createPublicClient, http, webSocket, type Hash } from 'viem';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';
import { RpcRegistry } from '../../src/rpc/registry.js';
import { RpcWsServer } from '../../src/rpc/ws.js';
import { ChainEvents } from '../../src/rpc/api/chain-events.js';
import { FilterNotFoundError, FilterSystem, parseLogCriteria } from '../../src/rpc/api/filters.js';
import type { NodeBackend } from '../../src/rpc/backend.js';
import { LimitExceededError, RpcError } from '../../src/rpc/errors.js';
import { rpcAnswer, rpcCall } from '../util/rpc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Msg {
  id?: number;
  result?: any;
  error?: { code: number; message: string };
  method?: string;
  params?: { subscription: string; result: any };
}

/** A bare JSON-RPC client over `ws`: answers by id, notifications kept in arrival order. */
class WsClient {
  private next = 0;
  private readonly waiting = new Map<number, (m: Msg) => void>();
  readonly notes: Msg[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Msg;
      if (m.id !== undefined && this.waiting.has(m.id)) {
        this.waiting.get(m.id)!(m);
        this.waiting.delete(m.id);
      } else if (m.method) this.notes.push(m);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
    });
  }

  call(method: string, params: unknown[] = []): Promise<Msg> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async ok(method: string, params: unknown[] = []): Promise<any> {
    const r = await this.call(method, params);
    assert.equal(r.error, undefined, `${method}: ${r.error?.message}`);
    return r.result;
  }

  results(sub: string): any[] {
    return this.notes.filter((n) => n.params?.subscription === sub).map((n) => n.params!.result);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

describe('WebSocket JSON-RPC, subscriptions and filters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-ws-'));
  let node: RunningNode;
  let wsUrl: string;
  let httpUrl: string;
  let dev: string;
  const post = (method: string, params: unknown[] = []) => rpcAnswer(httpUrl, method, params);
  const ok = (method: string, params: unknown[] = []) => rpcCall(httpUrl, method, params);
  const send = (value = '0x1') => ok('eth_sendTransaction', [{ from: dev, to: '0x' + '42'.repeat(20), value }]) as Promise<string>;
  const mined = (hash: string) => until(`receipt of ${hash}`, () => ok('eth_getTransactionReceipt', [hash]));

  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, ws: true, 'ws.port': '0', http: true, 'http.port': '0', 'dev.period': '0' }));
    wsUrl = `ws://${node.ws!.host}:${node.ws!.port}`;
    httpUrl = `http://${node.rpc!.host}:${node.rpc!.port}`;
    [dev] = await ok('eth_accounts');
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('calls over WS answer as over HTTP; subscriptions need WS', async () => {
    const c = await WsClient.open(wsUrl);
    try {
      assert.equal(await c.ok('eth_blockNumber'), await ok('eth_blockNumber'));
      assert.equal(await c.ok('tos_chainId'), await ok('eth_chainId'));
      assert.equal((await c.call('eth_nope')).error!.code, -32601);
      const http = await post('eth_subscribe', ['newHeads']);
      assert.deepEqual(http.error, { code: -32001, message: 'notifications not supported' });
      assert.equal((await post('eth_unsubscribe', ['0x1'])).error!.code, -32001);
      assert.deepEqual((await c.call('eth_subscribe', ['nope'])).error, { code: -32601, message: 'no "nope" subscription in eth namespace' });
      assert.equal((await c.call('eth_unsubscribe', ['0x1234'])).error!.message, 'subscription not found');
      assert.equal((await c.call('eth_subscribe', ['logs', { topics: [[], [], [], [], []] }])).error!.code, -32602, 'more than 4 topics');
      const logsSub = await c.ok('eth_subscribe', ['logs', { address: '0x' + '42'.repeat(20) }]);
      assert.match(logsSub, /^0x[0-9a-f]{1,32}$/);
      assert.equal(await c.ok('eth_unsubscribe', [logsSub]), true);
      assert.match(await c.ok('eth_subscribe', ['syncing']), /^0x/);
    } finally {
      await c.close();
    }
  });

  test('newHeads and newPendingTransactions deliver a sent transaction; unsubscribe stops them', async () => {
    const c = await WsClient.open(wsUrl);
    try {
      const heads = await c.ok('eth_subscribe', ['newHeads']);
      const pending = await c.ok('eth_subscribe', ['newPendingTransactions']);
      const full = await c.ok('tos_subscribe', ['newPendingTransactions', true]);
      const hash = await send();
      const receipt = await mined(hash);
      await until('pending hash', () => c.results(pending).includes(hash));
      const tx = await until('full pending tx', () => c.results(full).find((t) => t.hash === hash));
      assert.equal(tx.from, dev);
      assert.equal(c.notes.find((n) => n.params?.subscription === full)!.method, 'tos_subscription', 'notifications carry the namespace subscribed in');
      const head = await until('new head', () => c.results(heads).find((h) => h.number === receipt.blockNumber));
      const block = await ok('eth_getBlockByNumber', [receipt.blockNumber, false]);
      for (const k of ['hash', 'parentHash', 'stateRoot', 'miner', 'timestamp', 'gasUsed', 'baseFeePerGas', 'logsBloom']) assert.equal(head[k], block[k], k);
      assert.equal(c.notes.find((n) => n.params?.subscription === heads)!.method, 'eth_subscription');

      assert.equal(await c.ok('eth_unsubscribe', [heads]), true);
      assert.equal(await c.ok('eth_unsubscribe', [pending]), true);
      assert.equal((await c.call('eth_unsubscribe', [heads])).error!.message, 'subscription not found');
      const before = c.notes.length;
      const again = await send();
      await mined(again);
      await until('full tx of the second send', () => c.results(full).some((t) => t.hash === again));
      await sleep(100);
      assert.deepEqual(c.notes.slice(before).map((n) => n.params!.subscription), [full], 'only the live subscription speaks');
    } finally {
      await c.close();
    }
  });

  test('a closed socket leaves no listeners behind', async () => {
    const heads0 = node.chain.listenerCount('head');
    const pending0 = node.pool.listenerCount('pending');
    const clients = await Promise.all([WsClient.open(wsUrl), WsClient.open(wsUrl)]);
    for (const c of clients) {
      await c.ok('eth_subscribe', ['newHeads']);
      await c.ok('eth_subscribe', ['newPendingTransactions']);
    }
    assert.ok(node.chain.listenerCount('head') > heads0);
    assert.ok(node.pool.listenerCount('pending') > pending0);
    // One closes cleanly, the other just goes away.
    await clients[0]!.close();
    clients[1]!.ws.terminate();
    await until('listeners removed', () => node.chain.listenerCount('head') === heads0 && node.pool.listenerCount('pending') === pending0);
  });

  test('an Origin not allowed is refused at the handshake', async () => {
    await assert.rejects(WsClient.open(wsUrl, { origin: 'https://evil.example' }), /handshake refused: 403/);
    // Default policy: localhost on any port, and clients that send no Origin.
    const local = await WsClient.open(wsUrl, { origin: 'http://localhost:3000' });
    assert.match(await local.ok('eth_chainId'), /^0x/);
    await local.close();
    const plain = await fetch(httpUrl.replace(String(node.rpc!.port), String(node.ws!.port)));
    assert.equal(plain.status, 426);
  });

  test('a client that stops reading is dropped once its queue passes the bound', async () => {
    const reg = new RpcRegistry(['test']);
    reg.register('test_blob', () => 'x'.repeat(256 * 1024));
    const server = new RpcWsServer(reg, { port: 0, maxQueueBytes: 64 * 1024, maxMessageBytes: 1024 });
    const { host, port } = await server.start();
    try {
      // A reader gets answers larger than the bound: only a backlog counts.
      const reader = await WsClient.open(`ws://${host}:${port}`);
      for (let i = 0; i < 3; i++) assert.equal((await reader.ok('test_blob')).length, 256 * 1024);
      // A message over the size limit ends the connection (1009), as geth's read limit does.
      const code = await new Promise<number>((resolve) => {
        reader.ws.once('close', (c) => resolve(c));
        reader.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_blob', params: ['y'.repeat(2000)] }));
      });
      assert.equal(code, 1009);

      const c = await WsClient.open(`ws://${host}:${port}`);
      let closed = false;
      c.ws.on('close', () => (closed = true));
      assert.equal(server.connections, 1);
      (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      // Kernel buffers take the first answers; past them the server's own queue grows and trips the bound.
      for (let i = 0; i < 400 && server.connections > 0; i++) {
        c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'test_blob', params: [] }));
        await sleep(5);
      }
      await until('server to drop the slow client', () => server.connections === 0);
      (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await until('client to see the close', () => closed);
    } finally {
      await server.stop();
    }
  });

  test('a client that does not answer pings is dropped', async () => {
    const reg = new RpcRegistry(['test']);
    reg.register('test_ok', () => true);
    const server = new RpcWsServer(reg, { port: 0, pingIntervalMs: 100 });
    const { host, port } = await server.start();
    try {
      const live = await WsClient.open(`ws://${host}:${port}`);
      const dead = await WsClient.open(`ws://${host}:${port}`);
      (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await until('the silent client to go', () => server.connections === 1, 3000);
      await sleep(300);
      assert.equal(await live.ok('test_ok'), true, 'a client that answers pings stays');
      await live.close();
      dead.ws.terminate();
    } finally {
      await server.stop();
    }
  });

  test('viem over WebSocket: getBlockNumber, watchBlocks, watchPendingTransactions', async () => {
    const client = createPublicClient({ transport: webSocket(wsUrl, { reconnect: false }) });
    const unwatch: (() => void)[] = [];
    try {
      assert.equal(await client.getBlockNumber(), BigInt(await ok('eth_blockNumber')));
      const blocks: bigint[] = [];
      const hashes: Hash[] = [];
      unwatch.push(client.watchBlocks({ onBlock: (b) => void blocks.push(b.number!), emitOnBegin: false }));
      unwatch.push(client.watchPendingTransactions({ onTransactions: (hs) => void hashes.push(...hs) }));
      await sleep(200); // the subscriptions are set up asynchronously
      const hash = await send();
      const receipt = await mined(hash);
      await until('viem pending tx', () => hashes.includes(hash as Hash));
      await until('viem block', () => blocks.includes(BigInt(receipt.blockNumber)));
    } finally {
      for (const u of unwatch) u();
      (await client.transport.getRpcClient()).close();
    }
  });

  test('viem over HTTP: block and pending-transaction filters, getLogs', async () => {
    const client = createPublicClient({ transport: http(httpUrl) });
    const blockFilter = await client.createBlockFilter();
    const pendingFilter = await client.createPendingTransactionFilter();
    const raw = await ok('eth_newPendingTransactionFilter', []);
    const hash = await send();
    const receipt = await mined(hash);
    const blockHashes = await until('block filter changes', async () => {
      const ch = await client.getFilterChanges({ filter: blockFilter });
      return ch.length ? ch : undefined;
    });
    assert.ok(blockHashes.includes(receipt.blockHash));
    assert.deepEqual(await client.getFilterChanges({ filter: blockFilter }), [], 'changes are handed out once');
    assert.ok((await client.getFilterChanges({ filter: pendingFilter })).includes(hash as Hash));
    assert.ok((await ok('eth_getFilterChanges', [raw])).includes(hash));
    assert.deepEqual(await client.getLogs(), []);
    assert.deepEqual(await client.getLogs({ fromBlock: 0n, toBlock: 'latest' }), []);
    assert.equal(await client.uninstallFilter({ filter: blockFilter }), true);
    assert.equal(await ok('eth_uninstallFilter', [raw]), true);
    assert.equal(await ok('eth_uninstallFilter', [raw]), false);
    assert.equal((await post('eth_getFilterChanges', [raw])).error!.message, 'filter not found');
  });

  test('eth_getLogs and log filters: criteria, block hash, ranges', async () => {
    const head = await ok('eth_getBlockByNumber', ['latest', false]);
    assert.deepEqual(await ok('eth_getLogs', [{ blockHash: head.hash }]), []);
    assert.deepEqual(await ok('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest', address: ['0x' + '42'.repeat(20)], topics: [null, ['0x' + '11'.repeat(32), null]] }]), []);
    assert.deepEqual(await ok('tos_getLogs', [{}]), []);
    assert.deepEqual((await post('eth_getLogs', [{ blockHash: '0x' + '00'.repeat(32) }])).error, { code: -32000, message: 'unknown block' });
    assert.equal((await post('eth_getLogs', [{ blockHash: head.hash, fromBlock: '0x0' }])).error!.code, -32602);
    assert.equal((await post('eth_getLogs', [{ topics: ['0x12'] }])).error!.code, -32602);
    assert.equal((await post('eth_getLogs', [{ fromBlock: head.number, toBlock: '0x0' }])).error!.message, 'invalid block range');
    const f = await ok('eth_newFilter', [{ fromBlock: '0x0' }]);
    assert.deepEqual(await ok('eth_getFilterChanges', [f]), []);
    assert.deepEqual(await ok('eth_getFilterLogs', [f]), []);
    const bf = await ok('eth_newBlockFilter');
    assert.equal((await post('eth_getFilterLogs', [bf])).error!.message, 'filter not found', 'only log filters have logs');
    // A filter made over HTTP is polled over WS: one table for both.
    const c = await WsClient.open(wsUrl);
    assert.deepEqual(await c.ok('eth_getFilterChanges', [f]), []);
    assert.equal(await c.ok('eth_uninstallFilter', [f]), true);
    await c.close();
    assert.equal(await ok('eth_uninstallFilter', [bf]), true);

    // The range cap and the expiry, on a filter system with small bounds over the node's own chain.
    const backend: NodeBackend = { chain: node.chain, pool: node.pool, networkId: 1n, clientVersion: 'test', signers: new Map(), suggestedTip: 0n };
    const events = new ChainEvents(node.chain, node.pool, () => false);
    const fs = new FilterSystem(backend, events, { timeoutMs: 200, maxBlockRange: 2 });
    try {
      assert.ok(BigInt(head.number) >= 2n, 'a few blocks were mined by now');
      assert.throws(() => fs.getLogs(parseLogCriteria({ fromBlock: '0x0' })), (e: unknown) => e instanceof LimitExceededError && e.code === -32005);
      assert.deepEqual(fs.getLogs(parseLogCriteria({ fromBlock: head.number, toBlock: '0xffffff' })), [], 'blocks past the head cost nothing');
      const kept = fs.newBlockFilter();
      const dropped = fs.newPendingFilter(false);
      assert.equal(events.consumers, 2);
      for (let i = 0; i < 6; i++) {
        await sleep(80);
        fs.changes(kept);
      }
      assert.throws(() => fs.changes(dropped), (e: unknown) => e instanceof FilterNotFoundError && (e as RpcError).code === -32000);
      assert.equal(events.consumers, 1, 'the expired pending filter let go of the pool');
      await sleep(400);
      assert.equal(fs.size, 0);
      assert.equal(events.consumers, 0);
    } finally {
      fs.close();
      events.close();
    }
  });
});
