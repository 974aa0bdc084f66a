/**
 * JSON-RPC 2.0 over HTTP (127.0.0.1 by default): single requests, batches
 * and notifications POSTed to "/". Bad input gets the right JSON-RPC error
 * and never takes the server down; internal errors do not leak stacks.
 *
 * Choices where the spec leaves room (go-ethereum's where it has one):
 * - a notification, or a batch of only notifications, is answered with
 *   HTTP 200 and an empty body;
 * - GET/HEAD "/" answers 200 with an empty body (geth's health check);
 *   other methods get 405, other paths 404, a non-JSON content type 415;
 * - a body over the limit gets 413 with a JSON-RPC −32005 error and is
 *   never buffered past the limit; the rest is read and dropped, up to
 *   max(2 × limit, 1 MiB) bytes in all, so the client can finish sending,
 *   see the answer and keep its connection; past that it is closed;
 * - a batch over the item limit gets one −32005 "batch too large" error;
 *   once a batch's answer passes maxBatchResponseBytes, the remaining calls
 *   are not run and get −32003 "response too large";
 * - ids are echoed as parsed: a numeric id beyond 2^53 loses precision.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bytesToHex } from '../crypto/bytes.js';
import { close, listen } from '../util/http-listen.js';
import { logger } from '../util/log.js';
import { CorsPolicy } from './cors.js';
import {
  InternalError,
  InvalidParamsError,
  InvalidRequestError,
  LimitExceededError,
  ParseError,
  ResponseTooLargeError,
  RpcError,
  type RpcErrorObject,
} from './errors.js';
import type { RpcRegistry } from './registry.js';

const log = logger('rpc');

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_ITEMS = 1000;
export const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 25_000_000;

export interface RpcServerOptions {
  /** Listen address; 127.0.0.1 unless set. */
  host?: string;
  /** 0 picks a free port (see the address start() returns). */
  port: number;
  corsDomains?: string[];
  maxBodyBytes?: number;
  maxBatchItems?: number;
  maxBatchResponseBytes?: number;
  /** Called once per executed call; unknown methods are reported as "unknown" to bound label cardinality. */
  onRequest?: (method: string, ms: number, ok: boolean) => void;
}

export class RpcServerError extends Error {
  override name = 'RpcServerError';
}

type Id = string | number | null;
interface RpcResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: unknown;
  error?: RpcErrorObject;
}

/** Media types geth accepts for a call. */
const JSON_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);
const ALLOW = 'POST, GET, OPTIONS';
const ABORTED = Symbol('aborted');
/** How long a connection we refuse to read any more stays half-open, so the client can read our answer before the reset (Go's rstAvoidanceDelay). */
const LINGER_MS = 500;

function errorResponse(id: Id, e: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: e.toObject() };
}

function validId(x: unknown): x is Id {
  return x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));
}

function isNotification(item: unknown): boolean {
  return item !== null && typeof item === 'object' && !Array.isArray(item) && !('id' in item);
}

