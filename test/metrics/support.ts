/**
 * Shared by the dashboard and Prometheus tests: the PromQL of the shipped
 * Grafana dashboard and alert rules, the metric names it references, a parsed
 * scrape, and an in-process dev node serving /metrics on a free port.
 */
import { readFileSync } from 'node:fs';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { setVerbosity } from '../../src/util/log.js';
import { repoPath } from '../util/paths.js';

export const DASHBOARD = repoPath('config/grafana/gtos-dashboard.json');
export const PROMETHEUS_CONFIG = repoPath('config/prometheus/prometheus.yml');
export const ALERT_RULES = repoPath('config/prometheus/gtos-alerts.yml');

interface Panel {
  type: string;
  title: string;
  id: number;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

export function dashboardPanels(): Panel[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  // Collapsed rows keep their panels inside the row.
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function dashboardExprs(): { panel: string; expr: string }[] {
  return dashboardPanels().flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
}

/** The rules file's `expr:` lines (each rule keeps its expression on one line, so no YAML parser is needed). */
export function alertExprs(): { alert: string; expr: string }[] {
  const out: { alert: string; expr: string }[] = [];
  let alert = '';
  for (const line of readFileSync(ALERT_RULES, 'utf8').split('\n')) {
    const a = /^\s*- alert:\s*(\S+)/.exec(line);
    if (a) alert = a[1]!;
    const e = /^\s*expr:\s*(.+)$/.exec(line);
    if (e) out.push({ alert, expr: e[1]!.trim() });
  }
  return out;
}

/** Grafana's variables replaced by what Prometheus accepts, for evaluating a panel's query directly. */
export function asPromql(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.+');
}

/** Metric names in a PromQL expression: ours and prom-client's all carry one of these prefixes, labels never do. */
export function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:gtos|process|nodejs)_[A-Za-z0-9_]+/g) ?? [])];
}

export interface Scrape {
  text: string;
  /** Sample names present (histogram series included: x_bucket, x_sum, x_count). */
  samples: Set<string>;
  /** Declared families by # TYPE, also those with no sample yet (a labelled series before first use). */
  types: Map<string, string>;
}

export function parseScrape(text: string): Scrape {
  const samples = new Set<string>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    else if (line && !line.startsWith('#')) samples.add(/^[^{\s]+/.exec(line)![0]);
  }
  return { text, samples, types };
}

/** Whether a query for `name` can find this family in the scrape. */
export function exported(s: Scrape, name: string): boolean {
  if (s.samples.has(name) || s.types.has(name)) return true;
  const m = /^(.+)_(bucket|sum|count)$/.exec(name);
  const type = m ? s.types.get(m[1]!) : undefined;
  return type === 'histogram' || (type === 'summary' && m![2] !== 'bucket');
}

export async function startMetricsDevNode(datadir: string): Promise<{ node: RunningNode; url: string; rpc: string }> {
  setVerbosity(1);
  const node = await startNode(resolveConfig({
    dev: true, datadir, http: true, 'http.port': '0', 'dev.period': '0', metrics: true, 'metrics.port': '0',
  }));
  return {
    node,
    url: `http://${node.metricsAddr!.host}:${node.metricsAddr!.port}/metrics`,
    rpc: `http://${node.rpc!.host}:${node.rpc!.port}`,
  };
}

export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
