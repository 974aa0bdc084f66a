/**
 * Tx gossip in batches over real libp2p hosts on loopback: with no peer,
 * nothing is published at all; a burst of 2,000 txs reaches the other pool
 * complete in a handful of messages; a message with one tx the sender should
 * have known to be invalid is rejected whole and scores its sender down.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asAddress } from '../../src/crypto/primitives.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { TxPool } from '../../src/core/txpool/txpool.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { P2pNode, type P2pOptions } from '../../src/network/host.js';
import type { Verdict } from '../../src/network/gossip/validation.js';
import { SyncDriver } from '../../src/sync/driver.js';
import { decodeTxBatch, encodeTxBatch, MAX_TXS_PER_MESSAGE, TxBatchError } from '../../src/network/gossip/tx-batch.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { until } from '../util/wait.js';

const E = 10n ** 18n;
const LIMITS = { globalSlots: 10_000, accountSlots: 1_000, accountQueue: 1_000 };

/** A host as the node runs it: with a sync driver attached. */
async function start(chain: Blockchain, opts: P2pOptions, pool: TxPool): Promise<P2pNode> {
  const node = await P2pNode.start(chain, opts, pool);
  new SyncDriver(node);
  return node;
}

test('tx batch codec refuses malformed, empty and oversized messages', () => {
  const u = testAccount('batch-codec');
  const txs = [0n, 1n, 2n].map((nonce) => transfer(u, asAddress(new Uint8Array(20).fill(1)), 1n, 1337n, { nonce }));
  const back = decodeTxBatch(encodeTxBatch(txs.map((t) => t.encode())));
  assert.deepEqual(back.map((t) => t.hash()), txs.map((t) => t.hash()));
  assert.throws(() => decodeTxBatch(Uint8Array.of(0xc3, 1, 2)), TxBatchError);
  assert.throws(() => decodeTxBatch(encodeTxBatch([])), /non-empty/);
  assert.throws(() => decodeTxBatch(encodeTxBatch([Uint8Array.of(1, 2, 3)])), /malformed tx/);
  const many = Array.from({ length: MAX_TXS_PER_MESSAGE + 1 }, () => txs[0]!.encode());
  assert.throws(() => decodeTxBatch(encodeTxBatch(many)), /txs/);
  assert.throws(() => decodeTxBatch(new Uint8Array(2 * 1024 * 1024).fill(0xaa)), /tx message of/);
});

test('tx gossip: no publishing alone, bursts travel in batches, an invalid tx rejects its message', async () => {
  const signer = testAccount('txg-signer');
  const users = testAccounts('txg-user', 4);
  const spec = { signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 1000n * E })) };
  const a = await ChainBuilder.create(spec);
  const chainB = await Blockchain.open({ db: new MemoryDatabase(), genesis: a.genesis });
  const poolA = new TxPool(a.chain, LIMITS);
  const poolB = new TxPool(chainB, LIMITS);
  const verdictsB: (Verdict | "sent")[] = [];
  const nodeA = await start(a.chain, { port: 0, networkId: 1337n }, poolA);
  const nodeB = await start(chainB, { port: 0, networkId: 1337n, observer: { gossip: (t, d, v) => { if (t === 'txs' && d === 'in') verdictsB.push(v); } } }, poolB);
  const to = asAddress(new Uint8Array(20).fill(9));
  try {
    // Alone: 500 txs enter the pool and nothing is published.
    const alone = Array.from({ length: 500 }, () => transfer(users[0]!, to, 1n, 1337n));
    await poolA.addRemotes(alone);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(poolA.status().pending, 500);
    assert.equal(nodeA.publishedMessages.txs, 0, 'no gossip work without peers');

    await nodeB.dial(nodeA.libp2p.getMultiaddrs()[0]!);
    // Joining peers are sent what is pending (bounded re-announcement).
    await until(() => poolB.status().pending === 500, 15_000, 'pending txs re-announced to the new peer');
    await new Promise((r) => setTimeout(r, 1000));

    // A burst of 2,000 txs from three accounts: all reach B, in a few messages.
    const before = nodeA.publishedMessages.txs;
    const burst = users.slice(1).flatMap((u) => Array.from({ length: 666 }, () => transfer(u, to, 1n, 1337n)));
    const errs = await poolA.addRemotes(burst);
    assert.ok(errs.every((e) => e === undefined));
    await until(() => poolB.status().pending === 500 + burst.length, 20_000, 'burst reaches B');
    const messages = nodeA.publishedMessages.txs - before;
    assert.ok(messages >= Math.ceil(burst.length / MAX_TXS_PER_MESSAGE) && messages <= 40, `${messages} messages for ${burst.length} txs`);
    assert.equal(nodeA.publishedItems.txs, 500 + burst.length);
    assert.equal(verdictsB.filter((v) => v === 'reject').length, 0);

    // One tx for another chain in a message of valid ones: the message is rejected whole, A's score falls.
    const valid = [transfer(users[0]!, to, 1n, 1337n), transfer(users[0]!, to, 1n, 1337n)];
    const foreign = transfer(users[1]!, to, 1n, 1337n, { chainId: 99n });
    await nodeA.libp2p.services.pubsub.publish(nodeA.txTopic, encodeTxBatch([...valid, foreign].map((t) => t.encode())));
    await until(() => verdictsB.includes('reject'), 10_000, 'message rejected');
    await until(() => nodeB.libp2p.services.pubsub.getScore(nodeA.libp2p.peerId.toString()) < 0, 10_000, 'sender scored down');
  } finally {
    await nodeA.stop();
    await nodeB.stop();
  }
});
