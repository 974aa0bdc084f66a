/**
 * The node's Prometheus metrics: one prom-client Registry per node (never
 * the global default, so two nodes in one process, or tests, do not share
 * counters), default process metrics, and typed metric objects grouped by
 * area, passed to whoever records. Our names all start with `gtos_`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FallbackReason } from '../core/executor/pool/job.js';
import type { Phase } from '../core/executor/stats.js';
import type { GossipTopicKind } from '../network/gossip/topics.js';
import type { Verdict } from '../network/gossip/validation.js';

/** Latency buckets in seconds: sub-millisecond RPC reads up to multi-second block imports. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every member of a string union, checked by the compiler: a key missing from (or extra in) `all` fails the build. */
const every = <T extends string>(all: Record<T, true>): T[] => Object.keys(all) as T[];

export type ExecutorLane = 'transfer' | 'serial';
export type ExecutorPhase = Phase;
/** imported: insertBlock (gossip, range sync, file import, head repair); mined: sealed and written by this node. */
export type BlockOrigin = 'imported' | 'mined';

// The closed label sets. Each series exists (at 0) from the first scrape, so a
// rate() or increase() alert means something before the first event.
export const EXECUTOR_LANES = every<ExecutorLane>({ transfer: true, serial: true });
export const EXECUTOR_PHASES = every<ExecutorPhase>({ recover: true, classify: true, precheck: true, compute: true, merge: true, shadow: true });
export const FALLBACK_REASONS = every<FallbackReason>({
  'worker-error': true, 'worker-exit': true, 'worker-timeout': true, 'pool-closed': true, precheck: true, 'result-mismatch': true,
});
export const BLOCK_ORIGINS = every<BlockOrigin>({ imported: true, mined: true });
export const GOSSIP_TOPICS = every<GossipTopicKind>({ blocks: true, txs: true });
/** Inbound messages get a validation verdict; outbound ones are only ever 'sent'. */
export const GOSSIP_SERIES: readonly { direction: 'in' | 'out'; verdict: Verdict | 'sent' }[] = [
  ...every<Verdict>({ accept: true, ignore: true, reject: true }).map((verdict) => ({ direction: 'in' as const, verdict })),
  { direction: 'out', verdict: 'sent' },
];

export interface P2pMetrics {
  peers: Gauge;
  gossip: Counter<'topic' | 'direction' | 'verdict'>;
  syncing: Gauge;
  syncCurrent: Gauge;
  syncHighest: Gauge;
  syncedBlocks: Counter;
  bans: Counter;
}

export interface Metrics {
  registry: Registry;
  rpc: {
    requests: Counter<'method' | 'result'>;
    latency: Histogram<'method'>;
  };
  chain: {
    head: Gauge;
    /** Labelled by origin: BlockOrigin. */
    blocks: Counter<'origin'>;
    txs: Counter<'origin'>;
    processSeconds: Histogram<'origin'>;
    txsPerBlock: Histogram;
  };
  txpool: {
    pending: Gauge;
    queued: Gauge;
  };
  miner: {
    blocksMined: Counter;
    buildSeconds: Histogram;
  };
  executor: {
    batches: Counter;
    inlineBatches: Counter;
    /** Labelled by lane: ExecutorLane. */
    txs: Counter<'lane'>;
    batchSize: Histogram;
    fallbacks: Counter<'reason'>;
    shadowChecks: Counter;
    shadowMismatches: Counter;
    /** Labelled by phase: ExecutorPhase. */
    phaseSeconds: Histogram<'phase'>;
    poolSize: Gauge;
    queueDepth: Gauge;
  };
  state: {
    /** Labelled by where: worker (the state-root worker) | main (a failed worker's fallback). */
    rootsOffThread: Counter<'where'>;
    flatRebuilds: Counter;
    flatLayers: Gauge;
    /** Labelled by path (main|worker): what the root-path chooser measured, main-thread µs per tx. */
    rootCost: Gauge<'path'>;
  };
  /** Only on a node that runs a p2p host: a dev node would otherwise export peers 0 forever. */
  p2p?: P2pMetrics;
}

export interface MetricsOptions {
  /** Register the p2p families (the node passes whether it starts a p2p host). */
  p2p?: boolean;
}

/**
 * prom-client's nodejs_active_{handles,requests,resources}_total are gauges,
 * and promtool rejects `_total` on anything but a counter. Their per-type
 * siblings (nodejs_active_handles{type}) carry the same counts: sum() them.
 */
function dropMisnamedDefaults(registry: Registry): void {
  for (const m of registry.getMetricsAsArray()) {
    if (m.name.endsWith('_total') && String(m.type) !== 'counter') registry.removeSingleMetric(m.name);
  }
}

