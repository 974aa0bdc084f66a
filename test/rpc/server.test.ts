/**
 * The JSON-RPC HTTP transport over real HTTP on 127.0.0.1: every kind of bad
 * input gets its JSON-RPC error (or HTTP status) and the server keeps
 * answering valid calls afterwards; batches, notifications, ids, limits,
 * CORS, content types, keep-alive and prompt shutdown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { RpcError } from '../../src/rpc/errors.js';
import { parseQuantity, toQuantity } from '../../src/rpc/hex.js';
import { RpcRegistry } from '../../src/rpc/registry.js';
import { RpcHttpServer, type RpcServerOptions } from '../../src/rpc/http.js';
import { setVerbosity } from '../../src/util/log.js';

const SECRET = 'secret-path-/home/node/.gtos/keystore';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

function makeRegistry(): { registry: RpcRegistry; counter: { n: number } } {
  const counter = { n: 0 };
  const registry = new RpcRegistry(['test', 'eth']);
  registry.register('eth_chainId', () => '0x539', { paramsMax: 0 });
  registry.register('test_echo', (p) => p);
  registry.register('test_add', ([a, b]) => toQuantity(parseQuantity(a, 'a') + parseQuantity(b, 'b')), { paramsMin: 2, paramsMax: 2 });
  registry.register('test_count', () => toQuantity(++counter.n), { paramsMax: 0 });
  registry.register('test_boom', () => {
    throw new Error(`cannot open ${SECRET}`);
  });
  registry.register('test_async_boom', async () => {
    await new Promise((r) => setImmediate(r));
    throw new TypeError(`undefined is not a function at ${SECRET}`);
  });
  registry.register('test_nonce', () => {
    throw new RpcError(-32000, 'nonce too low', { have: '0x1', want: '0x2' });
  });
  registry.register('test_void', () => undefined);
  registry.register('test_raw', () => ({ big: 1000n, neg: -5n, bytes: Uint8Array.of(1, 2) }));
  registry.register('test_cycle', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  });
  registry.register('test_blob', ([n]) => 'x'.repeat(Number(parseQuantity(n, 'n'))), { paramsMin: 1, paramsMax: 1 });
  registry.register('admin_peers', () => []);
  return { registry, counter };
}

async function startServer(registry: RpcRegistry, opts: Partial<RpcServerOptions> = {}): Promise<{ server: RpcHttpServer; url: string; port: number }> {
  const server = new RpcHttpServer(registry, { host: '127.0.0.1', port: 0, ...opts });
  const addr = await server.start();
  return { server, url: `http://${addr.host}:${addr.port}/`, port: addr.port };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A raw node:http exchange, for what fetch will not send (odd headers, chunked or unfinished bodies). */
function raw(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string | number>; body?: Buffer | string; chunks?: Buffer[]; agent?: Agent },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/', headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString('utf8'), reused: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.chunks) {
      for (const c of opts.chunks) req.write(c);
      req.end();
    } else req.end(opts.body);
  });
}

