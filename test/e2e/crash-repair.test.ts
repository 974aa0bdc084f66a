/**
 * Head repair as a user meets it: a pruning dev node (`--gcmode full`, the
 * default) is killed with SIGKILL after mining transfers, so the recent
 * states were never written; the restart rewinds to the newest state on
 * disk, re-executes the stored blocks, and serves the same head and balances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpc, startNode } from './node-process.js';

const call = async (url: string, method: string, params: unknown[] = []) => {
  const r = await rpc(url, { jsonrpc: '2.0', id: 1, method, params });
  if (r.json?.error) throw new Error(`${method}: ${r.json.error.message}`);
  return r.json.result;
};

test('SIGKILL under pruning: the restart repairs the head and keeps every mined transfer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-crash-'));
  const args = ['--dev', '--datadir', join(dir, 'data'), '--http', '--http.port', '0', '--dev.period', '0', '--verbosity', '3'];
  try {
    const a = await startNode(args);
    const [dev] = await call(a.rpc, 'eth_accounts');
    const recipients = Array.from({ length: 6 }, (_, i) => '0x' + (0x10 + i).toString(16).repeat(20));
    for (const [i, to] of recipients.entries()) {
      const h = await call(a.rpc, 'eth_sendTransaction', [{ from: dev, to, value: '0x' + (1000 + i).toString(16) }]);
      for (let k = 0; k < 200 && !(await call(a.rpc, 'eth_getTransactionReceipt', [h])); k++) await new Promise((r) => setTimeout(r, 25));
    }
    const head = BigInt(await call(a.rpc, 'eth_blockNumber'));
    assert.ok(head >= 6n);
    assert.equal(await a.stop('SIGKILL'), null);

    const b = await startNode(args);
    try {
      assert.match(b.output(), /Head state missing/, 'the restart found the head state gone and repaired it');
      assert.equal(BigInt(await call(b.rpc, 'eth_blockNumber')), head);
      for (const [i, to] of recipients.entries()) assert.equal(BigInt(await call(b.rpc, 'eth_getBalance', [to, 'latest'])), BigInt(1000 + i));
    } finally {
      await b.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
