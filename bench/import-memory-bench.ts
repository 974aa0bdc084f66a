/**
 * `gtos import` memory against file size: chain files of about 50 MB and
 * 400 MB (blocks of 25 system-action txs of 60 KB each, ~1.5 MB a block, under the gas target so the base fee stays low, so
 * the file is large while execution stays cheap) are imported by the CLI as
 * a child process; reported per file: blocks, seconds and the child's peak
 * RSS (VmHWM), and the difference between the two peaks (the goal: within
 * 100 MB, i.e. the import streams instead of reading the file whole).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChainFile } from '../src/core/chain/chain-file.js';
import { LevelDatabase } from '../src/state/database.js';
import { SYSTEM_ACTION_ADDRESS } from '../src/sysaction/addresses.js';
import { encodeBlock } from '../src/types/block.js';
import { NODE_FLAGS } from '../src/cmd/node-flags.js';
import { ChainBuilder, genesisJson, type ChainSpec } from '../tools/workload/chain-builder.js';
import { testAccounts, transfer } from '../tools/workload/accounts.js';

const GTOS = fileURLToPath(new URL('../src/cmd/gtos.js', import.meta.url));

export interface ImportMemoryRun {
  fileMB: number;
  blocks: number;
  seconds: number;
  peakRssMB: number;
  /** Anonymous memory only (heap, buffers, LevelDB's own), without the file pages LevelDB maps to read its tables. */
  peakAnonMB: number;
}

function statusMB(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CLI to completion; the peak RSS is the last high-water mark read before it exits (it only grows). */
export function runCli(args: string[]): Promise<{ code: number | null; out: string; peakRssMB: number; peakAnonMB: number }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), GTOS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let peak = 0;
  let anon = 0;
  child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  const t = setInterval(() => {
    peak = Math.max(peak, statusMB(child.pid!, 'VmHWM') ?? 0);
    anon = Math.max(anon, statusMB(child.pid!, 'RssAnon') ?? 0);
  }, 50);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearInterval(t);
    resolve({ code, out, peakRssMB: peak, peakAnonMB: anon });
  }));
}

async function buildFile(dir: string, targetMB: number, spec: ChainSpec, senders: ReturnType<typeof testAccounts>): Promise<{ file: string; blocks: number }> {
  const db = await LevelDatabase.open(join(dir, `build-${targetMB}`));
  try {
    for (const s of senders) s.nonce = 0n;
    const b = await ChainBuilder.create(spec, db);
    const pad = 'x'.repeat(60_000);
    const data = new TextEncoder().encode(JSON.stringify({ action: 'AGENT_REGISTER', payload: { pad } }));
    const blocks = Math.ceil((targetMB * 1024 * 1024) / 1_504_000);
    for (let i = 0; i < blocks; i++) {
      await b.addBlock(senders.map((s) => transfer(s, SYSTEM_ACTION_ADDRESS, 0n, 1337n, { data, gasLimit: 1_100_000n, type: 0, gasPrice: 10n ** 9n })));
      b.blocks.length = 0;
    }
    const file = join(dir, `chain-${targetMB}.rlp`);
    await writeChainFile(file, blocks, (i) => encodeBlock(b.chain.getBlockByNumber(BigInt(i + 1))!));
    return { file, blocks };
  } finally {
    await db.close();
  }
}

export async function runImportMemoryBench(opts: { sizesMB?: number[] } = {}) {
  const sizes = opts.sizesMB ?? [50, 400];
  const dir = mkdtempSync(join(tmpdir(), 'gtos-import-mem-'));
  const senders = testAccounts('import-mem', 25);
  const spec: ChainSpec = { signers: [senders[0]!], alloc: senders.map((s) => ({ address: s.address, balance: 10n ** 24n })), gasLimit: 60_000_000n };
  const genesisFile = join(dir, 'genesis.json');
  writeFileSync(genesisFile, JSON.stringify(genesisJson(spec)));
  const runs: ImportMemoryRun[] = [];
  try {
    for (const mb of sizes) {
      const { file, blocks } = await buildFile(dir, mb, spec, senders);
      const datadir = join(dir, `node-${mb}`);
      const init = await runCli(['init', genesisFile, '--datadir', datadir, '--verbosity', '1']);
      if (init.code !== 0) throw new Error(`init failed:\n${init.out}`);
      const t0 = performance.now();
      const r = await runCli(['import', file, '--datadir', datadir, '--verbosity', '1']);
      if (r.code !== 0) throw new Error(`import failed:\n${r.out}`);
      const run = { fileMB: Math.round(statSync(file).size / 1024 / 1024), blocks, seconds: +((performance.now() - t0) / 1000).toFixed(1), peakRssMB: r.peakRssMB, peakAnonMB: r.peakAnonMB };
      process.stdout.write(`import-memory: ${JSON.stringify(run)}\n`);
      runs.push(run);
      rmSync(file, { force: true });
      rmSync(datadir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
  return { runs, peakSpreadMB: spread(runs.map((r) => r.peakRssMB)), anonSpreadMB: spread(runs.map((r) => r.peakAnonMB)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runImportMemoryBench()));
}