/** Big integers go out as quantities and byte arrays as data, so a handler's slip still yields valid JSON. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return bytesToHex(raw);
  if (typeof value === 'bigint') return value < 0n ? '-0x' + (-value).toString(16) : '0x' + value.toString(16);
  return value;
}

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

function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RpcServerError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export class RpcHttpServer {
  private server: Server | undefined;
  private readonly host: string;
  private readonly maxBody: number;
  private readonly maxBatch: number;
  private readonly maxBatchResponse: number;
  private readonly drainLimit: number;
  private readonly cors: CorsPolicy;

  constructor(private readonly registry: RpcRegistry, private readonly opts: RpcServerOptions) {
    this.host = opts.host || '127.0.0.1';
    this.maxBody = positiveInt(opts.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
    this.maxBatch = positiveInt(opts.maxBatchItems, DEFAULT_MAX_BATCH_ITEMS, 'maxBatchItems');
    this.maxBatchResponse = positiveInt(opts.maxBatchResponseBytes, DEFAULT_MAX_BATCH_RESPONSE_BYTES, 'maxBatchResponseBytes');
    this.drainLimit = Math.max(2 * this.maxBody, 1 << 20);
    this.cors = new CorsPolicy(opts.corsDomains ?? []);
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.server) throw new RpcServerError('RPC server already started');
    // requestTimeout bounds how long a client may take to send one request (geth's 30 s read timeout).
    const server = createServer({ requestTimeout: 30_000 }, (req, res) => this.serve(req, res));
    server.keepAliveTimeout = 120_000;
    // A client announcing a too-large body with "Expect: 100-continue" is refused before it sends it.
    server.on('checkContinue', (req, res) => {
      const n = declaredLength(req);
      if (n !== undefined && n > this.maxBody) {
        this.applyCors(req, res);
        res.setHeader('connection', 'close');
        this.sendJson(res, 413, this.encode(errorResponse(null, this.tooLargeError())));
        return;
      }
      res.writeContinue();
      this.serve(req, res);
    });
    server.on('error', (e) => log.error('RPC listener error', { err: e }));
    this.server = server;
    try {
      return await listen(server, this.host, this.opts.port);
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
    this.sendJson(res, 200, await this.dispatch(body));
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

  private tooLargeError(): RpcError {
    return new LimitExceededError(`request body too large (max ${this.maxBody} bytes)`);
  }

  private refuseBody(req: IncomingMessage, res: ServerResponse, alreadyRead: number): void {
    this.sendJson(res, 413, this.encode(errorResponse(null, this.tooLargeError())));
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

  /** The response text for one HTTP body, or undefined when nothing is owed (notifications only). */
  private async dispatch(body: Buffer): Promise<string | undefined> {
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch {
      return this.encode(errorResponse(null, new ParseError('parse error: invalid JSON')));
    }
    if (Array.isArray(doc)) return this.batch(doc);
    const r = await this.one(doc);
    return r === undefined ? undefined : this.encode(r);
  }

  private async batch(items: unknown[]): Promise<string | undefined> {
    if (items.length === 0) return this.encode(errorResponse(null, new InvalidRequestError('empty batch')));
    if (items.length > this.maxBatch) return this.encode(errorResponse(null, new LimitExceededError('batch too large')));
    const parts: string[] = [];
    let bytes = 2;
    let full = false;
    // In order and one at a time, as geth: a later call may depend on an earlier one (send, then read).
    for (const item of items) {
      if (full) {
        if (isNotification(item)) continue;
        const id = item !== null && typeof item === 'object' && validId((item as { id?: unknown }).id) ? (item as { id: Id }).id : null;
        parts.push(this.encode(errorResponse(id, new ResponseTooLargeError())));
        continue;
      }
      const r = await this.one(item);
      if (r === undefined) continue;
      const s = this.encode(r);
      parts.push(s);
      bytes += Buffer.byteLength(s) + 1;
      if (bytes > this.maxBatchResponse) full = true;
    }
    return parts.length === 0 ? undefined : '[' + parts.join(',') + ']';
  }

  /** Runs one request object; undefined for a notification. */
  private async one(item: unknown): Promise<RpcResponse | undefined> {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return errorResponse(null, new InvalidRequestError('invalid request: not an object'));
    const o = item as Record<string, unknown>;
    const notification = !('id' in o);
    if (!notification && !validId(o.id)) return errorResponse(null, new InvalidRequestError('invalid request: id must be a string, number or null'));
    const id: Id = notification ? null : (o.id as Id);
    if (o.jsonrpc !== '2.0') return errorResponse(id, new InvalidRequestError('invalid request: jsonrpc must be "2.0"'));
    if (typeof o.method !== 'string') return errorResponse(id, new InvalidRequestError('invalid request: method must be a string'));
    // "params": null is tolerated as geth does (its own client used to send it).
    if (o.params !== undefined && o.params !== null && !Array.isArray(o.params)) return errorResponse(id, new InvalidParamsError('non-array args'));
    const method = o.method;
    const params = Array.isArray(o.params) ? (o.params as unknown[]) : [];
    const t0 = performance.now();
    let resp: RpcResponse;
    let ok = true;
    try {
      const result = await this.registry.call(method, params);
      resp = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
    } catch (e) {
      ok = false;
      if (e instanceof RpcError) resp = errorResponse(id, e);
      else {
        log.error('RPC handler failed', { method, err: e as Error });
        if (e instanceof Error && e.stack) log.debug('RPC handler stack', { method, stack: e.stack });
        resp = errorResponse(id, new InternalError());
      }
    }
    this.report(method, performance.now() - t0, ok);
    return notification ? undefined : resp;
  }

  private report(method: string, ms: number, ok: boolean): void {
    if (!this.opts.onRequest) return;
    try {
      this.opts.onRequest(this.registry.has(method) ? method : 'unknown', ms, ok);
    } catch (e) {
      log.warn('RPC request hook failed', { err: e as Error });
    }
  }

  /** Serialises one response; a result JSON cannot represent (a cycle, say) becomes a −32603 for that id only. */
  private encode(r: RpcResponse): string {
    try {
      return JSON.stringify(r, jsonReplacer);
    } catch (e) {
      log.error('RPC result not serialisable', { err: e as Error });
      return JSON.stringify(errorResponse(r.id, new InternalError()));
    }
  }
}
