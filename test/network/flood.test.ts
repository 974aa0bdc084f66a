/**
 * A flood into one node of three signers on loopback: 20,000 pre-signed
 * transfers sent over JSON-RPC batches to node a only reach the pools of b
 * and c by gossip (every hash is pooled or mined there), and the chain they
 * agree on carries each of them exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress, type Hash } from '../../src/crypto/primitives.js';
import type { RunningNode } from '../../src/node/node.js';
import type { Block } from '../../src/types/block.js';
import { signTransaction } from '../../src/types/transaction.js';
import { testAccount, testAccounts } from '../../tools/workload/accounts.js';
import { p2pAddr, rpcUrl, TestNet } from '../util/testnet.js';
import { until } from '../util/wait.js';

const E = 10n ** 18n;
const TXS = 20_000;
const SENDERS = 400;

test('flood: 20k txs into one of three nodes reach the other pools and are mined once', async () => {
  const signers = [testAccount('flood-a'), testAccount('flood-b'), testAccount('flood-c')];
  const senders = testAccounts('flood-sender', SENDERS);
  const net = TestNet.create({ signers, alloc: senders.map((s) => ({ address: s.address, balance: 1000n * E })), txGas: 3000n, gasLimit: 300_000_000n, period: 1 });
  const limits = { 'txpool.globalslots': '100000', 'txpool.globalqueue': '100000', 'txpool.accountslots': '1000', 'txpool.accountqueue': '1000', 'txpool.journal': '' };
  try {
    const a = await net.start('a', { signer: signers[0], flags: limits });
    const b = await net.start('b', { signer: signers[1], bootnodes: [p2pAddr(a)], flags: limits });
    const c = await net.start('c', { signer: signers[2], bootnodes: [p2pAddr(a), p2pAddr(b)], flags: limits });
    const nodes: RunningNode[] = [a, b, c];
    await until(() => nodes.every((n) => n.p2p!.peers.size >= 2), 20_000, 'a full mesh');

    const raws: string[] = [];
    const hashes: Hash[] = [];
    for (let k = 0; raws.length < TXS; k++) {
      for (const s of senders) {
        const tx = signTransaction({ type: 0, chainId: 1337n, nonce: BigInt(k), gasPrice: 10n ** 10n, gasLimit: 3000n, to: asAddress(new Uint8Array(20).fill((k % 200) + 1)), value: 1n, data: new Uint8Array(0) }, s.key);
        raws.push(bytesToHex(tx.encode()));
        hashes.push(tx.hash());
      }
    }
    const url = rpcUrl(a);
    for (let i = 0; i < raws.length; i += 500) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(raws.slice(i, i + 500).map((r, k) => ({ jsonrpc: '2.0', id: k, method: 'eth_sendRawTransaction', params: [r] }))) });
      const answers = (await res.json()) as { error?: { message: string } }[];
      assert.deepEqual(answers.filter((x) => x.error).map((x) => x.error!.message), [], 'node a accepts every tx');
    }
    const known = (n: RunningNode, h: Hash) => n.pool.has(h) || n.chain.getTxLocation(h) !== undefined;
    for (const n of [b, c]) {
      await until(() => hashes.every((h) => known(n, h)), 60_000, () => `every tx pooled or mined on the other nodes (${hashes.filter((h) => known(n, h)).length}/${TXS})`);
    }
    // Signers race (out-of-turn blocks, reorgs): settle on one head every node has, with every tx on it.
    // Everything is read in the same synchronous turn that sees the agreement, and by the agreed head's
    // hash: a node's canonical number → hash mapping can already show a write whose completion (the new
    // head) has not reached JavaScript yet, so reads by number may run one reorg ahead of currentHash().
    let seen = new Map<string, number>();
    let balances: string[] = [];
    const watched = [...senders.slice(0, 20).map((s) => s.address), ...Array.from({ length: TXS / SENDERS }, (_, k) => asAddress(new Uint8Array(20).fill(k + 1)))];
    await until(() => {
      const h = a.chain.currentHash();
      if (!nodes.every((n) => bytesToHex(n.chain.currentHash()) === bytesToHex(h)) || !nodes.every((n) => hashes.every((x) => n.chain.getTxLocation(x) !== undefined))) return false;
      seen = new Map();
      for (let b: Hash | undefined = h; b; ) {
        const block: Block = a.chain.getBlock(b)!;
        for (const tx of block.transactions) seen.set(bytesToHex(tx.hash()), (seen.get(bytesToHex(tx.hash())) ?? 0) + 1);
        b = block.header.number > 1n ? block.header.parentHash : undefined;
      }
      // Each node holds the head's state and it is the same state: every watched balance agrees.
      balances = nodes.map((n) => {
        const state = n.chain.stateAt(n.chain.getHeader(h)!.stateRoot);
        return watched.map((x) => state.getBalance(x).toString()).join(',');
      });
      return true;
    }, 120_000, 'every tx mined on one head all three share');
    assert.equal(seen.size, TXS);
    assert.ok([...seen.values()].every((x) => x === 1), 'no tx mined twice');
    assert.deepEqual(balances, [balances[0], balances[0], balances[0]], 'one state at the shared head');
    assert.ok(balances[0]!.split(',').slice(20).every((x) => BigInt(x) === BigInt(SENDERS)), 'each recipient received one transfer from every sender');
  } finally {
    await net.close();
  }
});
