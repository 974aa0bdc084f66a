/**
 * The shipped Grafana dashboard and alert rules against real nodes: every
 * metric their PromQL names is in a node's /metrics (a dev node for all but
 * p2p, which only a node with a p2p host exports), and the node's own sealed
 * blocks count as processed blocks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningNode } from '../../src/node/node.js';
import { testAccount } from '../../tools/workload/accounts.js';
import { TestNet } from '../util/testnet.js';
import {
  alertExprs, dashboardExprs, dashboardPanels, exported, metricNames, parseScrape, rpcCall, startMetricsDevNode, type Scrape,
} from './support.js';

const isP2p = (name: string) => name.startsWith('gtos_p2p_');

describe('Grafana dashboard and alert rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-dash-'));
  let dev: { node: RunningNode; url: string; rpc: string };
  const scrape = async (url: string): Promise<Scrape> => parseScrape(await (await fetch(url)).text());

  before(async () => {
    dev = await startMetricsDevNode(join(dir, 'dev'));
  });
  after(async () => {
    await dev?.node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the dashboard is well formed: unique ids, the datasource variable, a known metric in every query', () => {
    const panels = dashboardPanels();
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const p of panels.filter((p) => p.type !== 'row')) {
      assert.ok(p.targets?.length, `${p.title}: no query`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: panel datasource`);
      for (const t of p.targets) {
        assert.equal(t.datasource?.uid, '${datasource}', `${p.title}: target datasource`);
        // A misspelt prefix would otherwise pass the name checks below by naming nothing.
        assert.ok(metricNames(t.expr ?? '').length > 0, `${p.title}: ${t.expr} names no gtos_/process_/nodejs_ metric`);
        assert.match(t.expr ?? '', /instance=~"\$instance"/, `${p.title}: the node selector`);
      }
    }
    const exprs = dashboardExprs().map((e) => e.expr).join('\n');
    // What the dashboard must show (the monitoring issue's list).
    for (const name of [
      'gtos_chain_head_block', 'gtos_chain_blocks_processed_total', 'gtos_chain_txs_total', 'gtos_txexec_phase_seconds_sum',
      'gtos_txexec_fallbacks_total', 'gtos_txpool_pending', 'gtos_txpool_queued', 'gtos_p2p_peers', 'gtos_p2p_gossip_messages_total',
      'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds',
    ]) assert.ok(metricNames(exprs).includes(name), `the dashboard shows ${name}`);
    assert.ok(alertExprs().length >= 5, 'the rules file parsed');
  });

  test('every metric the dashboard and the alerts query is in a dev node\'s /metrics; p2p ones are not', async () => {
    const s = await scrape(dev.url);
    const queried = [...dashboardExprs(), ...alertExprs()].flatMap((e) => metricNames(e.expr));
    const missing = queried.filter((n) => !isP2p(n) && !exported(s, n));
    assert.deepEqual([...new Set(missing)], [], 'queried but not exported');
    assert.ok(queried.some(isP2p));
    assert.doesNotMatch(s.text, /^gtos_p2p_/m, 'a dev node has no p2p host and no p2p families');
    assert.doesNotMatch(s.text, /gtos_chain_import_tx_per_second/);
  });

  test('a node with a p2p host exports the p2p families too', async () => {
    const signer = testAccount('dashboard-signer');
    const net = TestNet.create({ signers: [signer], alloc: [{ address: signer.address, balance: 1n }] });
    try {
      const node = await net.start('a', { flags: { metrics: true, 'metrics.port': '0' } });
      assert.ok(node.p2p, 'started with a p2p host');
      const s = await scrape(`http://${node.metricsAddr!.host}:${node.metricsAddr!.port}/metrics`);
      const missing = [...dashboardExprs(), ...alertExprs()].flatMap((e) => metricNames(e.expr)).filter((n) => !exported(s, n));
      assert.deepEqual([...new Set(missing)], []);
      assert.match(s.text, /^gtos_p2p_gossip_messages_total\{topic="blocks",direction="in",verdict="reject"\} 0$/m, 'present before first use');
      assert.match(s.text, /^gtos_p2p_peers 0$/m);
    } finally {
      await net.close();
    }
  });

  test('blocks the node seals are processed blocks: block and tx counters and processing time by origin', async () => {
    const [from] = await rpcCall(dev.rpc, 'eth_accounts');
    assert.match((await scrape(dev.url)).text, /^gtos_chain_blocks_processed_total\{origin="mined"\} 0$/m);
    const hash = await rpcCall(dev.rpc, 'eth_sendTransaction', [{ from, to: '0x' + '42'.repeat(20), value: '0x1' }]);
    let receipt = null;
    for (let i = 0; i < 200 && !receipt; i++) {
      receipt = await rpcCall(dev.rpc, 'eth_getTransactionReceipt', [hash]);
      if (!receipt) await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(receipt, 'mined');
    const text = (await scrape(dev.url)).text;
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('gtos_chain_blocks_processed_total{origin="mined"}'), value('gtos_miner_blocks_total'));
    assert.ok(value('gtos_chain_blocks_processed_total{origin="mined"}') >= 1);
    assert.ok(value('gtos_chain_txs_total{origin="mined"}') >= 1);
    assert.ok(value('gtos_chain_block_import_seconds_count{origin="mined"}') >= 1);
    assert.ok(value('gtos_chain_block_import_seconds_sum{origin="mined"}') > 0);
    assert.equal(value('gtos_chain_blocks_processed_total{origin="imported"}'), 0, 'nothing came from elsewhere');
  });
});
