/**
 * `--http.vhosts` over real HTTP, with geth's rules: an unlisted name gets
 * 403 "invalid host specified" on every method (CORS preflight and health
 * check included); listed names, IP literals and an absent Host pass; "*"
 * lets every name through; the port and the case of the name do not matter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { RpcRegistry } from '../../src/rpc/registry.js';
import { RpcHttpServer } from '../../src/rpc/http.js';
import { VirtualHosts } from '../../src/rpc/vhosts.js';
import { setVerbosity } from '../../src/util/log.js';

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' });

function registry(): RpcRegistry {
  const r = new RpcRegistry(['eth']);
  r.register('eth_chainId', () => '0x539', { paramsMax: 0 });
  return r;
}

/** node:http sends the Host we give it (fetch would not let us). */
function send(port: number, host: string, method = 'POST', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/', agent: false, headers: { host, 'content-type': 'application/json', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? CALL : undefined);
  });
}

/** A request with no Host header at all (HTTP/1.0; node:http always adds one). */
function sendWithoutHost(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end(`POST / HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: ${CALL.length}\r\n\r\n${CALL}`);
    });
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    s.on('error', reject);
  });
}

async function withServer(vhosts: string[] | undefined, fn: (port: number) => Promise<void>): Promise<void> {
  setVerbosity(0);
  const server = new RpcHttpServer(registry(), { host: '127.0.0.1', port: 0, corsDomains: ['*'], ...(vhosts ? { vhosts } : {}) });
  const { port } = await server.start();
  try {
    await fn(port);
  } finally {
    await server.stop();
    setVerbosity(3);
  }
}

test('the default ["localhost"]: a foreign name is refused, localhost and IP literals are served', async () => {
  await withServer(undefined, async (port) => {
    for (const method of ['POST', 'GET', 'OPTIONS']) {
      const r = await send(port, 'evil.example', method, { origin: 'http://evil.example', 'access-control-request-method': 'POST' });
      assert.equal(r.status, 403, method);
      assert.equal(r.text, 'invalid host specified\n', method);
    }
    assert.equal((await send(port, `evil.example:${port}`)).status, 403);
    // A name that merely starts or ends like an allowed one is still foreign.
    assert.equal((await send(port, 'localhost.evil.example')).status, 403);
    for (const host of [`localhost:${port}`, 'localhost', `LocalHost:${port}`, `127.0.0.1:${port}`, '127.0.0.1', `[::1]:${port}`, '10.1.2.3:8545']) {
      const r = await send(port, host);
      assert.equal(r.status, 200, host);
      assert.deepEqual(JSON.parse(r.text), { jsonrpc: '2.0', id: 1, result: '0x539' }, host);
    }
    assert.match(await sendWithoutHost(port), /^HTTP\/1\.1 200 .*"result":"0x539"/s);
  });
});

test('"*" serves every name; an explicit list serves exactly its names', async () => {
  await withServer(['*'], async (port) => {
    for (const host of ['evil.example', `anything.at.all:${port}`, 'localhost']) assert.equal((await send(port, host)).status, 200, host);
  });
  await withServer(['node.example', 'RPC.Example'], async (port) => {
    assert.equal((await send(port, `node.example:${port}`)).status, 200);
    assert.equal((await send(port, 'rpc.example')).status, 200);
    assert.equal((await send(port, `localhost:${port}`)).status, 403, 'localhost is not implied once a list is given');
    assert.equal((await send(port, `127.0.0.1:${port}`)).status, 200, 'IP literals always pass');
  });
});

test('the Host parsing follows Go’s SplitHostPort', () => {
  const v = new VirtualHosts(['localhost']);
  assert.equal(v.allows(undefined), true);
  assert.equal(v.allows(''), true);
  assert.equal(v.allows('::1'), true, 'a bare IPv6 literal (too many colons) is kept whole and is an IP');
  assert.equal(v.allows('[fe80::1]'), true);
  assert.equal(v.allows('localhost:1:2'), false, 'too many colons: the whole header is the name');
  assert.equal(new VirtualHosts([]).allows('localhost'), false, 'an empty list allows only IP literals');
});
