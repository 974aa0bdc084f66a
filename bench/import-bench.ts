/**
 * Import throughput, serial vs parallel, in one run (the plan's
 * BenchmarkSerialVsParallelTransfer): chains of 1k/5k/10k-transfer blocks ×
 * {no hotspot, 50 % to one hot recipient, 100 % to one hot recipient, 100 %
 * from one hot sender}, each imported into a fresh LevelDB by the serial
 * reference and by the parallel executor, senders recovered from scratch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Blockchain } from '../src/core/chain/blockchain.js';
import type { GcMode } from '../src/core/chain/state-retention.js';
import { TxExecutor } from '../src/core/executor/executor.js';
import { RootPathChooser } from '../src/state/root-worker/root-path-chooser.js';
import { decodeBlock, encodeBlock, type Block } from '../src/types/block.js';
import { asAddress } from '../src/crypto/primitives.js';
import { LevelDatabase, MemoryDatabase, type KeyValueStore } from '../src/state/database.js';
import { ChainBuilder, type ChainSpec } from '../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer, type TestAccount } from '../tools/workload/accounts.js';
import { Rng } from '../tools/workload/rng.js';

export type Hotspot = 'none' | 'hot-recipient-50' | 'hot-recipient-100' | 'hot-sender';

const ETHER = 10n ** 18n;

export interface ImportRun {
  txs: number;
  ms: number;
  txPerSec: number;
  phaseMs?: Record<string, number>;
  chainMs?: Record<string, number>;
  fallbacks?: Record<string, number>;
}

function makeTxs(rng: Rng, hot: Hotspot, n: number, senders: TestAccount[], hotAcc: TestAccount, hotTo: Uint8Array, cursor: { i: number }) {
  const txs = [];
  for (let k = 0; k < n; k++) {
    const from = hot === 'hot-sender' ? hotAcc : senders[cursor.i++ % senders.length]!;
    const toHot = hot === 'hot-recipient-100' || (hot === 'hot-recipient-50' && rng.bool(0.5));
    const to = asAddress(toHot ? hotTo : rng.bytes(20));
    txs.push(transfer(from, to, 1n + rng.bigint(1000n), 1337n, { type: k % 2 === 0 ? 2 : 0, gasLimit: 21000n, gasPrice: 50_000_000_000n, maxFeePerGas: 50_000_000_000n }));
  }
  return txs;
}

/** Builds `blocks` blocks of `size` transfers; returns their encodings (decoded fresh for every import). */
export async function buildChain(
  size: number, blocks: number, hot: Hotspot, accounts: number,
  opts: { db?: KeyValueStore; keepBlocks?: boolean; progress?: (done: number) => void } = {},
): Promise<{ encoded: Uint8Array[]; genesis: ChainBuilder['genesis']; builder: ChainBuilder; spec: ChainSpec }> {
  const signer = testAccount('bench-signer');
  const senders = testAccounts('bench-sender', Math.max(size, 1));
  const hotAcc = testAccount('bench-hot-sender');
  const extra = testAccounts('bench-holder', Math.max(0, accounts - senders.length));
  const alloc = [...senders, hotAcc, ...extra].map((a) => ({ address: a.address, balance: 1000n * ETHER }));
  const spec: ChainSpec = { signers: [signer], alloc, gasLimit: 2n * BigInt(size) * 21000n + 1_000_000n };
  const b = await ChainBuilder.create(spec, opts.db ?? new MemoryDatabase());
  const rng = new Rng(size * 7 + blocks);
  const hotTo = rng.bytes(20);
  const cursor = { i: 0 };
  const encoded: Uint8Array[] = [];
  for (let i = 0; i < blocks; i++) {
    const blk = await b.addBlock(makeTxs(rng, hot, size, senders, hotAcc, hotTo, cursor));
    if (opts.keepBlocks !== false) encoded.push(encodeBlock(blk));
    // The chain holds the blocks; the builder's copy of every decoded tx would only cost memory.
    b.blocks.length = 0;
    opts.progress?.(i + 1);
  }
  return { encoded, genesis: b.genesis, builder: b, spec };
}

