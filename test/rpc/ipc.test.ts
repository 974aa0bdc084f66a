/**
 * The IPC endpoint: <datadir>/gtos.ipc (0600) answers each JSON value of the
 * stream, newline-separated or back to back, with every namespace; gone
 * after stop; absent with --ipcdisable; --ipcpath moves it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressToHex } from '../../src/crypto/primitives.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { JsonStreamSplitter } from '../../src/rpc/ipc.js';
import { setVerbosity } from '../../src/util/log.js';

/** Reads newline-terminated answers off a socket. */
function reader(s: Socket): (n: number) => Promise<any[]> {
  let buf = '';
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake?.();
  });
  return async (n) => {
    while (lines.length < n) await new Promise<void>((r) => (wake = r));
    return lines.splice(0, n).map((l) => JSON.parse(l));
  };
}

test('the splitter cuts values across and within chunks, strings and escapes included', () => {
  const s = new JsonStreamSplitter(1000);
  assert.deepEqual(s.push(Buffer.from('{"a":"}\\"]"}[1,{"b"')).map(String), ['{"a":"}\\"]"}']);
  assert.deepEqual(s.push(Buffer.from(':2}]\n  {}')).map(String), ['[1,{"b":2}]', '{}']);
  assert.throws(() => s.push(Buffer.from('x')), /expected a JSON object or array/);
  assert.throws(() => new JsonStreamSplitter(10).push(Buffer.from('{"aaaaaaaaaaaa')), /larger than 10 bytes/);
});

describe('IPC on a dev node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-ipc-'));
  let node: RunningNode;
  before(async () => {
    setVerbosity(1);
    node = await startNode(resolveConfig({ dev: true, datadir: dir, 'dev.period': '0' }));
  });
  after(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 0600 socket in the datadir answers single calls, batches and back-to-back values', async () => {
    assert.equal(node.ipc, join(dir, 'gtos.ipc'));
    assert.equal(statSync(node.ipc!).mode & 0o777, 0o600);
    assert.ok(statSync(node.ipc!).isSocket());
    const s = connect(node.ipc!);
    await once(s, 'connect');
    const read = reader(s);
    try {
      s.write('{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}\n');
      assert.deepEqual(await read(1), [{ jsonrpc: '2.0', id: 1, result: '0x0' }]);
      s.write('[{"jsonrpc":"2.0","id":2,"method":"eth_chainId"},{"jsonrpc":"2.0","id":3,"method":"net_version"}]');
      const [batch] = await read(1);
      assert.deepEqual(batch.map((r: any) => r.id), [2, 3]);
      assert.equal(batch[0].result, '0x539');
      // Two values with no separator, the second split over two writes; admin and personal are on.
      const dev = addressToHex(node.devAccount!);
      s.write('{"jsonrpc":"2.0","id":4,"method":"admin_nodeInfo"}{"jsonrpc":"2.0","id":5,"meth');
      s.write(`od":"personal_sign","params":["0x00","${dev}"]}`);
      const answers = await read(2);
      assert.deepEqual(answers.map((r) => r.id).sort(), [4, 5]);
      for (const a of answers) assert.equal(a.error, undefined, JSON.stringify(a.error));
      s.write('nonsense');
      const [bad] = await read(1);
      assert.equal(bad.error.code, -32700);
      await once(s, 'close');
    } finally {
      s.destroy();
    }
  });
});

test('--ipcpath moves the socket, it goes away at stop, --ipcdisable leaves none', async () => {
  setVerbosity(1);
  const dir = mkdtempSync(join(tmpdir(), 'gtos-ipc2-'));
  try {
    const node = await startNode(resolveConfig({ dev: true, datadir: dir, ipcpath: 'sub.ipc' }));
    assert.equal(node.ipc, join(dir, 'sub.ipc'));
    assert.ok(existsSync(join(dir, 'sub.ipc')));
    assert.ok(!existsSync(join(dir, 'gtos.ipc')));
    await node.stop();
    assert.ok(!existsSync(join(dir, 'sub.ipc')));
    const off = await startNode(resolveConfig({ dev: true, datadir: dir, ipcdisable: true }));
    assert.equal(off.ipc, undefined);
    assert.ok(!existsSync(join(dir, 'gtos.ipc')));
    await off.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
