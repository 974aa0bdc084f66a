/** Serves the registry at /metrics and go-ethereum's /debug/metrics/prometheus (127.0.0.1 by default). */
import { createServer, type Server } from 'node:http';
import { close, listen } from '../http-listen.js';
import type { Metrics } from './registry.js';

export class MetricsHttpServer {
  private server: Server | undefined;

  constructor(private readonly metrics: Metrics, private readonly opts: { host: string; port: number }) {}

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || (path !== '/metrics' && path !== '/debug/metrics/prometheus')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics error: ${e.message}\n`),
      );
    });
    this.server = server;
    return listen(server, this.opts.host, this.opts.port);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await close(s);
  }
}
