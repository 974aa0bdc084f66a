/**
 * Hostile input: a dev node (`--txpool.nolocals`, a 2 gwei price floor) fed
 * 50k txs over batched RPC that it must all reject (42k underpriced, 8k from
 * unfunded senders). Reports the node's RSS before and after (goal: within
 * 50 MB), the pool size after (must stay 0) and the worst `eth_blockNumber`
 * latency measured between batches (the node stays responsive).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../src/crypto/bytes.js';
import { NODE_FLAGS } from '../src/cmd/node-flags.js';
import { testAccounts, transfer } from '../tools/workload/accounts.js';

const GTOS = fileURLToPath(new URL('../src/cmd/gtos.js', import.meta.url));

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

export async function runFloodBench(opts: { underpriced?: number; unfunded?: number; parallel?: boolean } = {}) {
  const underpriced = opts.underpriced ?? 42_000;
  const unfunded = opts.unfunded ?? 8_000;
  // The dev genesis funds only the dev account: these senders have nothing.
  const strangers = testAccounts('flood-stranger', 2_000);
  const dir = mkdtempSync(join(tmpdir(), 'gtos-flood-'));
  const args = ['--dev', '--datadir', dir, '--http', '--http.port', '0', '--verbosity', '2', '--txpool.nolocals', '--txpool.pricelimit', '2000000000'];
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
    const raws: string[] = [];
    // The price floor is checked before the balance, so these are refused as underpriced.
    for (let i = 0; i < underpriced; i++) {
      raws.push(bytesToHex(transfer(strangers[i % strangers.length]!, strangers[0]!.address, 1n, 1337n, { maxPriorityFeePerGas: 1n, maxFeePerGas: 10n ** 10n, nonce: BigInt(Math.floor(i / strangers.length)) }).encode()));
    }
    for (let i = 0; i < unfunded; i++) {
      raws.push(bytesToHex(transfer(strangers[i % strangers.length]!, strangers[0]!.address, 1n, 1337n, { maxPriorityFeePerGas: 3_000_000_000n, maxFeePerGas: 10n ** 10n, nonce: BigInt(Math.floor(i / strangers.length)) }).encode()));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const rssStart = rssMB(child.pid!);
    let rejected = 0;
    let worstMs = 0;
    const t0 = performance.now();
    for (let s = 0; s < raws.length; s += 250) {
      const res = (await post(url, raws.slice(s, s + 250).map((r, k) => ({ jsonrpc: '2.0', id: s + k, method: 'eth_sendRawTransaction', params: [r] })))) as { error?: unknown }[];
      rejected += res.filter((x) => x.error).length;
      const q0 = performance.now();
      await post(url, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] });
      worstMs = Math.max(worstMs, performance.now() - q0);
    }
    const secs = (performance.now() - t0) / 1000;
    const rssEnd = rssMB(child.pid!);
    const status = (await post(url, { jsonrpc: '2.0', id: 1, method: 'txpool_status', params: [] })).result;
    return {
      sent: raws.length, rejected, txPerSecond: Math.round(raws.length / secs), pool: status,
      rssStartMB: rssStart, rssEndMB: rssEnd, rssGrowthMB: rssEnd - rssStart, worstBlockNumberMs: Math.round(worstMs),
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nnode output:\n${out.slice(-3000)}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runFloodBench({ parallel: process.argv.includes('--parallel') }));
}
