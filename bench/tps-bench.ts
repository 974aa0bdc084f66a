/**
 * End-to-end throughput, wallet to sealed block: a node as a child process
 * (gtos in dev mode, serial or parallel; anvil when the dev dependency
 * `@foundry-rs/anvil-linux-amd64` is installed) and this process as the load
 * generator, sending the same workload to each: pre-signed legacy transfers
 * from many accounts over batched JSON-RPC (batches of 250, 4 in flight),
 * 1 s blocks, a block gas limit of 1e9. Reported per node: accepted tx/s (the
 * generator's send rate), mined TPS from the blocks' timestamps, peak RSS;
 * and the ratios ours/anvil measured in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../src/crypto/bytes.js';
import { asAddress } from '../src/crypto/primitives.js';
import { signTransaction } from '../src/types/transaction.js';
import { NODE_FLAGS } from '../src/cmd/node-flags.js';
import { testAccounts, type TestAccount } from '../tools/workload/accounts.js';

const GTOS = fileURLToPath(new URL('../src/cmd/gtos.js', import.meta.url));
const GAS_LIMIT = 1_000_000_000n;
/** Requests in flight (the workload: 4); BENCH_INFLIGHT overrides it to probe whether a node is latency-bound. */
const INFLIGHT = Number(process.env.BENCH_INFLIGHT ?? 4);

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

/** The anvil binary inside its npm package, when that dev dependency is installed. */
export function anvilPath(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@foundry-rs/anvil-linux-amd64/package.json');
    const bin = join(dirname(pkg), 'bin', 'anvil');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

interface RunningNode {
  url: string;
  pid: number;
  chainId: bigint;
  /** Gas of a plain transfer on this chain (GTOS dev: txGas 3000; anvil: 21000). */
  txGas: bigint;
  fund(accounts: readonly TestAccount[]): Promise<void>;
  stop(): Promise<void>;
}

function startChild(cmd: string, args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = ready.exec(out);
      if (m) {
        clearInterval(t);
        resolve({ child, out: () => out, match: m });
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`${cmd} exited:\n${out.slice(-3000)}`));
      }
    }, 50);
  });
}

const stopChild = async (child: ChildProcess) => {
  if (child.exitCode === null) child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
};

/** Extra V8/Node flags for the gtos child, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it. */
const extraNodeArgs = () => (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

async function startGtos(parallel: boolean, dir: string): Promise<RunningNode> {
  const args = ['--dev', '--datadir', dir, '--http', '--http.port', '0', '--verbosity', '1', '--dev.gaslimit', GAS_LIMIT.toString(), '--miner.gaslimit', GAS_LIMIT.toString(),
    '--txpool.globalslots', '400000', '--txpool.globalqueue', '400000', '--txpool.accountslots', '1000', '--txpool.accountqueue', '1000'];
  if (parallel) args.push('--txexec.parallel');
  const { child, out } = await startChild(process.execPath, [...NODE_FLAGS, ...extraNodeArgs(), GTOS, ...args], /JSON-RPC: (http:\/\/\S+)[\s\S]*Dev account: (0x[0-9a-f]{40})|Dev account: (0x[0-9a-f]{40})[\s\S]*JSON-RPC: (http:\/\/\S+)/);
  const url = /JSON-RPC: (http:\/\/\S+)/.exec(out())![1]!;
  const dev = /Dev account: (0x[0-9a-f]{40})/.exec(out())![1]!;
  return {
    url, pid: child.pid!, chainId: 1337n, txGas: 3000n,
    async fund(accounts) {
      for (let i = 0; i < accounts.length; i += 500) {
        await call(url, accounts.slice(i, i + 500).map((s, k) => ({ jsonrpc: '2.0', id: k, method: 'eth_sendTransaction', params: [{ from: dev, to: bytesToHex(s.address), value: '0x56bc75e2d63100000' }] })));
      }
      for (;;) {
        const st = await call(url, { jsonrpc: '2.0', id: 1, method: 'txpool_status', params: [] });
        if (Number(st.result.pending) === 0 && Number(st.result.queued) === 0) return;
        await new Promise((r) => setTimeout(r, 300));
      }
    },
    stop: () => stopChild(child),
  };
}

async function startAnvil(bin: string): Promise<RunningNode> {
  const { child, match } = await startChild(bin, ['--port', '0', '--block-time', '1', '--gas-limit', GAS_LIMIT.toString(), '--accounts', '1', '--chain-id', '31337', '--silent'].filter((a) => a !== '--silent'), /Listening on (\S+)/);
  const url = `http://${match[1]!}`;
  return {
    url, pid: child.pid!, chainId: 31337n, txGas: 21000n,
    async fund(accounts) {
      for (let i = 0; i < accounts.length; i += 500) {
        await call(url, accounts.slice(i, i + 500).map((s, k) => ({ jsonrpc: '2.0', id: k, method: 'anvil_setBalance', params: [bytesToHex(s.address), '0x56bc75e2d63100000'] })));
      }
    },
    stop: () => stopChild(child),
  };
}

export interface TpsResult {
  node: string;
  txs: number;
  accepted: number;
  /** Txs the generator got accepted per second (its send rate). */
  acceptedTps: number;
  mined: number;
  minedTps: number;
  blocks: number;
  peakBlockTxs: number;
  nodePeakRssMB: number;
  /** Cores the load generator kept busy while sending (CPU seconds / wall seconds). */
  generatorCores: number;
  /** Cores the node kept busy while the txs arrived (all its threads). */
  nodeCores: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 when unreadable). */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (100/s on Linux)
  } catch {
    return 0;
  }
}

