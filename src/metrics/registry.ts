/**
 * The node's Prometheus metrics: one prom-client Registry created once and
 * passed to whoever records (no global default registry), with metrics
 * grouped by area and default process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetricsRegistry() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  return {
    registry,
    rpc: {
      requests: new Counter({ name: 'gtos_rpc_requests_total', help: 'JSON-RPC requests by method and result', labelNames: ['method', 'result'], registers: r }),
      latency: new Histogram({ name: 'gtos_rpc_duration_seconds', help: 'JSON-RPC handling time by method', labelNames: ['method'], buckets: SECONDS, registers: r }),
    },
    chain: {
      head: new Gauge({ name: 'gtos_chain_head_block', help: 'Number of the canonical head block', registers: r }),
      importSeconds: new Histogram({ name: 'gtos_chain_block_import_seconds', help: 'Time to verify, execute, validate and write a block', buckets: SECONDS, registers: r }),
      txsPerBlock: new Histogram({ name: 'gtos_chain_block_transactions', help: 'Transactions per imported block', buckets: [0, 1, 10, 100, 1000, 2500, 5000, 10000, 20000], registers: r }),
      txPerSecond: new Gauge({ name: 'gtos_chain_import_tx_per_second', help: 'Transactions per second of the last imported block (its txs over its import time)', registers: r }),
    },
    txpool: {
      pending: new Gauge({ name: 'gtos_txpool_pending', help: 'Executable transactions in the pool', registers: r }),
      queued: new Gauge({ name: 'gtos_txpool_queued', help: 'Non-executable transactions in the pool', registers: r }),
    },
    miner: {
      blocksMined: new Counter({ name: 'gtos_miner_blocks_total', help: 'Blocks sealed by this node', registers: r }),
      buildSeconds: new Histogram({ name: 'gtos_miner_block_build_seconds', help: 'Time to assemble a block', buckets: SECONDS, registers: r }),
    },
    executor: {
      batches: new Counter({ name: 'gtos_txexec_batches_total', help: 'Micro-batches run on the parallel path', registers: r }),
      inlineBatches: new Counter({ name: 'gtos_txexec_inline_batches_total', help: 'Micro-batches computed on the main thread', registers: r }),
      txs: new Counter({ name: 'gtos_txexec_txs_total', help: 'Transactions executed by lane', labelNames: ['lane'], registers: r }),
      batchSize: new Histogram({ name: 'gtos_txexec_batch_size', help: 'Transactions per micro-batch', buckets: [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096], registers: r }),
      fallbacks: new Counter({ name: 'gtos_txexec_fallbacks_total', help: 'Batches re-run serially, by reason', labelNames: ['reason'], registers: r }),
      shadowChecks: new Counter({ name: 'gtos_txexec_shadow_checks_total', help: 'Blocks verified against the serial reference', registers: r }),
      shadowMismatches: new Counter({ name: 'gtos_txexec_shadow_mismatches_total', help: 'Shadow verifications that found a difference', registers: r }),
      phaseSeconds: new Histogram({ name: 'gtos_txexec_phase_seconds', help: 'Executor time per phase', labelNames: ['phase'], buckets: SECONDS, registers: r }),
      poolSize: new Gauge({ name: 'gtos_txexec_workers', help: 'Worker threads in the executor pool', registers: r }),
      queueDepth: new Gauge({ name: 'gtos_txexec_queue_depth', help: 'Jobs waiting for a worker', registers: r }),
    },
    p2p: {
      peers: new Gauge({ name: 'gtos_p2p_peers', help: 'Connected peers', registers: r }),
      gossip: new Counter({ name: 'gtos_p2p_gossip_messages_total', help: 'Gossip messages by topic, direction and verdict', labelNames: ['topic', 'direction', 'verdict'], registers: r }),
      syncProgress: new Gauge({ name: 'gtos_p2p_sync_highest_block', help: 'Highest block seen on a peer', registers: r }),
    },
  };
}

export type Metrics = ReturnType<typeof createMetricsRegistry>;
