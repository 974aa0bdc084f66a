/**
 * Sync throughput: a node catching up 500 blocks of 1k transfers from one
 * peer over real libp2p on loopback (range requests, import into a fresh
 * LevelDB), with the serial executor and with the parallel one, in one run.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Blockchain } from '../src/core/chain/blockchain.js';
import type { GcMode } from '../src/core/chain/state-retention.js';
import { TxExecutor } from '../src/core/executor/executor.js';
import { LevelDatabase } from '../src/state/database.js';
import { P2pNode } from '../src/network/host.js';
import { SyncDriver } from '../src/sync/driver.js';
import { buildChain } from './import-bench.js';

interface SyncRun {
  blocks: number;
  txs: number;
  ms: number;
  blocksPerSec: number;
  txPerSec: number;
  /** Where the importing node's time went (verify, body, recover, execute, validate, write). */
  chainMs: Record<string, number>;
  /** tx/s over the first and the last 100 blocks (does import slow down as the state grows?), and last/first. */
  first100TxPerSec: number;
  last100TxPerSec: number;
  lastOverFirst: number;
  /** The database's size after a clean stop, per tx imported. */
  diskBytesPerTx: number;
  diskMB: number;
  /** The process's resident set, sampled every 200 ms while this node synced (the builder is gone by then; the serving chain is not). */
  peakRssMB: number;
}

