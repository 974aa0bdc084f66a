/**
 * Real libp2p hosts over loopback: the status handshake accepts a peer on the
 * same chain and drops one with another genesis; a block sealed on one node
 * is gossiped and imported by the other; a block with a bad state root is
 * rejected, not imported, and not forwarded; the node key (and so the peer
 * id) survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { encodeBlock } from '../../src/types/block.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { P2pNode, type P2pOptions } from '../../src/network/host.js';
import { SyncDriver } from '../../src/sync/driver.js';
import { loadNodeKey } from '../../src/network/node-key.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { until } from '../util/wait.js';

const E = 10n ** 18n;

/** A host as the node runs it: with a sync driver attached. */
async function start(chain: Blockchain, opts: P2pOptions): Promise<P2pNode> {
  const node = await P2pNode.start(chain, opts);
  new SyncDriver(node);
  return node;
}

test('handshake, block gossip with validation, bad blocks rejected, stable peer id', async () => {
  const signer = testAccount('p2p-signer');
  const users = testAccounts('p2p-user', 4);
  const spec = { signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 100n * E })) };
  const a = await ChainBuilder.create(spec);
  const chainB = await Blockchain.open({ db: new MemoryDatabase(), genesis: a.genesis });
  const other = await ChainBuilder.create({ ...spec, chainId: 1337n, gasLimit: 29_000_000n });
  const dir = mkdtempSync(join(tmpdir(), 'gtos-p2p-'));
  const keyA = await loadNodeKey(dir);
  const nodeA = await start(a.chain, { port: 0, networkId: 1337n, privateKey: keyA });
  const nodeB = await start(chainB, { port: 0, networkId: 1337n });
  const nodeC = await start(other.chain, { port: 0, networkId: 1337n });
  try {
    assert.equal(statSync(join(dir, 'nodekey')).mode & 0o777, 0o600);
    assert.equal(nodeA.libp2p.peerId.toString(), (await start(a.chain, { port: 0, networkId: 1337n, privateKey: await loadNodeKey(dir) }).then(async (n) => {
      const id = n.libp2p.peerId.toString();
      await n.stop();
      return { toString: () => id };
    })).toString(), 'the same node key gives the same peer id');

    await nodeB.dial(nodeA.libp2p.getMultiaddrs()[0]!);
    await until(() => nodeA.peers.has(nodeB.libp2p.peerId.toString()) && nodeB.peers.has(nodeA.libp2p.peerId.toString()));
    // Another genesis: dropped.
    const dropped = new Promise((r) => nodeA.once('drop', (_p: string, why: string) => r(why)));
    await nodeC.dial(nodeA.libp2p.getMultiaddrs()[0]!).catch(() => undefined);
    assert.match(String(await dropped), /genesis mismatch/);
    assert.equal(nodeA.peers.has(nodeC.libp2p.peerId.toString()), false);

    // Let gossipsub form its mesh, then seal blocks on A: B imports them from gossip.
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 3; i++) await a.addBlock([transfer(users[i]!, asAddress(new Uint8Array(20).fill(i + 1)), E, 1337n)]);
    await until(() => chainB.currentHeader().number === 3n);
    assert.equal(bytesToHex(chainB.currentHash()), bytesToHex(a.chain.currentHash()));

    // A block with a wrong state root (re-sealed by the real signer) is rejected by B.
    const good = a.makeBlock(a.chain.currentHeader(), []);
    const bad = { ...good, header: a.chain.engine.seal({ ...good.header, stateRoot: good.header.txRoot }, signer.key) };
    const rejected = new Promise((r) => nodeB.once('invalid-block', (_b: unknown, e: Error) => r(e.message)));
    await nodeA.libp2p.services.pubsub.publish(nodeA.blockTopic, encodeBlock(bad));
    assert.match(String(await rejected), /invalid merkle root/);
    assert.equal(chainB.currentHeader().number, 3n);
    // Malformed gossip is rejected without harm.
    await nodeA.libp2p.services.pubsub.publish(nodeA.blockTopic, Uint8Array.of(0xc3, 1, 2));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(chainB.currentHeader().number, 3n);
  } finally {
    await nodeA.stop();
    await nodeB.stop();
    await nodeC.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
