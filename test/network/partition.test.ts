/**
 * Three signer nodes (in-process, real LevelDB, real libp2p on loopback,
 * clique period 0 so blocks follow txs): they agree on every block; one node
 * is cut off, seals a block of its own holding a tx the others never saw,
 * while the other two seal a longer (heavier) branch; on reconnecting it finds
 * the common ancestor, reorgs to the heavier branch, and its dropped tx goes
 * back to the pool, is gossiped again and mined on the winning chain. Then the
 * node restarts: same peer id, it rejoins and follows the head.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { addressToHex, asAddress } from '../../src/crypto/primitives.js';
import type { RunningNode } from '../../src/node/node.js';
import { multiaddr } from '@multiformats/multiaddr';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { rpcCall } from '../util/rpc.js';
import { TestNet, p2pAddr, peerIdOf, rpcUrl } from '../util/testnet.js';
import { sleep, until } from '../util/wait.js';

const E = 10n ** 18n;

test('partition and heal: the cut-off signer reorgs to the heavier chain and its dropped tx is mined there; restart keeps the peer id', async () => {
  const signers = testAccounts('part-signer', 3);
  const [alice, bob] = [testAccount('part-alice'), testAccount('part-bob')];
  const net = TestNet.create({ signers, period: 0, alloc: [...signers, alice, bob].map((a) => ({ address: a.address, balance: 1000n * E })) });
  const sink = (i: number) => asAddress(new Uint8Array(20).fill(i));
  const send = (node: RunningNode, from: typeof alice, to: number): Promise<string> =>
    rpcCall(rpcUrl(node), 'eth_sendRawTransaction', [bytesToHex(transfer(from, sink(to), 1n, 1337n).encode())]);
  try {
    const a = await net.start('a', { signer: signers[0] });
    const b = await net.start('b', { signer: signers[1], bootnodes: [p2pAddr(a)] });
    let c = await net.start('c', { signer: signers[2], bootnodes: [p2pAddr(a)] });
    const all = () => [a, b, c];
    await until(() => a.p2p!.peers.size === 2 && b.p2p!.peers.size === 1 && c.p2p!.peers.size === 1, 15_000, 'peers');
    await sleep(1500); // let the gossip mesh form

    const agreeAt = async (n: bigint) => {
      await until(() => all().every((x) => x.chain.currentHeader().number >= n), 20_000, `all at block ${n}`);
      const hashes = all().map((x) => bytesToHex(x.chain.store.canonicalHash(n)!));
      return hashes.every((h) => h === hashes[0]);
    };
    // Txs sent to any node are mined and every node holds the same blocks.
    for (let i = 0; i < 3; i++) {
      const before = a.chain.currentHeader().number;
      await send(all()[i]!, alice, i);
      await until(() => all().every((x) => x.chain.currentHeader().number > before), 20_000, 'the next block everywhere');
    }
    // With period 0 a block follows only a tx: two out-of-turn siblings of equal difficulty stay a tie
    // (each node keeps its own head) until the next block. Under load that race happens; a further tx breaks it.
    let settled = false;
    for (let k = 0; k < 6 && !settled; k++) {
      settled = await until(async () => agreeAt(a.chain.currentHeader().number), 15_000, 'agreement').then(() => true, () => false);
      if (!settled) {
        const before = a.chain.currentHeader().number;
        await send(a, alice, 50 + k);
        await until(() => all().every((x) => x.chain.currentHeader().number > before), 20_000, 'a tie-breaking block everywhere');
      }
    }
    assert.ok(settled, 'the nodes agree on every block');

    // Cut c off at a head it did not seal, so it may seal the next block alone.
    const signerOf = async (node: RunningNode) => rpcCall(rpcUrl(node), 'clique_getSigner', ['latest']);
    while ((await signerOf(c)) === addressToHex(signers[2]!.address)) {
      const before = c.chain.currentHeader().number;
      await send(a, alice, 9);
      await until(() => c.chain.currentHeader().number > before, 20_000, 'another block');
    }
    const [idA, idC] = [peerIdOf(a), peerIdOf(c)];
    c.p2p!.ban(idA, 'test partition', 600_000);
    a.p2p!.ban(idC, 'test partition', 600_000);
    await until(() => c.p2p!.peers.size === 0 && a.p2p!.peers.size === 1, 10_000, 'partition');
    const forkBase = c.chain.currentHeader().number;
    // On its own, c seals the lonely tx; a and b (which never saw it) grow a longer branch.
    const lonely = transfer(bob, sink(50), 7n, 1337n);
    await rpcCall(rpcUrl(c), 'eth_sendRawTransaction', [bytesToHex(lonely.encode())]);
    await until(() => c.chain.getTxLocation(lonely.hash()) !== undefined, 20_000, 'c seals the lonely tx');
    assert.equal(c.chain.getTxLocation(lonely.hash())!.block.header.number, forkBase + 1n);
    await until(() => c.chain.currentHeader().number === forkBase + 1n, 5_000, 'c at its fork block');
    const cForkBlock = bytesToHex(c.chain.currentHash());
    assert.equal(a.pool.has(lonely.hash()), false, 'the partition held');
    for (let i = 0; i < 3; i++) {
      const before = a.chain.currentHeader().number;
      await send(a, alice, 20 + i);
      await until(() => a.chain.currentHeader().number > before && b.chain.currentHeader().number > before, 20_000, 'majority block');
    }
    assert.ok(a.chain.currentTd() > c.chain.currentTd(), 'the majority branch is heavier');
    assert.equal(c.chain.currentHeader().number, forkBase + 1n, 'c could not seal twice in a row');

    // Heal: c syncs, reorgs, and the lonely tx is gossiped again and mined on the winning branch.
    c.p2p!.unban(idA);
    a.p2p!.unban(idC);
    await c.p2p!.dial(multiaddr(p2pAddr(a)));
    await until(() => bytesToHex(c.chain.store.canonicalHash(forkBase + 1n)!) !== cForkBlock, 20_000, 'c reorgs to the heavier branch');
    await until(() => a.chain.getTxLocation(lonely.hash()) !== undefined, 20_000, 'the dropped tx is mined on the winning branch');
    // As on a live network, more txs follow: the next blocks also settle a tie at the tip (two
    // out-of-turn blocks of equal difficulty, each kept by the nodes that saw it first).
    const state = () => all().map((x, i) => `${'abc'[i]}: head ${x.chain.currentHeader().number} ${bytesToHex(x.chain.currentHash()).slice(0, 10)} lonely@${x.chain.getTxLocation(lonely.hash())?.block.header.number}`).join('; ');
    const agreed = () => all().every((x) => x.chain.getTxLocation(lonely.hash()) !== undefined && bytesToHex(x.chain.currentHash()) === bytesToHex(a.chain.currentHash()));
    let extra = 0;
    await until(async () => {
      if (agreed()) return true;
      await send(a, alice, 30 + extra++);
      await sleep(1500);
      return agreed();
    }, 40_000, () => `every node has it, at one head (${state()})`);
    assert.notEqual(bytesToHex(c.chain.store.canonicalHash(forkBase + 1n)!), cForkBlock, 'c left its own branch');
    const where = all().map((x) => bytesToHex(x.chain.getTxLocation(lonely.hash())!.block.header.stateRoot));
    assert.ok(where.every((r) => r === where[0]));
    assert.ok(c.chain.getTxLocation(lonely.hash())!.block.header.number > forkBase + 1n, 'mined again after the fork point');
    assert.equal(await rpcCall(rpcUrl(b), 'eth_getBalance', [addressToHex(sink(50)), 'latest']), '0x7');

    // Restart c: same datadir, same node key, same peer id; it rejoins and follows new blocks.
    await net.stop('c');
    await until(() => a.p2p!.peers.size === 1, 10_000, 'a notices c left');
    const before = a.chain.currentHeader().number;
    await send(a, alice, 40);
    await until(() => a.chain.currentHeader().number > before, 20_000, 'block while c is down');
    c = await net.start('c', { signer: signers[2], bootnodes: [p2pAddr(a)] });
    assert.equal(peerIdOf(c), idC);
    await until(() => a.p2p!.peers.has(idC), 15_000, 'c rejoins');
    await until(() => bytesToHex(c.chain.currentHash()) === bytesToHex(a.chain.currentHash()), 20_000, 'c catches up');
  } finally {
    await net.close();
  }
});