describe('RpcHttpServer', () => {
  let server: RpcHttpServer;
  let url: string;
  let port: number;
  let counter: { n: number };
  const calls: Array<{ method: string; ok: boolean }> = [];

  /** After every misbehaviour the server must still answer a valid call. */
  const stillServing = async () => {
    const r = await post(url, { jsonrpc: '2.0', id: 99, method: 'eth_chainId' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { jsonrpc: '2.0', id: 99, result: '0x539' });
  };

  before(async () => {
    setVerbosity(0);
    const made = makeRegistry();
    counter = made.counter;
    ({ server, url, port } = await startServer(made.registry, {
      maxBodyBytes: 64 * 1024,
      maxBatchItems: 10,
      maxBatchResponseBytes: 4096,
      onRequest: (method, ms, ok) => {
        assert.ok(ms >= 0);
        calls.push({ method, ok });
      },
    }));
  });
  after(async () => {
    await server.stop();
    setVerbosity(3);
  });

  test('a single call; ids of every type are echoed exactly', async () => {
    for (const id of [1, 0, -7, 2.5, 'abc', '', null, 9007199254740991]) {
      const r = await post(url, { jsonrpc: '2.0', id, method: 'eth_chainId', params: [] });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(r.json, { jsonrpc: '2.0', id, result: '0x539' });
    }
    assert.equal((await post(url, { jsonrpc: '2.0', id: 1, method: 'test_add', params: ['0x1', '0x2'] })).json.result, '0x3');
  });

  test('params may be omitted or null; non-array params are invalid', async () => {
    assert.equal((await post(url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId' })).json.result, '0x539');
    assert.equal((await post(url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: null })).json.result, '0x539');
    const r = await post(url, { jsonrpc: '2.0', id: 3, method: 'test_echo', params: { a: 1 } });
    assert.equal(r.json.error.code, -32602);
    assert.equal(r.json.id, 3);
    await stillServing();
  });

  test('malformed JSON is a -32700 with id null', async () => {
    for (const body of ['{"jsonrpc":"2.0",', '', 'not json', '{"a":1}}', '[1,', '\u0000']) {
      const r = await post(url, body);
      assert.equal(r.status, 200);
      assert.equal(r.json.error.code, -32700, `body ${JSON.stringify(body)}`);
      assert.equal(r.json.id, null);
      assert.equal(r.json.jsonrpc, '2.0');
    }
    await stillServing();
  });

  test('invalid request objects are -32600', async () => {
    for (const body of [5, '"str"', 'null', 'true', '{}']) {
      const r = await post(url, body);
      assert.equal(r.json.error.code, -32600, `body ${body}`);
      assert.equal(r.json.id, null);
    }
    const noVersion = await post(url, { id: 7, method: 'eth_chainId' });
    assert.deepEqual([noVersion.json.error.code, noVersion.json.id], [-32600, 7]);
    const oldVersion = await post(url, { jsonrpc: '1.0', id: 'v', method: 'eth_chainId' });
    assert.deepEqual([oldVersion.json.error.code, oldVersion.json.id], [-32600, 'v']);
    const noMethod = await post(url, { jsonrpc: '2.0', id: 8 });
    assert.deepEqual([noMethod.json.error.code, noMethod.json.id], [-32600, 8]);
    const numMethod = await post(url, { jsonrpc: '2.0', id: 9, method: 42 });
    assert.equal(numMethod.json.error.code, -32600);
    const badId = await post(url, { jsonrpc: '2.0', id: { x: 1 }, method: 'eth_chainId' });
    assert.deepEqual([badId.json.error.code, badId.json.id], [-32600, null]);
    const arrayId = await post(url, { jsonrpc: '2.0', id: [1], method: 'eth_chainId' });
    assert.equal(arrayId.json.error.code, -32600);
    await stillServing();
  });

  test('wrong params are -32602 naming the problem', async () => {
    const lead = await post(url, { jsonrpc: '2.0', id: 1, method: 'test_add', params: ['0x01', '0x2'] });
    assert.equal(lead.json.error.code, -32602);
    assert.match(lead.json.error.message, /'a'.*leading zero/);
    const empty = await post(url, { jsonrpc: '2.0', id: 2, method: 'test_add', params: ['0x1', '0x'] });
    assert.match(empty.json.error.message, /'b'/);
    const missing = await post(url, { jsonrpc: '2.0', id: 3, method: 'test_add', params: ['0x1'] });
    assert.deepEqual(missing.json.error, { code: -32602, message: 'missing value for required argument 1' });
    const extra = await post(url, { jsonrpc: '2.0', id: 4, method: 'eth_chainId', params: [1] });
    assert.equal(extra.json.error.code, -32602);
    await stillServing();
  });

  test('unknown methods and disabled namespaces are -32601', async () => {
    const unknown = await post(url, { jsonrpc: '2.0', id: 1, method: 'eth_nope' });
    assert.deepEqual(unknown.json.error, { code: -32601, message: 'the method eth_nope does not exist/is not available' });
    const disabled = await post(url, { jsonrpc: '2.0', id: 2, method: 'admin_peers' });
    assert.deepEqual(disabled.json.error, { code: -32601, message: 'the method admin_peers does not exist/is not available' });
    const long = await post(url, { jsonrpc: '2.0', id: 3, method: 'x'.repeat(10_000) });
    assert.equal(long.json.error.code, -32601);
    assert.ok(long.text.length < 1000, 'the echoed name is capped');
    await stillServing();
  });

  test('handler errors: RpcError keeps code/message/data; anything else is a generic -32603', async () => {
    const nonce = await post(url, { jsonrpc: '2.0', id: 1, method: 'test_nonce' });
    assert.deepEqual(nonce.json.error, { code: -32000, message: 'nonce too low', data: { have: '0x1', want: '0x2' } });
    for (const method of ['test_boom', 'test_async_boom', 'test_cycle']) {
      const r = await post(url, { jsonrpc: '2.0', id: 2, method });
      assert.deepEqual(r.json, { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'internal error' } }, method);
      assert.ok(!r.text.includes(SECRET) && !r.text.includes(' at '), 'no message or stack leaks');
    }
    await stillServing();
  });

  test('undefined results are null; bigints and bytes are hex', async () => {
    assert.deepEqual(await post(url, { jsonrpc: '2.0', id: 1, method: 'test_void' }).then((r) => r.json), { jsonrpc: '2.0', id: 1, result: null });
    const r = await post(url, { jsonrpc: '2.0', id: 2, method: 'test_raw' });
    assert.deepEqual(r.json.result, { big: '0x3e8', neg: '-0x5', bytes: '0x0102' });
  });

  test('notifications are run but not answered', async () => {
    const before = counter.n;
    const r = await post(url, { jsonrpc: '2.0', method: 'test_count' });
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
    assert.equal(counter.n, before + 1);
    const failing = await post(url, { jsonrpc: '2.0', method: 'test_boom' });
    assert.equal(failing.text, '', 'a failing notification is not answered either');
    const onlyNotes = await post(url, [
      { jsonrpc: '2.0', method: 'test_count' },
      { jsonrpc: '2.0', method: 'eth_nope' },
    ]);
    assert.equal(onlyNotes.status, 200);
    assert.equal(onlyNotes.text, '', 'a batch of only notifications gets an empty body');
    assert.equal(counter.n, before + 2);
    // An invalid request without an id is still answered: it is not a valid notification.
    const invalid = await post(url, { method: 'test_count' });
    assert.equal(invalid.json.error.code, -32600);
    await stillServing();
  });

  test('a mixed batch keeps every other answer, in order', async () => {
    const r = await post(url, [
      { jsonrpc: '2.0', id: 'a', method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 'b', method: 'nope' },
      { jsonrpc: '2.0', method: 'test_count' },
      { jsonrpc: '2.0', id: 3, method: 'test_add', params: ['0x01', '0x1'] },
      { jsonrpc: '2.0', id: 4, method: 'test_boom' },
      42,
      { jsonrpc: '2.0', id: null, method: 'test_add', params: ['0x2', '0x3'] },
      { jsonrpc: '2.0', id: 6, method: 'test_nonce' },
    ]);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json));
    assert.deepEqual(
      r.json.map((x: any) => [x.id, x.result ?? x.error.code]),
      [
        ['a', '0x539'],
        ['b', -32601],
        [3, -32602],
        [4, -32603],
        [null, -32600],
        [null, '0x5'],
        [6, -32000],
      ],
    );
    await stillServing();
  });

  test('empty batch is one -32600; an oversized batch is one -32005 and runs nothing', async () => {
    const empty = await post(url, []);
    assert.equal(Array.isArray(empty.json), false);
    assert.deepEqual(empty.json, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'empty batch' } });
    const before = counter.n;
    const big = await post(url, Array.from({ length: 11 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'test_count' })));
    assert.equal(Array.isArray(big.json), false);
    assert.deepEqual(big.json.error, { code: -32005, message: 'batch too large' });
    assert.equal(counter.n, before, 'no call of the refused batch ran');
    const atLimit = await post(url, Array.from({ length: 10 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })));
    assert.equal(atLimit.json.length, 10);
    await stillServing();
  });

  test('once a batch answer outgrows its limit the remaining calls get -32003 and do not run', async () => {
    const before = counter.n;
    const r = await post(url, [
      { jsonrpc: '2.0', id: 1, method: 'test_blob', params: ['0x3e8'] },
      { jsonrpc: '2.0', id: 2, method: 'test_blob', params: ['0x1388'] },
      { jsonrpc: '2.0', id: 3, method: 'test_count' },
      { jsonrpc: '2.0', method: 'test_count' },
      { jsonrpc: '2.0', id: 5, method: 'eth_chainId' },
    ]);
    assert.deepEqual(
      r.json.map((x: any) => [x.id, x.error?.code ?? x.result.length]),
      [
        [1, 1000],
        [2, 5000],
        [3, -32003],
        [5, -32003],
      ],
    );
    assert.equal(counter.n, before);
    await stillServing();
  });

  test('a body over the limit is a 413 with a JSON-RPC error', async () => {
    const r = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echo', params: ['x'.repeat(100 * 1024)] }));
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, -32005);
    assert.equal(r.json.id, null);
    await stillServing();
    // Just under the limit is fine.
    const ok = await post(url, { jsonrpc: '2.0', id: 2, method: 'test_echo', params: ['y'.repeat(60 * 1024)] });
    assert.equal(ok.json.result[0].length, 60 * 1024);
  });

  test('a chunked body without Content-Length is cut off at the limit too', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const r = await raw(port, { headers: { 'content-type': 'application/json' }, chunks: Array.from({ length: 8 }, () => chunk) });
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.text).error.code, -32005);
    await stillServing();
  });

  test('an endless upload is refused and its connection dropped; the server lives on', async () => {
    const declared = 512 * 1024 * 1024;
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', 'content-length': declared } }, (res) => {
        res.resume();
        res.on('end', () => resolve(`status ${res.statusCode}`));
        res.on('error', () => resolve(`status ${res.statusCode}`));
      });
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < declared) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    assert.match(outcome, /^(status 413|error E[A-Z]+)$/);
    await stillServing();
  });

  test('"Expect: 100-continue" with a too-large length is refused before the body is sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024, expect: '100-continue' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('continue', () => reject(new Error('server asked for the body')));
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 413);
    const small = await raw(port, { headers: { 'content-type': 'application/json', expect: '100-continue' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }) });
    assert.equal(JSON.parse(small.text).result, '0x539');
  });

  test('a client that disconnects mid-body does not hurt the server', async () => {
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', 'content-length': 1000 } });
      req.on('error', () => resolve());
      req.write('{"jsonrpc":"2.0",');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    await stillServing();
  });

  test('content types: only JSON is accepted (415), parameters allowed', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
    const textPlain = await raw(port, { headers: { 'content-type': 'text/plain' }, body });
    assert.equal(textPlain.status, 415);
    const none = await raw(port, { headers: {}, body });
    assert.equal(none.status, 415);
    const form = await raw(port, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(form.status, 415);
    for (const ct of ['application/json; charset=utf-8', 'Application/JSON', 'application/json-rpc', 'application/jsonrequest']) {
      const r = await raw(port, { headers: { 'content-type': ct }, body });
      assert.equal(r.status, 200, ct);
      assert.equal(JSON.parse(r.text).result, '0x539');
    }
    await stillServing();
  });

  test('HTTP methods and paths', async () => {
    const health = await raw(port, { method: 'GET' });
    assert.deepEqual([health.status, health.text], [200, ''], 'GET / is a health check, as geth');
    assert.equal((await raw(port, { method: 'HEAD' })).status, 200);
    const put = await raw(port, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(put.status, 405);
    assert.match(String(put.headers.allow), /POST/);
    assert.equal((await raw(port, { method: 'DELETE' })).status, 405);
    assert.equal((await raw(port, { method: 'GET', path: '/foo' })).status, 404);
    const wrongPath = await raw(port, { path: '/rpc', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' });
    assert.equal(wrongPath.status, 404);
    const query = await raw(port, { path: '/?x=1', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' });
    assert.equal(JSON.parse(query.text).result, '0x539');
    await stillServing();
  });

  test('keep-alive: consecutive calls reuse one connection, errors included', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
      const headers = { 'content-type': 'application/json' };
      const first = await raw(port, { agent, headers, body });
      const bad = await raw(port, { agent, headers, body: '{oops' });
      const tooBig = await raw(port, { agent, headers, body: ' '.repeat(200 * 1024) });
      const fourth = await raw(port, { agent, headers, body });
      assert.equal(first.reused, false);
      assert.equal(JSON.parse(bad.text).error.code, -32700);
      assert.equal(bad.reused, true);
      assert.equal(tooBig.status, 413);
      assert.equal(tooBig.reused, true);
      assert.equal(fourth.reused, true, 'a modestly oversized body is drained, so the connection survives its 413');
      assert.equal(JSON.parse(fourth.text).result, '0x539');
    } finally {
      agent.destroy();
    }
  });

  test('the metrics hook sees each executed call, with unknown names folded', async () => {
    calls.length = 0;
    await post(url, [
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
      { jsonrpc: '2.0', id: 2, method: 'test_boom' },
      { jsonrpc: '2.0', id: 3, method: 'made_up_method_1' },
      { jsonrpc: '2.0', id: 4, method: 'admin_peers' },
    ]);
    assert.deepEqual(calls, [
      { method: 'eth_chainId', ok: true },
      { method: 'test_boom', ok: false },
      { method: 'unknown', ok: false },
      { method: 'unknown', ok: false },
    ]);
  });
});

describe('RpcHttpServer defaults and lifecycle', () => {
  test('default limits: a 6 MB body is a 413, a 1001-call batch a -32005; a throwing hook is harmless', async () => {
    const { registry } = makeRegistry();
    const { server, url } = await startServer(registry, {
      onRequest: () => {
        throw new Error('metrics down');
      },
    });
    try {
      setVerbosity(0);
      const big = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'eth_chainId', params: ['x'.repeat(6 * 1024 * 1024)] }));
      assert.equal(big.status, 413);
      assert.equal(big.json.error.code, -32005);
      const batch = await post(url, Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })));
      assert.equal(batch.json.error.code, -32005);
      const ok = await post(url, Array.from({ length: 1000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })));
      assert.equal(ok.json.length, 1000);
      assert.equal(ok.json[999].id, 999);
    } finally {
      setVerbosity(3);
      await server.stop();
    }
  });

  test('bad limits are refused at construction; the host defaults to 127.0.0.1', async () => {
    const { registry } = makeRegistry();
    assert.throws(() => new RpcHttpServer(registry, { port: 0, maxBodyBytes: 0 }), /maxBodyBytes/);
    assert.throws(() => new RpcHttpServer(registry, { port: 0, maxBatchItems: -1 }), /maxBatchItems/);
    const s = new RpcHttpServer(registry, { port: 0 });
    const addr = await s.start();
    assert.equal(addr.host, '127.0.0.1');
    assert.ok(addr.port > 0);
    await assert.rejects(s.start(), /already started/);
    await s.stop();
    await s.stop();
  });

  test('stop() closes idle keep-alive connections and requests in flight promptly', async () => {
    const registry = new RpcRegistry(['test']);
    let release!: () => void;
    registry.register('test_hang', () => new Promise<void>((r) => (release = r)));
    registry.register('test_ok', () => true);
    const { server, port } = await startServer(registry);
    const agent = new Agent({ keepAlive: true });
    const headers = { 'content-type': 'application/json' };
    await raw(port, { agent, headers, body: '{"jsonrpc":"2.0","id":1,"method":"test_ok"}' });
    const hanging = raw(port, { headers, body: '{"jsonrpc":"2.0","id":2,"method":"test_hang"}' }).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await server.stop();
    assert.ok(Date.now() - t0 < 1000, 'stop is prompt');
    assert.equal(await hanging, 'dropped');
    release();
    agent.destroy();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers, body: '{}' }));
  });
});

