/**
 * Serves the node's registry in the Prometheus text format at /metrics and
 * at go-ethereum's /debug/metrics/prometheus (127.0.0.1 by default); every
 * other path is 404. A failing collector yields a 500, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen } from '../util/http-listen.js';
import { logger } from '../util/log.js';
import type { Metrics } from './registry.js';

const log = logger('metrics');
export const METRICS_PATHS: readonly string[] = ['/metrics', '/debug/metrics/prometheus'];

export interface MetricsServerOptions {
  /** Listen address; 127.0.0.1 unless set. */
  host?: string;
  /** 0 picks a free port (see the address start() returns). */
  port: number;
}

export class MetricsServerError extends Error {
  override name = 'MetricsServerError';
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text + '\n');
}

export class MetricsHttpServer {
  private server: Server | undefined;

  constructor(private readonly metrics: Metrics, private readonly opts: MetricsServerOptions) {}

  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new MetricsServerError('metrics server already started');
    const server = createServer((req, res) => this.handle(req, res));
    server.on('error', (e) => log.error('Metrics listener error', { err: e }));
    this.server = server;
    try {
      return await listen(server, this.opts.host || '127.0.0.1', this.opts.port);
    } catch (e) {
      this.server = undefined;
      throw e;
    }
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await close(s);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!METRICS_PATHS.includes(path)) return plain(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    const registry = this.metrics.registry;
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': String(Buffer.byteLength(text)) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => {
        log.error('Metrics collection failed', { err: e as Error });
        if (!res.headersSent) plain(res, 500, 'metrics collection failed');
      },
    );
  }
}