/** `gcmode` as the node's (default 'full', the node's default): archive writes every trie node of every block. */
/** One chooser of state-root paths per executor: what a chain measured carries over to the next import. */
const rootPathsOf = new WeakMap<TxExecutor, RootPathChooser>();

export async function importOnce(encoded: Uint8Array[], genesis: ChainBuilder['genesis'], exec: TxExecutor, gcmode: GcMode = 'full', chainOpts: { flatState?: boolean; rootWorker?: boolean | (() => boolean) } = {}): Promise<ImportRun> {
  let rootPaths = rootPathsOf.get(exec);
  if (!rootPaths) rootPathsOf.set(exec, (rootPaths = new RootPathChooser()));
  const dir = mkdtempSync(join(tmpdir(), 'gtos-bench-'));
  const db = await LevelDatabase.open(dir);
  try {
    const chain = await Blockchain.open({ rootWorker: exec.config.parallel ? () => exec.spareCore() : false, rootPaths, ...chainOpts, db, genesis, executor: exec, recoverSenders: (t, c) => exec.recoverSenders(t, c), gcmode });
    const blocks: Block[] = encoded.map((e) => decodeBlock(e));
    const before = { ...exec.stats.phaseMs };
    const fb = { ...exec.stats.fallbacks };
    const t0 = performance.now();
    let txs = 0;
    for (let i = 0; i < blocks.length; i++) {
      exec.prefetch(blocks.slice(i, i + 3), chain.config.chainId);
      await chain.insertBlock(blocks[i]!);
      txs += blocks[i]!.transactions.length;
    }
    await chain.stop();
    const ms = performance.now() - t0;
    const chainMs = Object.fromEntries(Object.entries(chain.timings).map(([k, v]) => [k, Math.round(v)]));
    const phaseMs: Record<string, number> = {};
    for (const [k, v] of Object.entries(exec.stats.phaseMs)) phaseMs[k] = Math.round(v - (before as Record<string, number>)[k]!);
    const fallbacks: Record<string, number> = {};
    for (const [k, v] of Object.entries(exec.stats.fallbacks)) fallbacks[k] = (v ?? 0) - ((fb as Record<string, number>)[k] ?? 0);
    return { txs, ms: Math.round(ms), txPerSec: Math.round((txs / ms) * 1000), phaseMs, chainMs, fallbacks };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runImportBench(opts: { sizes?: number[]; hotspots?: Hotspot[]; txsPerCase?: number; workers?: number } = {}) {
  const sizes = opts.sizes ?? [1000, 5000, 10000];
  const hotspots = opts.hotspots ?? ['none', 'hot-recipient-50', 'hot-recipient-100', 'hot-sender'];
  const perCase = opts.txsPerCase ?? 30000;
  const workers = opts.workers ?? Math.max(1, availableParallelism() - 1);
  const serial = new TxExecutor({ parallel: false });
  const parallel = new TxExecutor({ parallel: true, workers });
  const rows: Record<string, unknown>[] = [];
  try {
    for (const size of sizes) {
      for (const hot of hotspots) {
        const blocks = Math.max(3, Math.ceil(perCase / size));
        const { encoded, genesis } = await buildChain(size, blocks, hot, 20000);
        // Warm-up pass on the parallel pool, then measured passes in alternating order.
        await importOnce(encoded.slice(0, 1), genesis, parallel);
        const s = await importOnce(encoded, genesis, serial);
        const p = await importOnce(encoded, genesis, parallel);
        const row = { size, hotspot: hot, blocks, serialTxPerSec: s.txPerSec, parallelTxPerSec: p.txPerSec, ratio: +(p.txPerSec / s.txPerSec).toFixed(2), serialPhaseMs: s.phaseMs, parallelPhaseMs: p.phaseMs, serialChainMs: s.chainMs, parallelChainMs: p.chainMs, fallbacks: p.fallbacks };
        rows.push(row);
        process.stdout.write(`import size=${size} hotspot=${hot} serial=${s.txPerSec} tx/s parallel=${p.txPerSec} tx/s ratio=${row.ratio}\n`);
      }
    }
  } finally {
    await serial.close();
    await parallel.close();
  }
  return { workers, rows };
}
