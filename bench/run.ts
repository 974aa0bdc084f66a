/**
 * `npm run bench`: runs every benchmark in one process and writes the figures
 * as JSON under bench/results/ with the machine's core count. Figures are
 * ratios measured in the same run (ours/oracle, parallel/serial).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runTrieBench } from './trie-bench.js';
import { setVerbosity } from '../src/util/log.js';
import { runImportBench } from './import-bench.js';
import { runTpsBench } from './tps-bench.js';
import { runSyncBench } from './sync-bench.js';
import { runFloodBench } from './flood-bench.js';
import { runLocalnetBench } from './localnet-bench.js';
import { runImportMemoryBench } from './import-memory-bench.js';
import { runStateMemoryBench } from './state-memory-bench.js';

const only = process.argv[2];
// The benches' own nodes log only warnings and errors, so the figures stay readable.
setVerbosity(2);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  node: process.version,
};

if (!only || only === 'trie') {
  process.stdout.write('== trie: 20k account updates over a 100k-account state, committed to LevelDB (ours vs @ethereumjs/mpt)\n');
  results.trie = await runTrieBench();
  process.stdout.write(JSON.stringify(results.trie) + '\n');
}
if (!only || only === 'import') {
  process.stdout.write('== import: serial vs parallel executor\n');
  results.import = await runImportBench();
}
if (!only || only === 'tps') {
  process.stdout.write('== end-to-end TPS: 60k pre-signed legacy transfers from 2,000 accounts over batched RPC (250 per batch, 4 in flight), 1 s blocks, gas limit 1e9; gtos serial, gtos parallel, anvil\n');
  results.tps = await runTpsBench();
  process.stdout.write(JSON.stringify(results.tps) + '\n');
}
if (!only || only === 'sync') {
  process.stdout.write('== sync: a node catching up 500 blocks × 1k transfers from a peer over libp2p, serial vs parallel executor\n');
  results.sync = await runSyncBench({ blocks: Number(process.env.SYNC_BLOCKS ?? 500) });
}
if (!only || only === 'localnet') {
  process.stdout.write('== localnet: three signer processes on these cores, 30k pre-signed transfers sent to node0 only (batches of 250, 4 in flight); mined TPS and how soon the other pools see the txs; serial, then parallel\n');
  results.localnet = { serial: await runLocalnetBench({ txs: 30_000, senders: 1000 }), parallel: await runLocalnetBench({ txs: 30_000, senders: 1000, parallel: true }) };
  process.stdout.write(JSON.stringify(results.localnet) + '\n');
}
if (!only || only === 'import-memory') {
  process.stdout.write('== import memory: `gtos import` of ~50 MB and ~400 MB chain files, peak RSS of the child (goal: within 100 MB of each other)\n');
  results.importMemory = await runImportMemoryBench();
  process.stdout.write(JSON.stringify(results.importMemory) + '\n');
}
if (!only || only === 'state-memory') {
  process.stdout.write('== state memory: `gtos import` (a child process, default --cache, --gcmode full) of 500 × 1k-transfer blocks whose state grows to ~520k accounts; tx/s and peak RSS, serial and parallel\n');
  results.stateMemory = await runStateMemoryBench({ blocks: Number(process.env.SYNC_BLOCKS ?? 500) });
  process.stdout.write(JSON.stringify(results.stateMemory) + '\n');
}
if (!only || only === 'flood') {
  process.stdout.write('== flood: 50k txs the node must reject (42k underpriced, 8k unfunded) over batched RPC; node RSS before/after\n');
  results.flood = await runFloodBench();
  process.stdout.write(JSON.stringify(results.flood) + '\n');
}
results.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}bench-${results.date as string}.json`.replace(/:/g, '-');
writeFileSync(file, JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
process.stdout.write(`cores=${results.cores} peakRSS=${results.peakRssMB}MB → ${file}\n`);