/** The largest RSS seen while `run` runs. */
async function sampleRss<T>(run: () => Promise<T>): Promise<{ value: T; peakRssMB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 200);
  try {
    const value = await run();
    return { value, peakRssMB: Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** tx/s between the end of block `from` and the end of block `to` (1-based, inclusive of `to`). */
function windowRate(ends: { t: number; txs: number }[], from: number, to: number, t0: number): number {
  const start = from === 0 ? t0 : ends[from - 1]!.t;
  let txs = 0;
  for (let i = from; i < to; i++) txs += ends[i]!.txs;
  return Math.round((txs / (ends[to - 1]!.t - start)) * 1000);
}

async function syncOnce(server: P2pNode, genesis: Parameters<typeof Blockchain.open>[0]['genesis'], target: bigint, exec: TxExecutor, gcmode: GcMode): Promise<SyncRun> {
  // What the previous run left for the collector is not this run's.
  (globalThis as { gc?: () => void }).gc?.();
  const { value, peakRssMB } = await sampleRss(() => syncInto(server, genesis, target, exec, gcmode));
  return { ...value, peakRssMB };
}

async function syncInto(server: P2pNode, genesis: Parameters<typeof Blockchain.open>[0]['genesis'], target: bigint, exec: TxExecutor, gcmode: GcMode): Promise<Omit<SyncRun, 'peakRssMB'>> {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-bench-sync-'));
  const db = await LevelDatabase.open(dir);
  let node: P2pNode | undefined;
  try {
    const chain = await Blockchain.open({ db, genesis, executor: exec, recoverSenders: (t, c) => exec.recoverSenders(t, c), gcmode, rootWorker: exec.config.parallel ? () => exec.spareCore() : false });
    // The server as a bootnode too, as a real node has one: a dropped connection is redialed.
    node = await P2pNode.start(chain, { port: 0, networkId: chain.config.chainId, bootnodes: [server.libp2p.getMultiaddrs()[0]!.toString()] });
    new SyncDriver(node, { prefetch: (b) => exec.prefetch(b, chain.config.chainId) });
    let txs = 0;
    const ends: { t: number; txs: number }[] = [];
    chain.on('head', (ev: { added: { transactions: unknown[] }[] }) => {
      for (const b of ev.added) {
        txs += b.transactions.length;
        ends.push({ t: performance.now(), txs: b.transactions.length });
      }
    });
    const done = new Promise<void>((resolve) => chain.on('head', () => chain.currentHeader().number >= target && resolve()));
    const t0 = performance.now();
    // Peers dropped or banned on either side are printed: a sync that loses its only peer stalls.
    const said = (side: string, what: string) => (_peer: string, why: string) =>
      process.stdout.write(`  ${side} ${what} its peer at block ${chain.currentHeader().number}: ${why}\n`);
    const listeners = [[node, 'importer'], [server, 'server']].flatMap(([n, side]) =>
      (['drop', 'ban'] as const).map((what) => {
        const fn = said(side as string, what === 'drop' ? 'dropped' : 'banned');
        (n as P2pNode).on(what, fn);
        return () => (n as P2pNode).off(what, fn);
      }));
    await node.dial(server.libp2p.getMultiaddrs()[0]!);
    // A sync that stops moving is reported with what the node knows, instead of a silent hang.
    let lastHead = -1n, still = 0;
    const watchdog = setInterval(() => {
      const h = chain.currentHeader().number;
      still = h === lastHead ? still + 1 : 0;
      lastHead = h;
      if (still === 6) process.stdout.write(`  sync stalled at block ${h} for 60 s: ${node?.libp2p.getConnections().length ?? 0} connections, ${node?.peers.size ?? 0} peers with status\n`);
    }, 10_000);
    try {
      await done;
    } finally {
      clearInterval(watchdog);
      for (const off of listeners) off();
    }
    const ms = performance.now() - t0;
    const blocks = Number(target);
    const chainMs = Object.fromEntries(Object.entries(chain.timings).map(([k, v]) => [k, Math.round(v)]));
    const w = Math.min(100, ends.length);
    const first100TxPerSec = windowRate(ends, 0, w, t0);
    const last100TxPerSec = windowRate(ends, ends.length - w, ends.length, t0);
    await node.stop();
    node = undefined;
    await chain.stop();
    const bytes = dirBytes(dir);
    return {
      blocks, txs, ms: Math.round(ms), blocksPerSec: +((blocks / ms) * 1000).toFixed(1), txPerSec: Math.round((txs / ms) * 1000), chainMs,
      first100TxPerSec, last100TxPerSec, lastOverFirst: +(last100TxPerSec / first100TxPerSec).toFixed(2),
      diskBytesPerTx: Math.round(bytes / txs), diskMB: Math.round(bytes / 2 ** 20),
    };
  } finally {
    await node?.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runSyncBench(opts: { blocks?: number; txsPerBlock?: number; workers?: number } = {}) {
  const blocks = opts.blocks ?? 500;
  const size = opts.txsPerBlock ?? 1000;
  const workers = opts.workers ?? Math.max(1, availableParallelism() - 1);
  process.stdout.write(`building ${blocks} blocks of ${size} transfers...\n`);
  const serverDir = mkdtempSync(join(tmpdir(), 'gtos-bench-serve-'));
  const serverDb = await LevelDatabase.open(serverDir);
  const t0 = performance.now();
  // Only the head number and genesis outlive the build (see below).
  const { target, genesis } = await buildChain(size, blocks, 'none', 20000, {
    db: serverDb, keepBlocks: false,
    progress: (n) => n % 50 === 0 && process.stdout.write(`  built ${n} blocks (${Math.round((performance.now() - t0) / 1000)} s)\n`),
  }).then(({ builder, genesis: g }) => ({ target: builder.chain.currentHeader().number, genesis: g }));
  // Serve from a freshly opened chain: the builder's decoded tries and caches would otherwise
  // share the heap (and the garbage collector) with the node being measured.
  const buildPeakMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const served = await Blockchain.open({ db: serverDb });
  const server = await P2pNode.start(served, { port: 0, networkId: served.config.chainId });
  const serial = new TxExecutor({ parallel: false });
  const parallel = new TxExecutor({ parallel: true, workers });
  try {
    // The node's default (pruning) for both executors, then the archive mode for the serial one.
    const s = await syncOnce(server, genesis, target, serial, 'full');
    process.stdout.write(`sync serial (gcmode full):    ${JSON.stringify(s)}\n`);
    const p = await syncOnce(server, genesis, target, parallel, 'full');
    process.stdout.write(`sync parallel (gcmode full):  ${JSON.stringify(p)}\n`);
    const a = await syncOnce(server, genesis, target, serial, 'archive');
    process.stdout.write(`sync serial (gcmode archive): ${JSON.stringify(a)}\n`);
    const ratio = +(p.txPerSec / s.txPerSec).toFixed(2);
    const fullOverArchive = +(s.txPerSec / a.txPerSec).toFixed(2);
    const diskFullOverArchive = +(s.diskBytesPerTx / a.diskBytesPerTx).toFixed(2);
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stdout.write(`sync parallel/serial = ${ratio} (last 100 blocks: ${(p.last100TxPerSec / s.last100TxPerSec).toFixed(2)}), serial full/archive = ${fullOverArchive}, disk bytes/tx full/archive = ${diskFullOverArchive}, peak RSS while syncing serial/parallel/archive ${s.peakRssMB}/${p.peakRssMB}/${a.peakRssMB} MB (server included), bench process peak ${peakRssMB} MB (the builder's included: ${buildPeakMB} MB after building)\n`);
    return { workers, blocks, txsPerBlock: size, serial: s, parallel: p, serialArchive: a, ratio, fullOverArchive, diskFullOverArchive, peakRssMB, buildPeakMB };
  } finally {
    await server.stop();
    await serial.close();
    await parallel.close();
    await serverDb.close();
    rmSync(serverDir, { recursive: true, force: true });
  }
}
