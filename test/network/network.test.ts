/**
 * Two nodes as a user starts them (in-process, real LevelDB, real libp2p on
 * loopback): a sealing node and a follower that has it as bootnode. A tx sent
 * to the sealer is mined and the block reaches the follower by gossip; a tx
 * sent to the follower reaches the sealer by tx gossip and is mined;
 * admin_peers / net_peerCount / admin_nodeInfo report the connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { KeystoreDir } from '../../src/crypto/keystore-dir.js';
import { LIGHT_SCRYPT } from '../../src/crypto/keystore.js';
import { signTransaction } from '../../src/types/transaction.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { initCommand } from '../../src/cmd/commands/init.js';
import { setVerbosity } from '../../src/util/log.js';
import { genesisJson } from '../../tools/workload/chain-builder.js';
import { testAccount } from '../../tools/workload/accounts.js';
import { rpcCall as call } from '../util/rpc.js';
import { until } from '../util/wait.js';


test('a sealer and a follower: txs mined on one reach the other by gossip; admin_* report peers', async () => {
  setVerbosity(1);
  const dir = mkdtempSync(join(tmpdir(), 'gtos-net-'));
  const signer = testAccount('net-signer');
  const gfile = join(dir, 'genesis.json');
  writeFileSync(gfile, JSON.stringify(genesisJson({ signers: [signer], period: 0, alloc: [{ address: signer.address, balance: 10n ** 24n }] })));
  const pw = join(dir, 'pw.txt');
  writeFileSync(pw, 'pw\n');
  const [da, db] = [join(dir, 'a'), join(dir, 'b')];
  for (const d of [da, db]) await initCommand(gfile, d, () => undefined);
  new KeystoreDir(join(da, 'keystore')).importKey(signer.key, 'pw', LIGHT_SCRYPT);
  const nodes: RunningNode[] = [];
  try {
    const a = await startNode(resolveConfig({ datadir: da, mine: true, unlock: bytesToHex(signer.address), password: pw, port: '0', http: true, 'http.port': '0', 'http.api': 'eth,net,admin' }));
    nodes.push(a);
    const boot = `${a.p2p!.libp2p.getMultiaddrs()[0]!.toString()}`;
    const b = await startNode(resolveConfig({ datadir: db, port: '0', bootnodes: boot, http: true, 'http.port': '0', 'http.api': 'eth,net,admin' }));
    nodes.push(b);
    await until(() => a.p2p!.peers.size === 1 && b.p2p!.peers.size === 1);
    const rpcB = `http://${b.rpc!.host}:${b.rpc!.port}`;
    assert.equal(await call(rpcB, 'net_peerCount'), '0x1');
    const peers = await call(rpcB, 'admin_peers');
    assert.equal(peers[0].id, a.p2p!.libp2p.peerId.toString());
    assert.equal((await call(rpcB, 'admin_nodeInfo')).id, b.p2p!.libp2p.peerId.toString());
    // Let the gossip mesh form before the first block.
    await new Promise((r) => setTimeout(r, 1500));
    const rpcA = `http://${a.rpc!.host}:${a.rpc!.port}`;
    for (let nonce = 0n; nonce < 3n; nonce++) {
      const tx = signTransaction({ type: 2, chainId: 1337n, nonce, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, gasLimit: 21000n, to: asAddress(new Uint8Array(20).fill(5)), value: 7n, data: new Uint8Array(0) }, signer.key);
      await call(rpcA, 'eth_sendRawTransaction', [bytesToHex(tx.encode())]);
      await until(() => b.chain.currentHeader().number === nonce + 1n);
    }
    assert.equal(bytesToHex(b.chain.currentHash()), bytesToHex(a.chain.currentHash()));
    assert.equal(await call(rpcB, 'eth_getBalance', ['0x' + '05'.repeat(20), 'latest']), '0x15');
    // A tx sent to the follower travels to the sealer by tx gossip, is mined, and comes back in a block.
    const viaB = signTransaction({ type: 0, chainId: 1337n, nonce: 3n, gasPrice: 10n ** 10n, gasLimit: 21000n, to: asAddress(new Uint8Array(20).fill(6)), value: 9n, data: new Uint8Array(0) }, signer.key);
    await call(rpcB, 'eth_sendRawTransaction', [bytesToHex(viaB.encode())]);
    await until(() => b.chain.currentHeader().number === 4n);
    assert.equal(await call(rpcB, 'eth_getBalance', ['0x' + '06'.repeat(20), 'latest']), '0x9');
    assert.ok(await call(rpcB, 'eth_getTransactionReceipt', [bytesToHex(viaB.hash())]));
    // admin_removePeer disconnects (by peer id or /p2p/ multiaddr); admin_addPeer reconnects.
    const idA = a.p2p!.libp2p.peerId.toString();
    assert.equal(await call(rpcB, 'admin_removePeer', [`/ip4/127.0.0.1/tcp/1/p2p/${idA}`]), true);
    await until(() => b.p2p!.peers.size === 0 && a.p2p!.peers.size === 0, 5_000, 'disconnected');
    assert.equal(await call(rpcB, 'admin_removePeer', [idA]), false, 'not connected any more');
    assert.equal(await call(rpcB, 'admin_addPeer', [boot]), true);
    await until(() => b.p2p!.peers.size === 1, 10_000, 'reconnected');
  } finally {
    for (const n of nodes.reverse()) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