export function createMetricsRegistry(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  dropMisnamedDefaults(registry);
  const registers = [registry];
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  const histogram = <L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  const chain: Metrics['chain'] = {
    head: gauge('gtos_chain_head_block', 'Number of the canonical head block'),
    blocks: counter('gtos_chain_blocks_processed_total', 'Blocks executed and written, by origin (imported|mined)', ['origin']),
    txs: counter('gtos_chain_txs_total', 'Transactions in processed blocks, by origin (imported|mined); rate() is tx/s', ['origin']),
    processSeconds: histogram(
      'gtos_chain_block_import_seconds',
      'Time to process a block by origin: verify, execute, validate and write (imported); assemble and write (mined)',
      SECONDS, ['origin'],
    ),
    txsPerBlock: histogram('gtos_chain_block_transactions', 'Transactions per processed block', [0, 1, 10, 100, 1000, 2500, 5000, 10000, 20000]),
  };
  const executor: Metrics['executor'] = {
    batches: counter('gtos_txexec_batches_total', 'Micro-batches run on the parallel path'),
    inlineBatches: counter('gtos_txexec_inline_batches_total', 'Micro-batches computed on the main thread'),
    txs: counter('gtos_txexec_txs_total', 'Transactions executed by lane (transfer|serial)', ['lane']),
    batchSize: histogram('gtos_txexec_batch_size', 'Transactions per micro-batch', [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]),
    fallbacks: counter('gtos_txexec_fallbacks_total', 'Batches re-run serially, by reason', ['reason']),
    shadowChecks: counter('gtos_txexec_shadow_checks_total', 'Blocks verified against the serial reference'),
    shadowMismatches: counter('gtos_txexec_shadow_mismatches_total', 'Shadow verifications that found a difference'),
    phaseSeconds: histogram('gtos_txexec_phase_seconds', 'Executor time per phase (recover|classify|precheck|compute|merge|shadow)', SECONDS, ['phase']),
    poolSize: gauge('gtos_txexec_workers', 'Worker threads in the executor pool'),
    queueDepth: gauge('gtos_txexec_queue_depth', 'Jobs waiting for a worker'),
  };
  for (const origin of BLOCK_ORIGINS) {
    chain.blocks.inc({ origin }, 0);
    chain.txs.inc({ origin }, 0);
    chain.processSeconds.zero({ origin });
  }
  const state: Metrics['state'] = {
    rootsOffThread: counter('gtos_state_root_offthread_total', 'State roots sent to the state-root worker, by where they were computed (worker|main: the worker failed)', ['where']),
    flatRebuilds: counter('gtos_state_flat_rebuilds_total', 'Times the flat state was rebuilt from the trie (start after an unclean stop, reorg below its disk layer)'),
    flatLayers: gauge('gtos_state_flat_layers', 'Flat-state layers in memory (diff layers and the disk layer)'),
    rootCost: new Gauge({ name: 'gtos_state_root_cost_us_per_tx', help: 'Main-thread time a state root has lately cost per tx, by path (main: computed here; worker: the idle wait for the state-root worker); the cheaper path is used', labelNames: ['path'], registers }),
  };
  for (const where of ['worker', 'main']) state.rootsOffThread.inc({ where }, 0);
  for (const lane of EXECUTOR_LANES) executor.txs.inc({ lane }, 0);
  for (const reason of FALLBACK_REASONS) executor.fallbacks.inc({ reason }, 0);
  for (const phase of EXECUTOR_PHASES) executor.phaseSeconds.zero({ phase });

  let p2p: P2pMetrics | undefined;
  if (opts.p2p) {
    p2p = {
      peers: gauge('gtos_p2p_peers', 'Connected peers'),
      gossip: counter('gtos_p2p_gossip_messages_total', 'Gossip messages by topic, direction (in|out) and verdict', ['topic', 'direction', 'verdict']),
      syncing: gauge('gtos_p2p_syncing', '1 while catching up from a peer, else 0'),
      syncCurrent: gauge('gtos_p2p_sync_current_block', 'Head block during the current (or last) sync'),
      syncHighest: gauge('gtos_p2p_sync_highest_block', 'Highest block announced by the peer being synced from'),
      syncedBlocks: counter('gtos_p2p_synced_blocks_total', 'Blocks imported by range sync'),
      bans: counter('gtos_p2p_bans_total', 'Peers disconnected and banned for misbehaviour'),
    };
    for (const topic of GOSSIP_TOPICS) for (const s of GOSSIP_SERIES) p2p.gossip.inc({ topic, ...s }, 0);
  }

  return {
    registry,
    rpc: {
      // Method names are open-ended (whatever clients send): these series appear on first use.
      requests: counter('gtos_rpc_requests_total', 'JSON-RPC calls by method and result (ok|error)', ['method', 'result']),
      latency: histogram('gtos_rpc_duration_seconds', 'JSON-RPC call handling time by method', SECONDS, ['method']),
    },
    chain,
    txpool: {
      pending: gauge('gtos_txpool_pending', 'Executable transactions in the pool'),
      queued: gauge('gtos_txpool_queued', 'Non-executable transactions in the pool'),
    },
    miner: {
      blocksMined: counter('gtos_miner_blocks_total', 'Blocks sealed by this node'),
      buildSeconds: histogram('gtos_miner_block_build_seconds', 'Time to assemble a block', SECONDS),
    },
    executor,
    state,
    p2p,
  };
}

/** One processed block, whichever way it reached the chain: the import and mined paths feed the same families. */
export function observeProcessedBlock(chain: Metrics['chain'], origin: BlockOrigin, txs: number, seconds: number): void {
  chain.blocks.inc({ origin });
  chain.txs.inc({ origin }, txs);
  chain.processSeconds.observe({ origin }, seconds);
  chain.txsPerBlock.observe(txs);
}