/**
 * Pushes `raws` as batches of 250 with 4 in flight; then waits until all are
 * mined (or 60 s pass). The request bodies are built before the clock starts
 * and answers are counted without parsing, so the generator spends its CPU on
 * HTTP only; its CPU share and the node's are reported, to show which bounds.
 */
async function drive(name: string, node: RunningNode, raws: string[]): Promise<TpsResult> {
  const startBlock = Number((await call(node.url, { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] })).result);
  const bodies: { body: string; n: number }[] = [];
  for (let s = 0; s < raws.length; s += 250) {
    const batch = raws.slice(s, s + 250);
    bodies.push({ body: JSON.stringify(batch.map((r, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_sendRawTransaction', params: [r] }))), n: batch.length });
  }
  let next = 0;
  let accepted = 0;
  const genCpu0 = process.cpuUsage();
  const nodeCpu0 = cpuSeconds(node.pid);
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const { body, n } = bodies[next++]!;
      const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      accepted += n - (text.match(/"error"/g)?.length ?? 0);
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, () => worker()));
  const sendSecs = (performance.now() - t0) / 1000;
  const gen = process.cpuUsage(genCpu0);
  const generatorCpu = (gen.user + gen.system) / 1e6 / sendSecs;
  const nodeCpu = (cpuSeconds(node.pid) - nodeCpu0) / sendSecs;
  const perBlock: { txs: number; time: number }[] = [];
  let mined = 0;
  let n = startBlock + 1;
  const deadline = Date.now() + 60_000;
  while (mined < accepted && Date.now() < deadline) {
    const b = (await call(node.url, { jsonrpc: '2.0', id: 1, method: 'eth_getBlockByNumber', params: ['0x' + n.toString(16), false] })).result;
    if (!b) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    perBlock.push({ txs: b.transactions.length, time: Number(b.timestamp) });
    mined += b.transactions.length;
    n++;
  }
  // Blocks from the first to the last that carried the workload; each block spans its period.
  const busy = perBlock.filter((b) => b.txs > 0);
  const span = busy.length > 0 ? busy[busy.length - 1]!.time - busy[0]!.time + 1 : 1;
  return {
    node: name, txs: raws.length, accepted, acceptedTps: Math.round(accepted / sendSecs), mined, minedTps: Math.round(mined / span),
    blocks: busy.length, peakBlockTxs: Math.max(0, ...perBlock.map((b) => b.txs)), nodePeakRssMB: peakRssMB(node.pid),
    generatorCores: Number(generatorCpu.toFixed(2)), nodeCores: Number(nodeCpu.toFixed(2)),
  };
}

function signWorkload(senders: readonly TestAccount[], perSender: number, chainId: bigint, gas: bigint): string[] {
  const raws: string[] = [];
  for (let k = 0; k < perSender; k++) {
    for (const s of senders) {
      const to = asAddress(new Uint8Array(20).fill((k % 250) + 1));
      raws.push(bytesToHex(signTransaction({ type: 0, chainId, nonce: BigInt(k), gasPrice: 10n ** 10n, gasLimit: gas, to, value: 1n, data: new Uint8Array(0) }, s.key).encode()));
    }
  }
  return raws;
}

export async function runTpsBench(opts: { txs?: number; senders?: number; nodes?: ('serial' | 'parallel' | 'anvil')[] } = {}) {
  const nSenders = opts.senders ?? 2000;
  const perSender = Math.ceil((opts.txs ?? 60_000) / nSenders);
  const senders = testAccounts('tps', nSenders);
  const anvil = anvilPath();
  const wanted = opts.nodes ?? ['serial', 'parallel', 'anvil'];
  const results: TpsResult[] = [];
  for (const which of wanted) {
    if (which === 'anvil' && !anvil) {
      process.stdout.write('   anvil: skipped (dev dependency @foundry-rs/anvil-linux-amd64 not installed)\n');
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), 'gtos-tps-'));
    const node = which === 'anvil' ? await startAnvil(anvil!) : await startGtos(which === 'parallel', dir);
    try {
      await node.fund(senders);
      // Signed before the run, so signing competes with nobody.
      const raws = signWorkload(senders, perSender, node.chainId, node.txGas);
      const r = await drive(which === 'anvil' ? 'anvil' : `gtos-${which}`, node, raws);
      process.stdout.write(`   ${JSON.stringify(r)}\n`);
      results.push(r);
    } finally {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const by = (n: string) => results.find((r) => r.node === n);
  const ratio = (a?: TpsResult, b?: TpsResult) => (a && b && b.minedTps > 0 ? Number((a.minedTps / b.minedTps).toFixed(2)) : undefined);
  return {
    results,
    parallelOverSerial: ratio(by('gtos-parallel'), by('gtos-serial')),
    serialOverAnvil: ratio(by('gtos-serial'), by('anvil')),
    parallelOverAnvil: ratio(by('gtos-parallel'), by('anvil')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = process.argv.slice(2).filter((a) => ['serial', 'parallel', 'anvil'].includes(a)) as ('serial' | 'parallel' | 'anvil')[];
  console.log(await runTpsBench({ nodes: nodes.length ? nodes : undefined }));
}
