/**
 * A 3-node clique localnet (`gtos localnet`'s plan: three signer processes on
 * loopback, 1 s blocks): pre-signed transfers are sent to node0 only, so
 * every other signer mines them only after gossip. Reported: accepted tx/s at
 * node0, mined TPS over the chain, and how fast the other pools see the txs
 * (latency from send to `eth_getTransactionByHash` answering on node1/node2,
 * for a sample of the txs: median and p95).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../src/crypto/bytes.js';
import { addressToHex, asAddress } from '../src/crypto/primitives.js';
import { signTransaction } from '../src/types/transaction.js';
import { prepareLocalnet, startLocalnet } from '../src/cmd/commands/localnet.js';
import { testAccounts } from '../tools/workload/accounts.js';

async function call(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

const rpc1 = async (url: string, method: string, params: unknown[] = []) => (await call(url, { jsonrpc: '2.0', id: 1, method, params })).result;

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
}

export async function runLocalnetBench(opts: { txs?: number; senders?: number; parallel?: boolean } = {}) {
  const nSenders = opts.senders ?? 1000;
  const perSender = Math.ceil((opts.txs ?? 30_000) / nSenders);
  const dir = mkdtempSync(join(tmpdir(), 'gtos-localnet-bench-'));
  const base = 20_000 + Math.floor(Math.random() * 20_000);
  const plans = await prepareLocalnet({ dir, nodes: 3, period: 1, p2pPort: base, httpPort: base + 10, metricsPort: base + 20, verbosity: 1, parallel: !!opts.parallel });
  for (const p of plans) p.args.push('--txpool.globalslots', '400000', '--txpool.globalqueue', '400000', '--txpool.accountslots', '1000', '--txpool.accountqueue', '1000');
  let log = '';
  const net = await startLocalnet(plans, (l) => { log = (log + l + '\n').slice(-20_000); });
  try {
    const [n0, ...others] = net.nodes;
    for (const n of net.nodes) {
      while (Number(await rpc1(n.rpc, 'net_peerCount')) < 2) await new Promise((r) => setTimeout(r, 200));
    }
    const senders = testAccounts('localnet-bench', nSenders);
    const funder = addressToHex(n0!.signer);
    for (let i = 0; i < senders.length; i += 250) {
      await call(n0!.rpc, senders.slice(i, i + 250).map((s, k) => ({ jsonrpc: '2.0', id: k, method: 'eth_sendTransaction', params: [{ from: funder, to: bytesToHex(s.address), value: '0x56bc75e2d63100000' }] })));
    }
    const last = senders[senders.length - 1]!;
    while (BigInt(await rpc1(n0!.rpc, 'eth_getBalance', [bytesToHex(last.address), 'latest'])) === 0n) await new Promise((r) => setTimeout(r, 300));

    const txs = [];
    for (let k = 0; k < perSender; k++) {
      for (const s of senders) {
        txs.push(signTransaction({ type: 0, chainId: 1337n, nonce: BigInt(k), gasPrice: 10n ** 10n, gasLimit: 3000n, to: asAddress(new Uint8Array(20).fill((k % 250) + 1)), value: 1n, data: new Uint8Array(0) }, s.key));
      }
    }
    const raws = txs.map((t) => bytesToHex(t.encode()));
    const startBlock = Number(await rpc1(n0!.rpc, 'eth_blockNumber'));
    // Sampled txs: when each was sent, and when each other node first knew it.
    const sample = new Map<number, { hash: string; sentAt?: number; seen: Map<string, number> }>();
    for (let i = 0; i < txs.length; i += 500) sample.set(i, { hash: bytesToHex(txs[i]!.hash()), seen: new Map() });
    let next = 0, accepted = 0;
    const t0 = performance.now();
    const sender = async () => {
      while (next < raws.length) {
        const from = next;
        const batch = raws.slice(from, from + 250);
        next += batch.length;
        const at = performance.now();
        for (let i = from; i < from + batch.length; i++) {
          const s = sample.get(i);
          if (s) s.sentAt = at;
        }
        const res = (await call(n0!.rpc, batch.map((r, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [r] })))) as { error?: unknown }[];
        accepted += res.filter((x) => !x.error).length;
      }
    };
    let watching = true;
    const watcher = async () => {
      while (watching) {
        for (const s of sample.values()) {
          if (s.sentAt === undefined) continue;
          for (const o of others) {
            if (s.seen.has(o.name)) continue;
            if (await rpc1(o.rpc, 'eth_getTransactionByHash', [s.hash])) s.seen.set(o.name, performance.now() - s.sentAt);
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const watch = watcher();
    await Promise.all([sender(), sender(), sender(), sender()]);
    const sendSecs = (performance.now() - t0) / 1000;
    let mined = 0;
    let n = startBlock + 1;
    const perBlock: { txs: number; time: number; miner: string }[] = [];
    const deadline = Date.now() + 90_000;
    while (mined < accepted && Date.now() < deadline) {
      const b = await rpc1(n0!.rpc, 'eth_getBlockByNumber', ['0x' + n.toString(16), false]);
      if (!b) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      perBlock.push({ txs: b.transactions.length, time: Number(b.timestamp), miner: b.miner });
      mined += b.transactions.length;
      n++;
    }
    watching = false;
    await watch;
    const busy = perBlock.filter((b) => b.txs > 0);
    const span = busy.length ? busy[busy.length - 1]!.time - busy[0]!.time + 1 : 1;
    const lat = [...sample.values()].flatMap((s) => [...s.seen.values()]);
    return {
      nodes: 3, parallel: !!opts.parallel, txs: raws.length, accepted, acceptedTps: Math.round(accepted / sendSecs), mined, minedTps: Math.round(mined / span),
      blocks: busy.length, peakBlockTxs: Math.max(0, ...perBlock.map((b) => b.txs)),
      gossip: { sampled: sample.size * others.length, seen: lat.length, medianMs: percentile(lat, 50), p95Ms: percentile(lat, 95) },
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nnode output (tail):\n${log.slice(-4000)}`);
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runLocalnetBench({ parallel: process.argv.includes('--parallel') }));
}