describe('CORS', () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' });
  const headers = (origin: string) => ({ 'content-type': 'application/json', origin });

  test('only configured origins get Access-Control-Allow-Origin', async () => {
    const { registry } = makeRegistry();
    const { server, port } = await startServer(registry, { corsDomains: ['http://good.example', 'http://*.wild.example'] });
    try {
      const good = await raw(port, { headers: headers('http://good.example'), body });
      assert.equal(good.headers['access-control-allow-origin'], 'http://good.example');
      assert.match(String(good.headers.vary), /Origin/);
      assert.equal(JSON.parse(good.text).result, '0x539');
      const caseInsensitive = await raw(port, { headers: headers('HTTP://GOOD.example'), body });
      assert.equal(caseInsensitive.headers['access-control-allow-origin'], 'HTTP://GOOD.example');
      const wild = await raw(port, { headers: headers('http://app.wild.example'), body });
      assert.equal(wild.headers['access-control-allow-origin'], 'http://app.wild.example');
      const evil = await raw(port, { headers: headers('http://evil.example'), body });
      assert.equal(evil.headers['access-control-allow-origin'], undefined);
      assert.equal(JSON.parse(evil.text).result, '0x539', 'the call itself is served; the browser withholds it');
      const errored = await raw(port, { headers: headers('http://good.example'), body: '{bad' });
      assert.equal(errored.headers['access-control-allow-origin'], 'http://good.example', 'errors carry CORS headers too');

      const pre = await raw(port, { method: 'OPTIONS', headers: { origin: 'http://good.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], 'http://good.example');
      assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
      assert.equal(pre.headers['access-control-allow-headers'], 'content-type');
      assert.equal(pre.headers['access-control-max-age'], '600');
      const preEvil = await raw(port, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(preEvil.headers['access-control-allow-origin'], undefined);
      assert.equal(preEvil.headers['access-control-allow-methods'], undefined);
      const preBadMethod = await raw(port, { method: 'OPTIONS', headers: { origin: 'http://good.example', 'access-control-request-method': 'DELETE' } });
      assert.equal(preBadMethod.headers['access-control-allow-methods'], undefined);
    } finally {
      await server.stop();
    }
  });

  test('"*" allows any origin; no list allows none', async () => {
    const { registry } = makeRegistry();
    const open = await startServer(registry, { corsDomains: ['*'] });
    const closed = await startServer(makeRegistry().registry, {});
    try {
      const a = await raw(open.port, { headers: headers('http://anything.example'), body });
      assert.equal(a.headers['access-control-allow-origin'], '*');
      const b = await raw(closed.port, { headers: headers('http://anything.example'), body });
      assert.equal(b.headers['access-control-allow-origin'], undefined);
      const pre = await raw(closed.port, { method: 'OPTIONS', headers: { origin: 'http://anything.example', 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers['access-control-allow-origin'], undefined);
    } finally {
      await open.server.stop();
      await closed.server.stop();
    }
  });
});
