/**
 * The node's Prometheus metrics: one prom-client Registry per node (never
 * the global default, so two nodes in one process, or tests, do not share
 * counters), default process metrics, and typed metric objects grouped by
 * area, passed to whoever records. Our names all start with `gtos_`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds: sub-millisecond RPC reads up to multi-second block imports. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ExecutorLane = 'transfer' | 'serial';
export type ExecutorPhase = 'recover' | 'classify' | 'precheck' | 'compute' | 'merge' | 'shadow';

export interface Metrics {
  registry: Registry;
  rpc: {
    requests: Counter<'method' | 'result'>;
    latency: Histogram<'method'>;
  };
  chain: {
    head: Gauge;
    importSeconds: Histogram;
    txsPerBlock: Histogram;
    txPerSecond: Gauge;
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
  p2p: {
    peers: Gauge;
    gossip: Counter<'topic' | 'direction' | 'verdict'>;
    syncing: Gauge;
    syncCurrent: Gauge;
    syncHighest: Gauge;
    syncedBlocks: Counter;
    bans: Counter;
  };
}

export function createMetricsRegistry(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers });
  const histogram = <L extends string = never>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });

  return {
    registry,
    rpc: {
      requests: counter('gtos_rpc_requests_total', 'JSON-RPC calls by method and result (ok|error)', ['method', 'result']),
      latency: histogram('gtos_rpc_duration_seconds', 'JSON-RPC call handling time by method', SECONDS, ['method']),
    },
    chain: {
      head: gauge('gtos_chain_head_block', 'Number of the canonical head block'),
      importSeconds: histogram('gtos_chain_block_import_seconds', 'Time to verify, execute, validate and write a block', SECONDS),
      txsPerBlock: histogram('gtos_chain_block_transactions', 'Transactions per imported block', [0, 1, 10, 100, 1000, 2500, 5000, 10000, 20000]),
      txPerSecond: gauge('gtos_chain_import_tx_per_second', 'Transactions per second of the last imported block (its txs over its import time)'),
    },
    txpool: {
      pending: gauge('gtos_txpool_pending', 'Executable transactions in the pool'),
      queued: gauge('gtos_txpool_queued', 'Non-executable transactions in the pool'),
    },
    miner: {
      blocksMined: counter('gtos_miner_blocks_total', 'Blocks sealed by this node'),
      buildSeconds: histogram('gtos_miner_block_build_seconds', 'Time to assemble a block', SECONDS),
    },
    executor: {
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
    },
    p2p: {
      peers: gauge('gtos_p2p_peers', 'Connected peers'),
      gossip: counter('gtos_p2p_gossip_messages_total', 'Gossip messages by topic, direction (in|out) and verdict', ['topic', 'direction', 'verdict']),
      syncing: gauge('gtos_p2p_syncing', '1 while catching up from a peer, else 0'),
      syncCurrent: gauge('gtos_p2p_sync_current_block', 'Head block during the current (or last) sync'),
      syncHighest: gauge('gtos_p2p_sync_highest_block', 'Highest block announced by the peer being synced from'),
      syncedBlocks: counter('gtos_p2p_synced_blocks_total', 'Blocks imported by range sync'),
      bans: counter('gtos_p2p_bans_total', 'Peers disconnected and banned for misbehaviour'),
    },
  };
}
