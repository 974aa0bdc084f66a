/**
 * The HTTP transport of the JSON-RPC server (127.0.0.1 by default): takes
 * POSTed bodies to "/" within the size limit and hands them to the JSON-RPC
 * envelope (jsonrpc.ts), then writes its answer; owns the listener, CORS,
 * content types, body limits, the allowed Host names (vhosts.ts) and the
 * timeouts that bound slow clients.
 *
 * Choices where the spec leaves room (go-ethereum's where it has one):
 * - nothing owed (a notification, or a batch of only notifications) is
 *   answered with HTTP 200 and an empty body;
 * - GET/HEAD "/" answers 200 with an empty body (geth's health check);
 *   other methods get 405, other paths 404, a non-JSON content type 415;
 * - a Host not allowed by `vhosts` gets 403 before anything else is looked
 *   at, CORS included (geth wraps its CORS handler in the vhost one);
 * - a body over the limit gets 413 with a JSON-RPC −32005 error and is
 *   never buffered past the limit; the rest is read and dropped, up to
 *   max(2 × limit, 1 MiB) bytes in all, so the client can finish sending,
 *   see the answer and keep its connection; past that it is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { close, listen } from '../util/http-listen.js';
import { logger } from '../util/log.js';
import { CorsPolicy } from './cors.js';
import { VirtualHosts } from './vhosts.js';
import { LimitExceededError } from './errors.js';
import { errorBody, JsonRpcHandler, positiveInt, RpcServerError, type JsonRpcOptions } from './jsonrpc.js';
import type { RpcRegistry } from './registry.js';

const log = logger('rpc');

const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface RpcServerOptions extends JsonRpcOptions {
  /** Listen address; 127.0.0.1 unless set. */
  host?: string;
  /** 0 picks a free port (see the address start() returns). */
  port: number;
  corsDomains?: string[];
  /** Host names the server answers (IP literals always pass); "*" allows every name. geth's default, ["localhost"], unless set. */
  vhosts?: string[];
  maxBodyBytes?: number;
}

/** Media types geth accepts for a call. */
const JSON_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);
const ALLOW = 'POST, GET, OPTIONS';
const ABORTED = Symbol('aborted');
/** How long a connection we refuse to read any more stays half-open, so the client can read our answer before the reset (Go's rstAvoidanceDelay). */
const LINGER_MS = 500;

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function declaredLength(req: IncomingMessage): number | undefined {
  const h = req.headers['content-length'];
  if (h === undefined) return undefined;
  const n = Number(h);
  return Number.isFinite(n) ? n : undefined;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text + '\n');
}

export class RpcHttpServer {
  private server: Server | undefined;
  private readonly host: string;
  private readonly port: number;
  private readonly maxBody: number;
  private readonly drainLimit: number;
  private readonly cors: CorsPolicy;
  private readonly vhosts: VirtualHosts;
  private readonly rpc: JsonRpcHandler;

