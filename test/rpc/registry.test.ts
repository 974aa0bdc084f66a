/** The method registry: namespaces switched by --http.api, parameter counts, geth's trailing-null rule. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidParamsError, MethodNotFoundError } from '../../src/rpc/errors.js';
import { namespaceOf, RegistryError, RpcRegistry } from '../../src/rpc/registry.js';

describe('RpcRegistry', () => {
  test('a method of a disabled namespace is indistinguishable from an unknown one', async () => {
    const r = new RpcRegistry(['eth']);
    r.register('eth_chainId', () => '0x1');
    r.register('admin_peers', () => []);
    assert.equal(r.has('eth_chainId'), true);
    assert.equal(r.has('admin_peers'), false);
    assert.equal(await r.call('eth_chainId', []), '0x1');
    const unknown = await r.call('eth_nope', []).catch((e: unknown) => e);
    const disabled = await r.call('admin_peers', []).catch((e: unknown) => e);
    assert.ok(unknown instanceof MethodNotFoundError && disabled instanceof MethodNotFoundError);
    assert.equal(disabled.code, -32601);
    assert.equal(disabled.message, 'the method admin_peers does not exist/is not available');
    r.enable('admin');
    assert.deepEqual(await r.call('admin_peers', []), []);
    r.disable('admin');
    assert.equal(r.has('admin_peers'), false);
  });

  test('parameter bounds; trailing nulls count as omitted optionals', async () => {
    const r = new RpcRegistry(['t']);
    const seen: unknown[][] = [];
    r.register('t_m', (p) => (seen.push(p), p.length), { paramsMin: 1, paramsMax: 2 });
    assert.equal(await r.call('t_m', ['a']), 1);
    assert.equal(await r.call('t_m', ['a', 'b']), 2);
    assert.equal(await r.call('t_m', ['a', null]), 1, 'trailing null dropped');
    assert.equal(await r.call('t_m', ['a', null, null]), 1, 'trailing nulls do not count against the maximum');
    assert.equal(await r.call('t_m', [null]), 1, 'a null required param is passed on for the handler to judge');
    const missing = await r.call('t_m', []).catch((e: unknown) => e);
    assert.ok(missing instanceof InvalidParamsError);
    assert.equal(missing.message, 'missing value for required argument 0');
    const tooMany = await r.call('t_m', ['a', 'b', 'c']).catch((e: unknown) => e);
    assert.ok(tooMany instanceof InvalidParamsError);
    assert.match(tooMany.message, /too many arguments, want at most 2/);
  });

  test('registerNamespace, listings, duplicates and bad bounds', async () => {
    const r = new RpcRegistry([' net ', 'web3', 'eth']);
    r.registerNamespace('net', { version: () => '1', listening: { fn: () => true, paramsMax: 0 } });
    r.registerNamespace('web3', { clientVersion: () => 'x' });
    r.registerNamespace('txpool', { status: () => ({}) });
    assert.deepEqual(r.methodNames(), ['net_listening', 'net_version', 'web3_clientVersion']);
    assert.deepEqual(r.modules(), { net: '1.0', web3: '1.0' });
    await assert.rejects(r.call('net_listening', [1]), InvalidParamsError);
    assert.throws(() => r.register('net_version', () => 1), RegistryError);
    assert.throws(() => r.register('net_x', () => 1, { paramsMin: 2, paramsMax: 1 }), RegistryError);
    assert.equal(namespaceOf('eth_getBalance'), 'eth');
    assert.equal(namespaceOf('eth_get_x'), 'eth');
    assert.equal(namespaceOf('plain'), 'plain');
  });

  test('prototype names are just unknown methods', async () => {
    const r = new RpcRegistry(['eth']);
    for (const m of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      await assert.rejects(r.call(m, []), MethodNotFoundError);
    }
  });

  test('a synchronous throw in a handler becomes a rejection', async () => {
    const r = new RpcRegistry(['t']);
    r.register('t_x', () => {
      throw new Error('boom');
    });
    await assert.rejects(r.call('t_x', []), /boom/);
  });
});

test('a pruned state met by any method is a -32000 "missing trie node" saying what to do', async () => {
  const { registerAll } = await import('../../src/rpc/api/namespace.js');
  const { MissingNodeError } = await import('../../src/state/trie/trie.js');
  const { RpcError } = await import('../../src/rpc/errors.js');
  const reg = new RpcRegistry(['x']);
  registerAll(reg, 'x', {
    sync: { fn: () => { throw new MissingNodeError(new Uint8Array(32).fill(7)); } },
    async: { fn: async () => { throw new MissingNodeError(new Uint8Array(32).fill(8)); } },
  });
  for (const m of ['x_sync', 'x_async']) {
    await assert.rejects(reg.call(m, []), (e: unknown) => e instanceof RpcError && e.code === -32000 && /^missing trie node 0x(07|08){32} .*--gcmode archive/.test(e.message));
  }
});
