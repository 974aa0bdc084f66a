/**
 * A node that cannot finish starting (its RPC port is taken) fails with the
 * reason and releases what it had started: the p2p host, the worker pool and
 * the database lock, so the process can exit and a retry can open the datadir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { testAccount } from '../../tools/workload/accounts.js';
import { TestNet } from '../util/testnet.js';

test('a port in use fails the start and releases the datadir, p2p port and workers', async () => {
  const signer = testAccount('start-fail-signer');
  const net = TestNet.create({ signers: [signer], alloc: [{ address: signer.address, balance: 1n }] });
  const blocker = createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const taken = (blocker.address() as AddressInfo).port;
  try {
    await assert.rejects(
      net.start('a', { signer, flags: { 'http.port': String(taken), 'txexec.parallel': true } }),
      /EADDRINUSE/,
    );
    // Everything was released: the same datadir opens again (LevelDB's lock is free) and runs.
    const again = await net.start('a', { signer });
    assert.ok(again.p2p!.libp2p.getMultiaddrs().length > 0);
    assert.ok(again.rpc!.port > 0);
  } finally {
    blocker.close();
    await net.close();
  }
});