  constructor(registry: RpcRegistry, opts: RpcServerOptions) {
    this.host = opts.host || '127.0.0.1';
    this.port = opts.port;
    this.maxBody = positiveInt(opts.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
    this.rpc = new JsonRpcHandler(registry, opts);
    this.drainLimit = Math.max(2 * this.maxBody, 1 << 20);
    this.cors = new CorsPolicy(opts.corsDomains ?? []);
    this.vhosts = new VirtualHosts(opts.vhosts ?? ['localhost']);
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new RpcServerError('RPC server already started');
    // requestTimeout bounds how long a client may take to send one request (geth's 30 s read timeout).
    const server = createServer({ requestTimeout: 30_000 }, (req, res) => this.serve(req, res));
    server.keepAliveTimeout = 120_000;
    // A client announcing a too-large body with "Expect: 100-continue" is refused before it sends it.
    server.on('checkContinue', (req, res) => {
      if (!this.vhosts.allows(req.headers.host)) {
        // The client waits for our word before sending the body; it will not come, so the connection goes.
        res.setHeader('connection', 'close');
        return plain(res, 403, 'invalid host specified');
      }
      const n = declaredLength(req);
      if (n !== undefined && n > this.maxBody) {
        this.applyCors(req, res);
        res.setHeader('connection', 'close');
        this.sendJson(res, 413, this.tooLargeBody());
        return;
      }
      res.writeContinue();
      this.serve(req, res);
    });
    server.on('error', (e) => log.error('RPC listener error', { err: e }));
    this.server = server;
    try {
      return await listen(server, this.host, this.port);
    } catch (e) {
      this.server = undefined;
      throw e;
    }
  }

  /** Closes the listener and every connection, including keep-alive ones and requests in flight. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await close(s);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((e: unknown) => {
      log.error('RPC transport failure', { err: e as Error });
      if (!res.headersSent) plain(res, 500, 'internal server error');
      else res.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.vhosts.allows(req.headers.host)) return this.refuseHost(req, res);
    this.applyCors(req, res);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') return plain(res, 404, 'not found');
    switch (req.method) {
      case 'POST':
        break;
      case 'OPTIONS':
        return this.options(req, res);
      case 'GET':
      case 'HEAD':
        res.writeHead(200, { 'content-length': '0' }).end();
        return;
      default:
        return plain(res, 405, 'method not allowed', { allow: ALLOW });
    }
    if (!JSON_TYPES.has(mediaType(req.headers['content-type']))) {
      plain(res, 415, 'invalid content type, only application/json is supported');
      return this.discard(req, 0);
    }
    const declared = declaredLength(req);
    if (declared !== undefined && declared > this.maxBody) return this.refuseBody(req, res, 0);
    const body = await this.readBody(req);
    if (body === ABORTED) return;
    if (typeof body === 'number') return this.refuseBody(req, res, body);
    this.sendJson(res, 200, await this.rpc.handle(body));
  }

  private refuseHost(req: IncomingMessage, res: ServerResponse): void {
    plain(res, 403, 'invalid host specified');
    this.discard(req, 0);
  }

  private applyCors(req: IncomingMessage, res: ServerResponse): void {
    if (!this.cors.enabled) return;
    const allow = this.cors.allowOrigin(req.headers.origin);
    if (allow) res.setHeader('access-control-allow-origin', allow);
    // The answer depends on Origin unless every origin is allowed; caches must know.
    if (allow !== '*') res.setHeader('vary', 'Origin');
  }

  private options(req: IncomingMessage, res: ServerResponse): void {
    const wanted = req.headers['access-control-request-method'];
    if (req.headers.origin && wanted !== undefined) {
      const ok = this.cors.allowOrigin(req.headers.origin) !== undefined && ALLOW.split(', ').includes(wanted.toUpperCase());
      if (ok) {
        res.setHeader('access-control-allow-methods', ALLOW);
        // geth allows any request header ("*"); echoing the asked-for list works with credentials too.
        res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type');
        res.setHeader('access-control-max-age', '600');
      } else res.removeHeader('access-control-allow-origin');
    }
    res.writeHead(204, { allow: ALLOW }).end();
  }

  /** The body, or the byte count read when it outgrew the limit, or ABORTED when the client went away. */
  private readBody(req: IncomingMessage): Promise<Buffer | number | typeof ABORTED> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (v: Buffer | number | typeof ABORTED) => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        req.off('close', onAbort);
        resolve(v);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBody) {
          req.pause();
          finish(size);
        } else chunks.push(chunk);
      };
      const onEnd = () => finish(Buffer.concat(chunks, size));
      const onAbort = () => finish(ABORTED);
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onAbort);
      req.on('close', onAbort);
    });
  }

  private tooLargeBody(): string {
    return errorBody(new LimitExceededError(`request body too large (max ${this.maxBody} bytes)`));
  }

  private refuseBody(req: IncomingMessage, res: ServerResponse, alreadyRead: number): void {
    this.sendJson(res, 413, this.tooLargeBody());
    this.discard(req, alreadyRead);
  }

  /**
   * Reads and drops the rest of a body we will not use, so a keep-alive
   * connection stays in sync; past drainLimit the connection is closed
   * instead, so an endless upload cannot keep the server reading.
   */
  private discard(req: IncomingMessage, alreadyRead: number): void {
    if (req.complete) return;
    const socket = req.socket;
    let seen = alreadyRead;
    let closing = false;
    const linger = () => {
      if (closing) return;
      closing = true;
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    const declared = declaredLength(req);
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > this.drainLimit) linger();
    });
    req.on('error', () => {});
    req.resume();
    if (declared !== undefined && declared > this.drainLimit) linger();
  }

  private sendJson(res: ServerResponse, status: number, text: string | undefined): void {
    if (res.headersSent || res.destroyed) return;
    const body = text ?? '';
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

}
