/**
 * End-to-end throughput, like GTOS's own TPS benchmark: a dev node (1 s
 * blocks, 30M gas, txGas 3000) as a child process, and this process as the
 * load generator sending pre-signed transfers over batched JSON-RPC for a
 * fixed time. Sustained TPS is counted from the mined blocks; the node's peak
 * RSS is read from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../src/crypto/bytes.js';
import { asAddress } from '../src/crypto/primitives.js';
import { signTransaction } from '../src/types/transaction.js';
import { testAccounts } from '../tools/workload/accounts.js';
import { NODE_FLAGS } from '../src/cmd/node-flags.js';

const GTOS = fileURLToPath(new URL('../src/cmd/gtos.js', import.meta.url));

async function call(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

function peakRssMB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export async function runTpsBench(opts: { seconds?: number; senders?: number; parallel?: boolean } = {}) {
  const seconds = opts.seconds ?? 30;
  const nSenders = opts.senders ?? 3000;
  const senders = testAccounts('tps', nSenders);
  // Pre-sign enough transfers for the whole run (up to 12k tx/s) before the node starts, so
  // signing neither competes with the node for CPU nor idles the RPC connection.
  const perSender = Math.ceil((12_000 * seconds) / nSenders);
  const raws: string[] = [];
  for (let k = 0; k < perSender; k++) {
    for (const s of senders) {
      raws.push(bytesToHex(signTransaction({ type: 2, chainId: 1337n, nonce: BigInt(k), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, gasLimit: 3000n, to: asAddress(new Uint8Array(20).fill((k % 250) + 1)), value: 1n, data: new Uint8Array(0) }, s.key).encode()));
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'gtos-tps-'));
  const args = ['--dev', '--datadir', dir, '--http', '--http.port', '0', '--verbosity', '1',
    '--txpool.globalslots', '400000', '--txpool.globalqueue', '400000', '--txpool.accountslots', '1000', '--txpool.accountqueue', '1000'];
  if (opts.parallel) args.push('--txexec.parallel');
  const child = spawn(process.execPath, [...NODE_FLAGS, GTOS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  try {
    while (!/JSON-RPC: (http:\/\/\S+)/.test(out)) {
      if (child.exitCode !== null) throw new Error(`node failed:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /JSON-RPC: (http:\/\/\S+)/.exec(out)![1]!;
    const dev = /Dev account: (0x[0-9a-f]{40})/.exec(out)![1]!;
    // Fund the senders from the dev account (eth_sendTransaction, batched).
    for (let i = 0; i < senders.length; i += 500) {
      await call(url, senders.slice(i, i + 500).map((s, k) => ({ jsonrpc: '2.0', id: k, method: 'eth_sendTransaction', params: [{ from: dev, to: bytesToHex(s.address), value: '0x56bc75e2d63100000' }] })));
    }
    for (;;) {
      const st = await call(url, { jsonrpc: '2.0', id: 1, method: 'txpool_status', params: [] });
      if (Number(st.result.pending) === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const startBlock = Number((await call(url, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })).result);
    const t0 = Date.now();
    let sent = 0;
    const senderLoop = async () => {
      while (Date.now() - t0 < seconds * 1000 && sent < raws.length) {
        const batch = raws.slice(sent, sent + 1000);
        sent += batch.length;
        await call(url, batch.map((r, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [r] })));
      }
    };
    await Promise.all([senderLoop(), senderLoop(), senderLoop()]);
    await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - (Date.now() - t0)) + 3000));
    const endBlock = Number((await call(url, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })).result);
    const perBlock: { n: number; txs: number; time: number }[] = [];
    for (let n = startBlock + 1; n <= endBlock; n++) {
      const b = (await call(url, { jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['0x' + n.toString(16), false] })).result;
      perBlock.push({ n, txs: b.transactions.length, time: Number(b.timestamp) });
    }
    const mined = perBlock.reduce((s, b) => s + b.txs, 0);
    const span = perBlock.length > 1 ? perBlock[perBlock.length - 1]!.time - perBlock[0]!.time + 1 : 1;
    const result = {
      seconds, senders: nSenders, parallel: !!opts.parallel, sent, mined, blocks: perBlock.length,
      sustainedTps: Math.round(mined / span), peakBlockTxs: Math.max(0, ...perBlock.map((b) => b.txs)), nodePeakRssMB: peakRssMB(child.pid!),
    };
    return result;
  } catch (e) {
    throw new Error(`${(e as Error).message}\nnode output:\n${out.slice(-3000)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runTpsBench({ seconds: Number(process.argv[2] ?? 30), parallel: process.argv.includes('--parallel') }));
}
