/**
 * JSON-RPC 2.0 over HTTP POST: single requests, batches and notifications,
 * body and batch limits (a too-large body is refused without buffering it),
 * CORS for configured origins, 127.0.0.1 by default. Bad input gets the
 * right JSON-RPC error and never takes the server down; internal errors do
 * not leak stacks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen } from '../http-listen.js';
import { logger } from '../log.js';
import { InternalError, InvalidRequestError, LimitExceededError, ParseError, RpcError } from './errors.js';
import type { RpcRegistry } from './registry.js';

const log = logger('rpc');

export interface RpcServerOptions {
  host: string;
  port: number;
  corsDomains?: string[];
  maxBodyBytes?: number;
  maxBatchItems?: number;
  onRequest?: (method: string, ms: number, ok: boolean) => void;
}

type Id = string | number | null;
type Response = { jsonrpc: '2.0'; id: Id; result?: unknown; error?: { code: number; message: string; data?: unknown } };

function errorResponse(id: Id, e: RpcError): Response {
  const error: Response['error'] = { code: e.code, message: e.message };
  if (e.data !== undefined) error.data = e.data;
  return { jsonrpc: '2.0', id, error };
}

function validId(x: unknown): x is Id {
  return x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}

export class RpcHttpServer {
  private server: Server | undefined;
  private readonly maxBody: number;
  private readonly maxBatch: number;

  constructor(private readonly registry: RpcRegistry, private readonly opts: RpcServerOptions) {
    this.maxBody = opts.maxBodyBytes ?? 5 * 1024 * 1024;
    this.maxBatch = opts.maxBatchItems ?? 1000;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        log.error('RPC transport failure', { err: e as Error });
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    server.keepAliveTimeout = 30_000;
    this.server = server;
    return listen(server, this.opts.host, this.opts.port);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await close(s);
  }

  private cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const allowed = this.opts.corsDomains ?? [];
    if (!origin || allowed.length === 0) return;
    if (allowed.includes('*')) res.setHeader('Access-Control-Allow-Origin', '*');
    else if (allowed.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = body === undefined ? '' : JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? '0x' + v.toString(16) : v));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.cors(req, res);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.writeHead(204).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('gtos JSON-RPC: send POST requests\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json') {
      res.writeHead(415, { 'content-type': 'text/plain' }).end(`invalid content type, only application/json is supported\n`);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > this.maxBody) {
      req.resume();
      this.send(res, 413, errorResponse(null, new LimitExceededError(`request body too large (max ${this.maxBody} bytes)`)));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBody) {
        tooLarge = true;
        break;
      }
      chunks.push(chunk);
    }
    if (tooLarge) {
      this.send(res, 413, errorResponse(null, new LimitExceededError(`request body too large (max ${this.maxBody} bytes)`)));
      req.destroy();
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      this.send(res, 200, errorResponse(null, new ParseError('parse error: invalid JSON')));
      return;
    }
    if (Array.isArray(doc)) {
      if (doc.length === 0) return this.send(res, 200, errorResponse(null, new InvalidRequestError('empty batch')));
      if (doc.length > this.maxBatch) return this.send(res, 200, errorResponse(null, new LimitExceededError(`batch too large (max ${this.maxBatch} requests)`)));
      const out: Response[] = [];
      for (const item of doc) {
        const r = await this.one(item);
        if (r) out.push(r);
      }
      // A batch of notifications only gets an empty body (JSON-RPC 2.0 §6).
      if (out.length === 0) return this.send(res, 200, undefined);
      return this.send(res, 200, out);
    }
    const r = await this.one(doc);
    this.send(res, 200, r);
  }

  /** Runs one request object; undefined for a notification. */
  private async one(item: unknown): Promise<Response | undefined> {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return errorResponse(null, new InvalidRequestError('invalid request: not an object'));
    const o = item as Record<string, unknown>;
    const isNotification = !('id' in o);
    const id: Id = validId(o.id) ? o.id : null;
    if (!isNotification && !validId(o.id)) return errorResponse(null, new InvalidRequestError('invalid request: bad id'));
    if (o.jsonrpc !== '2.0' || typeof o.method !== 'string') return errorResponse(id, new InvalidRequestError('invalid request: jsonrpc must be "2.0" and method a string'));
    if (o.params !== undefined && !Array.isArray(o.params)) return errorResponse(id, new RpcError(-32602, 'non-array params are not supported'));
    const method = o.method;
    const t0 = performance.now();
    let resp: Response;
    try {
      const result = await this.registry.call(method, (o.params as unknown[] | undefined) ?? []);
      resp = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
      this.opts.onRequest?.(this.metricName(method), performance.now() - t0, true);
    } catch (e) {
      this.opts.onRequest?.(this.metricName(method), performance.now() - t0, false);
      if (e instanceof RpcError) resp = errorResponse(id, e);
      else {
        log.error('RPC handler failed', { method, err: e as Error });
        resp = errorResponse(id, new InternalError());
      }
    }
    return isNotification ? undefined : resp;
  }

  /** Unknown method names are folded into one label so clients cannot blow up the metric's cardinality. */
  private metricName(method: string): string {
    return this.registry.has(method) ? method : 'unknown';
  }
}
