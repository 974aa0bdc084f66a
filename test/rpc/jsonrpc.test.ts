/**
 * The JSON-RPC envelope without a transport, as a WebSocket transport would
 * drive it: raw and already-parsed messages, notifications owing nothing,
 * the transport's own refusal body, and bad limits refused up front.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LimitExceededError } from '../../src/rpc/errors.js';
import { errorBody, JsonRpcHandler, RpcServerError } from '../../src/rpc/jsonrpc.js';
import { RpcRegistry } from '../../src/rpc/registry.js';

function handler(opts: ConstructorParameters<typeof JsonRpcHandler>[1] = {}): JsonRpcHandler {
  const registry = new RpcRegistry(['test']);
  registry.register('test_echo', (p) => p);
  return new JsonRpcHandler(registry, opts);
}

describe('JsonRpcHandler', () => {
  test('raw text, raw bytes and parsed messages get the same answer', async () => {
    const h = handler();
    const msg = { jsonrpc: '2.0', id: 7, method: 'test_echo', params: [1, 'a'] };
    const want = { jsonrpc: '2.0', id: 7, result: [1, 'a'] };
    assert.deepEqual(JSON.parse((await h.handle(JSON.stringify(msg)))!), want);
    assert.deepEqual(JSON.parse((await h.handle(Buffer.from(JSON.stringify(msg))))!), want);
    assert.deepEqual(JSON.parse((await h.handleParsed(msg))!), want);
  });

  test('notifications owe nothing; a batch answers only its calls', async () => {
    const h = handler();
    assert.equal(await h.handleParsed({ jsonrpc: '2.0', method: 'test_echo' }), undefined);
    assert.equal(await h.handleParsed([{ jsonrpc: '2.0', method: 'test_echo' }]), undefined);
    const r = JSON.parse((await h.handleParsed([{ jsonrpc: '2.0', method: 'test_echo' }, { jsonrpc: '2.0', id: 'x', method: 'test_echo' }]))!);
    assert.deepEqual(r, [{ jsonrpc: '2.0', id: 'x', result: [] }]);
  });

  test('bad JSON is a parse error with a null id', async () => {
    assert.deepEqual(JSON.parse((await handler().handle('{'))!), { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error: invalid JSON' } });
  });

  test('errorBody frames a transport refusal', () => {
    assert.deepEqual(JSON.parse(errorBody(new LimitExceededError('too big'))), { jsonrpc: '2.0', id: null, error: { code: -32005, message: 'too big' } });
  });

  test('limits must be positive integers', () => {
    assert.throws(() => handler({ maxBatchItems: 0 }), RpcServerError);
    assert.throws(() => handler({ maxBatchResponseBytes: 1.5 }), RpcServerError);
  });
});
