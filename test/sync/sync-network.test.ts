/**
 * Range sync and hostile peers over real libp2p on loopback. A chain of 220
 * blocks by three signers in turn is served by one host; a node started
 * afterwards (real LevelDB, as a user runs it) syncs from genesis to the head,
 * reporting eth_syncing progress and metrics, and serves it on to a third
 * host. Then peers misbehave: invalid blocks (bad state root, bad seal) and
 * garbage gossip are rejected, never forwarded, and get their sender banned;
 * malformed and oversized sync requests get theirs banned; a sync server that
 * answers garbage is banned and the node syncs from an honest peer instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lpStream } from 'it-length-prefixed-stream';
import { multiaddr } from '@multiformats/multiaddr';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { encodeBlock } from '../../src/types/block.js';
import { headerHash } from '../../src/types/header.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { P2pNode } from '../../src/network/host.js';
import type { GossipTopicKind } from '../../src/network/gossip/topics.js';
import { decodeRequest, encodeRequest } from '../../src/network/reqresp/messages.js';
import { SYNC_PROTOCOL } from '../../src/network/reqresp/protocol.js';
import { SyncDriver } from '../../src/sync/driver.js';
import { p2pBackend } from '../../src/node/p2p-backend.js';
import { serveRange } from '../../src/network/reqresp/server.js';
import { bigintToBytes } from '../../src/crypto/bytes.js';
import { encodeRlp } from '../../src/crypto/rlp.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { rpcCall } from '../util/rpc.js';
import { TestNet, rpcUrl } from '../util/testnet.js';
import { sleep, until } from '../util/wait.js';

const E = 10n ** 18n;

test('a late node syncs 220 blocks from a peer; invalid gossip and sync traffic get peers banned and go nowhere', async () => {
  const signers = testAccounts('sync-net-signer', 3);
  const users = testAccounts('sync-net-user', 4);
  const spec = { signers, period: 1, alloc: users.map((u) => ({ address: u.address, balance: 1000n * E })) };
  const builder = await ChainBuilder.create(spec);
  for (let i = 1; i <= 220; i++) {
    await builder.addBlock(i % 4 === 0 ? users.map((u, j) => transfer(u, asAddress(new Uint8Array(20).fill(j + 1)), BigInt(i), 1337n)) : []);
  }
  const hosts: P2pNode[] = [];
  const host = async (chain: Blockchain, observer?: Parameters<typeof P2pNode.start>[1]['observer']) => {
    const h = await P2pNode.start(chain, { port: 0, networkId: 1337n, observer, statusIntervalMs: 1000 });
    new SyncDriver(h);
    hosts.push(h);
    return h;
  };
  const net = TestNet.create(spec);
  try {
    const server = await host(builder.chain);
    const late = await net.start('late', { bootnodes: [server.libp2p.getMultiaddrs()[0]!.toString()], flags: { metrics: true, 'metrics.port': '0' } });
    const seenProgress: unknown[] = [];
    late.sync!.syncer.on('progress', () => seenProgress.push(p2pBackend(late.p2p!, late.sync!).syncing()));
    await until(() => late.chain.currentHeader().number === 220n, 60_000, 'the late node reaches 220');
    assert.equal(bytesToHex(late.chain.currentHash()), bytesToHex(builder.chain.currentHash()));
    assert.equal(bytesToHex(late.chain.currentHeader().stateRoot), bytesToHex(builder.chain.currentHeader().stateRoot));
    assert.equal(await rpcCall(rpcUrl(late), 'eth_getBalance', ['0x' + '01'.repeat(20), 'latest']), '0x' + Array.from({ length: 55 }, (_, k) => BigInt(4 * (k + 1))).reduce((x, y) => x + y).toString(16));
    const p = seenProgress.find((x) => x !== false) as { startingBlock: bigint; highestBlock: bigint };
    assert.equal(p.startingBlock, 0n);
    assert.equal(p.highestBlock, 220n);
    await until(async () => (await rpcCall(rpcUrl(late), 'eth_syncing')) === false, 5_000, 'eth_syncing false');
    const metrics = await (await fetch(`http://${late.metricsAddr!.host}:${late.metricsAddr!.port}/metrics`)).text();
    assert.match(metrics, /gtos_p2p_synced_blocks_total 220/);
    assert.match(metrics, /gtos_p2p_sync_highest_block 220/);
    assert.match(metrics, /gtos_p2p_peers 1/);

    // A third host learns the chain from the late node (which serves from LevelDB).
    const forwarded: string[] = [];
    const witnessChain = await Blockchain.open({ db: new MemoryDatabase(), genesis: builder.genesis });
    const witness = await host(witnessChain, { gossip: (t: GossipTopicKind, d, v) => d === 'in' && forwarded.push(`${t}:${v}`) });
    witness.on('block', (b) => forwarded.push(bytesToHex(headerHash(b.header))));
    await witness.dial(late.p2p!.libp2p.getMultiaddrs()[0]!);
    await until(() => witnessChain.currentHeader().number === 220n, 30_000, 'the witness syncs from the late node');

    // An attacker on the same chain gossips invalid blocks on top of the head.
    const attacker = await host(builder.chain);
    await attacker.dial(late.p2p!.libp2p.getMultiaddrs()[0]!);
    await until(() => late.p2p!.peers.has(attacker.libp2p.peerId.toString()), 10_000, 'attacker connected');
    await sleep(1500); // mesh
    const head = builder.chain.currentHeader();
    const good = builder.makeBlock(head, []);
    const badRoot = { ...good, header: builder.chain.engine.seal({ ...good.header, stateRoot: good.header.txRoot }, signers.find((s) => bytesToHex(s.address) === bytesToHex(builder.chain.engine.author(good.header)))!.key) };
    const badSeal = { ...good, header: builder.chain.engine.seal({ ...good.header, time: good.header.time + 1n }, testAccount('intruder').key) };
    const rejected: string[] = [];
    late.p2p!.on('invalid-block', (_b, e: Error) => rejected.push(e.message));
    const banned = new Promise<string>((r) => late.p2p!.on('ban', (peer: string, why: string) => peer === attacker.libp2p.peerId.toString() && r(why)));
    const pubsub = attacker.libp2p.services.pubsub;
    await pubsub.publish(attacker.blockTopic, encodeBlock(badRoot));
    await until(() => rejected.length === 1, 10_000, 'bad state root rejected');
    assert.match(rejected[0]!, /invalid merkle root|state root/);
    await pubsub.publish(attacker.txTopic, new Uint8Array(200 * 1024).fill(0xaa));
    await pubsub.publish(attacker.blockTopic, encodeBlock(badSeal));
    await until(() => rejected.length === 2, 10_000, 'bad seal rejected');
    assert.match(rejected[1]!, /unauthorized|signer/i);
    assert.match(await banned, /gossip score/);
    await until(() => !late.p2p!.peers.has(attacker.libp2p.peerId.toString()), 10_000, 'attacker disconnected');
    assert.equal(late.chain.currentHeader().number, 220n);
    assert.equal(witnessChain.currentHeader().number, 220n);
    assert.deepEqual(forwarded.filter((f) => f.startsWith('blocks:')), [], 'nothing invalid reached the witness');
    await attacker.dial(late.p2p!.libp2p.getMultiaddrs()[0]!).catch(() => undefined);
    await sleep(500);
    assert.equal(late.p2p!.libp2p.getConnections().some((c) => c.remotePeer.toString() === attacker.libp2p.peerId.toString()), false, 'a banned peer cannot reconnect');
    const m2 = await (await fetch(`http://${late.metricsAddr!.host}:${late.metricsAddr!.port}/metrics`)).text();
    assert.match(m2, /gtos_p2p_gossip_messages_total\{topic="blocks",direction="in",verdict="reject"\} 2/);
    assert.match(m2, /gtos_p2p_gossip_messages_total\{topic="txs",direction="in",verdict="reject"\} 1/);
    assert.match(m2, /gtos_p2p_bans_total 1/);

    // The node still works: a valid block from the server travels server → late → witness.
    const next = await builder.addBlock([transfer(users[0]!, asAddress(new Uint8Array(20).fill(9)), 1n, 1337n)]);
    await until(() => witnessChain.currentHeader().number === 221n, 15_000, 'valid block forwarded');
    assert.ok(forwarded.includes(bytesToHex(headerHash(next.header))));

    // Malformed and oversized sync requests: the stream is refused and the sender banned.
    for (const [payload, reason] of [[new Uint8Array(4096).fill(1), /unreadable request/], [Uint8Array.of(0xc2, 0x05, 0x06), /malformed request/]] as const) {
      const rogue = await host(await Blockchain.open({ db: new MemoryDatabase(), genesis: builder.genesis }));
      await rogue.dial(late.p2p!.libp2p.getMultiaddrs()[0]!);
      await until(() => late.p2p!.peers.has(rogue.libp2p.peerId.toString()), 10_000, 'rogue connected');
      const why = new Promise<string>((r) => late.p2p!.on('ban', (peer: string, w: string) => peer === rogue.libp2p.peerId.toString() && r(w)));
      const stream = await rogue.libp2p.dialProtocol(late.p2p!.libp2p.peerId, SYNC_PROTOCOL);
      const lp = lpStream(stream);
      await lp.write(payload).catch(() => undefined);
      await assert.rejects(lp.read({ signal: AbortSignal.timeout(5000) }));
      assert.match(await why, reason);
    }
    // A valid request is still served (a huge count is answered with what there is).
    {
      const stream = await witness.libp2p.dialProtocol(late.p2p!.libp2p.peerId, SYNC_PROTOCOL);
      const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 });
      await lp.write(encodeRequest({ origin: { number: 0n }, count: 4_000_000_000, reverse: false, bodies: false }));
      const count = (await lp.read()).subarray();
      assert.equal(bytesToHex(count), '0x81de', 'the 222 headers there are, not 4e9');
      await stream.close();
    }

    // A sync server answering garbage is banned; the node then syncs from an honest peer.
    const fresh = await host(await Blockchain.open({ db: new MemoryDatabase(), genesis: builder.genesis }));
    const liar = await host(builder.chain);
    await liar.libp2p.unhandle(SYNC_PROTOCOL);
    await liar.libp2p.handle(SYNC_PROTOCOL, async ({ stream }) => {
      const lp = lpStream(stream);
      await lp.read();
      await lp.write(Uint8Array.of(0x01));
      await lp.write(Uint8Array.of(0xf9, 0xff, 0xff, 0x00));
      await stream.close();
    });
    const liarBanned = new Promise<string>((r) => fresh.on('ban', (peer: string, w: string) => peer === liar.libp2p.peerId.toString() && r(w)));
    await fresh.dial(liar.libp2p.getMultiaddrs()[0]!);
    assert.match(await liarBanned, /malformed header|truncated|bad response/);
    assert.equal(fresh.chain.currentHeader().number, 0n);
    await fresh.dial(multiaddr(server.libp2p.getMultiaddrs()[0]!.toString()));
    await until(() => fresh.chain.currentHeader().number === 221n, 30_000, 'fresh node syncs from the honest server');

    // A peer that announces a heavier chain but never delivers a block is not asked again and again.
    const empty = await host(builder.chain);
    let bodyRequests = 0;
    await empty.libp2p.unhandle(SYNC_PROTOCOL);
    await empty.libp2p.handle(SYNC_PROTOCOL, async ({ stream }) => {
      const lp = lpStream(stream);
      const req = decodeRequest((await lp.read()).subarray());
      const frames = req.bodies ? [] : serveRange(builder.chain, req);
      if (req.bodies) bodyRequests++;
      await lp.write(encodeRlp(bigintToBytes(BigInt(frames.length))));
      for (const f of frames) await lp.write(f);
      await stream.close();
    });
    const starved = await host(await Blockchain.open({ db: new MemoryDatabase(), genesis: builder.genesis }));
    await starved.dial(empty.libp2p.getMultiaddrs()[0]!);
    await until(() => bodyRequests > 0, 10_000, 'a first sync attempt');
    await sleep(2500);
    assert.ok(bodyRequests <= 5, `${bodyRequests} block requests in 2.5 s: the claim is settled until the next status round`);
    assert.equal(starved.chain.currentHeader().number, 0n);
    assert.ok(starved.peers.has(empty.libp2p.peerId.toString()), 'not provably malicious: not banned');
  } finally {
    for (const h of hosts.reverse()) await h.stop();
    await net.close();
  }
});
