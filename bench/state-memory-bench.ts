/**
 * A node's memory and speed as its state grows, measured on the CLI as a
 * child process at the default `--cache` and `--gcmode full`: a chain of
 * 1k-transfer blocks, each sending to 1k fresh accounts (500 blocks end near
 * 520k accounts), is exported to a file and imported by `gtos import`, serial
 * and with `--txexec.parallel`. Reported per run: tx/s, and the child's peak
 * RSS (VmHWM) and peak anonymous memory (without the table files LevelDB maps).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeChainFile } from '../src/core/chain/chain-file.js';
import { LevelDatabase } from '../src/state/database.js';
import { encodeBlock } from '../src/types/block.js';
import { genesisJson } from '../tools/workload/chain-builder.js';
import { buildChain } from './import-bench.js';
import { runCli } from './import-memory-bench.js';

export interface StateMemoryRun {
  mode: 'serial' | 'parallel';
  blocks: number;
  txs: number;
  seconds: number;
  txPerSec: number;
  peakRssMB: number;
  peakAnonMB: number;
}

export async function runStateMemoryBench(opts: { blocks?: number } = {}) {
  const blocks = opts.blocks ?? 500;
  const size = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'gtos-state-mem-'));
  try {
    const db = await LevelDatabase.open(join(dir, 'build'));
    const t0 = performance.now();
    const { builder, spec } = await buildChain(size, blocks, 'none', 20000, {
      db, keepBlocks: false,
      progress: (n) => n % 100 === 0 && process.stdout.write(`  built ${n} blocks (${Math.round((performance.now() - t0) / 1000)} s)\n`),
    });
    const file = join(dir, 'chain.rlp');
    await writeChainFile(file, blocks, (i) => encodeBlock(builder.chain.getBlockByNumber(BigInt(i + 1))!));
    await builder.chain.stop();
    await db.close();
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, JSON.stringify(genesisJson(spec)));
    const runs: StateMemoryRun[] = [];
    for (const mode of ['serial', 'parallel'] as const) {
      const datadir = join(dir, `node-${mode}`);
      const init = await runCli(['init', genesisFile, '--datadir', datadir, '--verbosity', '1']);
      if (init.code !== 0) throw new Error(`init failed:\n${init.out}`);
      const t1 = performance.now();
      const r = await runCli(['import', file, '--datadir', datadir, '--verbosity', '1', ...(mode === 'parallel' ? ['--txexec.parallel'] : [])]);
      if (r.code !== 0) throw new Error(`import failed:\n${r.out}`);
      const seconds = (performance.now() - t1) / 1000;
      const run: StateMemoryRun = { mode, blocks, txs: blocks * size, seconds: +seconds.toFixed(1), txPerSec: Math.round((blocks * size) / seconds), peakRssMB: r.peakRssMB, peakAnonMB: r.peakAnonMB };
      process.stdout.write(`state-memory: ${JSON.stringify(run)}\n`);
      runs.push(run);
      rmSync(datadir, { recursive: true, force: true });
    }
    return { runs, parallelOverSerial: +(runs[1]!.txPerSec / runs[0]!.txPerSec).toFixed(2) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
