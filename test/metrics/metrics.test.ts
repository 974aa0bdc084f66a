/**
 * The metrics registry and its HTTP endpoint over real HTTP: gtos_ and
 * process metrics at /metrics and /debug/metrics/prometheus, 404 elsewhere,
 * per-node registries, closed label sets present at 0, p2p families only on
 * request, and the RPC server's hook feeding the rpc metrics.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegister } from 'prom-client';
import {
  createMetricsRegistry, observeProcessedBlock, EXECUTOR_PHASES, FALLBACK_REASONS,
} from '../../src/metrics/registry.js';
import { MetricsHttpServer } from '../../src/metrics/server.js';
import { RpcRegistry } from '../../src/rpc/registry.js';
import { RpcHttpServer } from '../../src/rpc/http.js';

describe('metrics', () => {
  test('every area is registered under gtos_, on a private registry', async () => {
    const m = createMetricsRegistry({ p2p: true });
    const again = createMetricsRegistry();
    assert.notEqual(m.registry, again.registry, 'one registry per call: two nodes in a process do not collide');
    assert.equal(await globalRegister.metrics().then((t) => t.includes('gtos_')), false, 'the global default registry is untouched');

    m.chain.head.set(42);
    m.executor.txs.inc({ lane: 'transfer' }, 3);
    m.executor.txs.inc({ lane: 'serial' });
    m.executor.phaseSeconds.observe({ phase: 'compute' }, 0.002);
    m.executor.fallbacks.inc({ reason: 'worker-timeout' });
    m.p2p!.gossip.inc({ topic: 'blocks', direction: 'in', verdict: 'accept' });
    observeProcessedBlock(m.chain, 'mined', 5, 0.02);
    observeProcessedBlock(m.chain, 'imported', 2, 0.002);
    const text = await m.registry.metrics();
    for (const name of [
      'gtos_rpc_requests_total',
      'gtos_rpc_duration_seconds',
      'gtos_chain_head_block 42',
      'gtos_chain_block_import_seconds',
      'gtos_chain_block_transactions',
      'gtos_chain_blocks_processed_total{origin="mined"} 1',
      'gtos_chain_blocks_processed_total{origin="imported"} 1',
      'gtos_chain_txs_total{origin="mined"} 5',
      'gtos_chain_txs_total{origin="imported"} 2',
      'gtos_chain_block_import_seconds_count{origin="mined"} 1',
      'gtos_chain_block_transactions_sum 7',
      'gtos_txpool_pending',
      'gtos_txpool_queued',
      'gtos_miner_blocks_total',
      'gtos_miner_block_build_seconds',
      'gtos_txexec_batches_total',
      'gtos_txexec_inline_batches_total',
      'gtos_txexec_txs_total{lane="transfer"} 3',
      'gtos_txexec_txs_total{lane="serial"} 1',
      'gtos_txexec_batch_size',
      'gtos_txexec_fallbacks_total{reason="worker-timeout"} 1',
      'gtos_txexec_shadow_checks_total',
      'gtos_txexec_shadow_mismatches_total',
      'gtos_txexec_phase_seconds_bucket{le="0.0025",phase="compute"} 1',
      'gtos_txexec_workers',
      'gtos_txexec_queue_depth',
      'gtos_p2p_peers',
      'gtos_p2p_gossip_messages_total{topic="blocks",direction="in",verdict="accept"} 1',
      'gtos_p2p_sync_highest_block',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(text.includes(name), `missing ${name}`);
    }
    // Our own metrics all carry the prefix; the rest are prom-client's default process metrics.
    const ours = m.registry.getMetricsAsArray().map((x) => x.name).filter((n) => !n.startsWith('process_') && !n.startsWith('nodejs_'));
    assert.ok(ours.length >= 23, `only ${ours.length} gtos_ metrics`);
    for (const n of ours) assert.match(n, /^gtos_/);
    assert.ok(!(await again.registry.metrics()).includes('gtos_chain_head_block 42'), 'registries do not share values');
  });

  test('closed label sets exist at 0 before first use; p2p families only when asked for', async () => {
    const text = await createMetricsRegistry().registry.metrics();
    for (const lane of ['transfer', 'serial']) assert.match(text, new RegExp(`^gtos_txexec_txs_total\\{lane="${lane}"\\} 0$`, 'm'));
    assert.equal(FALLBACK_REASONS.length, 6);
    for (const reason of FALLBACK_REASONS) assert.match(text, new RegExp(`^gtos_txexec_fallbacks_total\\{reason="${reason}"\\} 0$`, 'm'));
    for (const phase of EXECUTOR_PHASES) assert.match(text, new RegExp(`^gtos_txexec_phase_seconds_count\\{phase="${phase}"\\} 0$`, 'm'));
    for (const origin of ['imported', 'mined']) {
      assert.match(text, new RegExp(`^gtos_chain_blocks_processed_total\\{origin="${origin}"\\} 0$`, 'm'));
      assert.match(text, new RegExp(`^gtos_chain_txs_total\\{origin="${origin}"\\} 0$`, 'm'));
    }
    assert.doesNotMatch(text, /gtos_p2p_/, 'no p2p host, no p2p families');
    assert.doesNotMatch(text, /gtos_chain_import_tx_per_second/, 'the gauge is gone: rate(gtos_chain_txs_total) replaces it');
    // promtool refuses a `_total` gauge; prom-client's default set has three.
    assert.doesNotMatch(text, /^# TYPE \S+_total (gauge|histogram|summary)$/m);
    assert.match(text, /^nodejs_active_handles\{type="\w+"\} \d+$/m, 'the per-type handle gauges stay');

    const withP2p = await createMetricsRegistry({ p2p: true }).registry.metrics();
    for (const topic of ['blocks', 'txs']) {
      for (const verdict of ['accept', 'ignore', 'reject']) {
        assert.match(withP2p, new RegExp(`^gtos_p2p_gossip_messages_total\\{topic="${topic}",direction="in",verdict="${verdict}"\\} 0$`, 'm'));
      }
      assert.match(withP2p, new RegExp(`^gtos_p2p_gossip_messages_total\\{topic="${topic}",direction="out",verdict="sent"\\} 0$`, 'm'));
    }
    assert.doesNotMatch(withP2p, /direction="out",verdict="accept"/, 'only combinations that occur');
    assert.match(withP2p, /^gtos_p2p_peers 0$/m);
  });

  test('the endpoint serves exposition text at both paths and 404 elsewhere', async () => {
    const m = createMetricsRegistry();
    m.miner.blocksMined.inc(7);
    const server = new MetricsHttpServer(m, { host: '127.0.0.1', port: 0 });
    const { host, port } = await server.start();
    assert.equal(host, '127.0.0.1');
    const base = `http://${host}:${port}`;
    try {
      for (const path of ['/metrics', '/debug/metrics/prometheus', '/metrics?x=1']) {
        const res = await fetch(base + path);
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        assert.match(text, /^gtos_miner_blocks_total 7$/m);
        assert.match(text, /^# TYPE gtos_txexec_phase_seconds histogram$/m);
        assert.match(text, /^process_resident_memory_bytes \d+/m);
        assert.match(text, /^nodejs_eventloop_lag_seconds /m);
      }
      const head = await fetch(base + '/metrics', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      for (const path of ['/', '/metric', '/metrics/', '/debug/metrics', '/favicon.ico']) {
        const res = await fetch(base + path);
        assert.equal(res.status, 404, path);
        await res.text();
      }
      const post = await fetch(base + '/metrics', { method: 'POST', body: 'x' });
      assert.equal(post.status, 405);
      await post.text();
      assert.equal((await fetch(base + '/metrics')).status, 200, 'still serving');
    } finally {
      await server.stop();
    }
    await assert.rejects(fetch(base + '/metrics'), 'stopped');
  });

  test('a collector that throws yields a 500, not a crash', async () => {
    const m = createMetricsRegistry();
    const { Gauge } = await import('prom-client');
    new Gauge({
      name: 'gtos_test_broken',
      help: 'a collector that fails',
      registers: [m.registry],
      collect() {
        throw new Error('collector broke');
      },
    });
    const server = new MetricsHttpServer(m, { port: 0 });
    const { host, port } = await server.start();
    try {
      const { setVerbosity } = await import('../../src/util/log.js');
      setVerbosity(0);
      const res = await fetch(`http://${host}:${port}/metrics`);
      setVerbosity(3);
      assert.equal(res.status, 500);
      await res.text();
      m.registry.removeSingleMetric('gtos_test_broken');
      assert.equal((await fetch(`http://${host}:${port}/metrics`)).status, 200);
    } finally {
      await server.stop();
    }
  });

  test('the RPC server hook feeds the rpc metrics', async () => {
    const m = createMetricsRegistry();
    const registry = new RpcRegistry(['eth']);
    registry.register('eth_chainId', () => '0x1');
    const rpc = new RpcHttpServer(registry, {
      host: '127.0.0.1',
      port: 0,
      onRequest: (method, ms, ok) => {
        m.rpc.requests.inc({ method, result: ok ? 'ok' : 'error' });
        m.rpc.latency.observe({ method }, ms / 1000);
      },
    });
    const metrics = new MetricsHttpServer(m, { host: '127.0.0.1', port: 0 });
    const r = await rpc.start();
    const s = await metrics.start();
    try {
      const body = JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 3, method: 'eth_whatever' },
      ]);
      const res = await fetch(`http://${r.host}:${r.port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal((await res.json()).length, 3);
      const text = await (await fetch(`http://${s.host}:${s.port}/metrics`)).text();
      assert.match(text, /^gtos_rpc_requests_total\{method="eth_chainId",result="ok"\} 2$/m);
      assert.match(text, /^gtos_rpc_requests_total\{method="unknown",result="error"\} 1$/m);
      assert.match(text, /^gtos_rpc_duration_seconds_count\{method="eth_chainId"\} 2$/m);
    } finally {
      await rpc.stop();
      await metrics.stop();
    }
  });
});
