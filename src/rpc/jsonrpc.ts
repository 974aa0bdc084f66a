/**
 * The JSON-RPC 2.0 envelope, independent of the transport carrying it: parses
 * one message (a request, a notification or a batch), checks jsonrpc/id/
 * method/params, runs the calls against an RpcRegistry and serialises the
 * answer, or nothing when only notifications came. Handler failures become
 * JSON-RPC errors; internal ones never leak their message or stack.
 *
 * Choices where the spec leaves room (go-ethereum's where it has one):
 * - a batch over the item limit gets one −32005 "batch too large" error;
 * - once a batch's answer passes maxBatchResponseBytes, the remaining calls
 *   are not run and get −32003 "response too large";
 * - "params": null is taken as no params;
 * - ids are echoed as parsed: a numeric id beyond 2^53 loses precision.
 */
import { bytesToHex } from '../crypto/bytes.js';
import { logger } from '../util/log.js';
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
import type { CallContext, RpcRegistry } from './registry.js';

const log = logger('rpc');

const DEFAULT_MAX_BATCH_ITEMS = 1000;
const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 25_000_000;

export interface JsonRpcOptions {
  maxBatchItems?: number;
  maxBatchResponseBytes?: number;
  /** Called once per executed call; unknown methods are reported as "unknown" to bound label cardinality. */
  onRequest?: (method: string, ms: number, ok: boolean) => void;
}

/** A server limit or option that is not usable; thrown at construction, never per request. */
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

export function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new RpcServerError(`${name} must be a positive integer, got ${v}`);
  return v;
}

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

/** Serialises one response; a result JSON cannot represent (a cycle, say) becomes a −32603 for that id only. */
function encode(r: RpcResponse): string {
  try {
    return JSON.stringify(r, jsonReplacer);
  } catch (e) {
    log.error('RPC result not serialisable', { err: e as Error });
    return JSON.stringify(errorResponse(r.id, new InternalError()));
  }
}

/** The answer (id null) a transport sends for a message it refused before the envelope saw it, e.g. one over its size limit. */
export function errorBody(e: RpcError): string {
  return encode(errorResponse(null, e));
}

export class JsonRpcHandler {
  private readonly maxBatch: number;
  private readonly maxBatchResponse: number;

  constructor(private readonly registry: RpcRegistry, private readonly opts: JsonRpcOptions = {}) {
    this.maxBatch = positiveInt(opts.maxBatchItems, DEFAULT_MAX_BATCH_ITEMS, 'maxBatchItems');
    this.maxBatchResponse = positiveInt(opts.maxBatchResponseBytes, DEFAULT_MAX_BATCH_RESPONSE_BYTES, 'maxBatchResponseBytes');
  }

  /** The response text for one message (UTF-8 JSON), or undefined when nothing is owed (notifications only). */
  async handle(message: Uint8Array | string, ctx: CallContext = {}): Promise<string | undefined> {
    let doc: unknown;
    try {
      doc = JSON.parse(typeof message === 'string' ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('utf8'));
    } catch {
      return errorBody(new ParseError('parse error: invalid JSON'));
    }
    return this.handleParsed(doc, ctx);
  }

  /** As handle, for a message its transport has already parsed. */
  async handleParsed(doc: unknown, ctx: CallContext = {}): Promise<string | undefined> {
    if (Array.isArray(doc)) return this.batch(doc, ctx);
    const r = await this.one(doc, ctx);
    return r === undefined ? undefined : encode(r);
  }

  private async batch(items: unknown[], ctx: CallContext): Promise<string | undefined> {
    if (items.length === 0) return errorBody(new InvalidRequestError('empty batch'));
    if (items.length > this.maxBatch) return errorBody(new LimitExceededError('batch too large'));
    const parts: string[] = [];
    let bytes = 2;
    let full = false;
    // In order and one at a time, as geth: a later call may depend on an earlier one (send, then read).
    // A run of pipelined calls (raw tx submissions) starts together; their answers are still taken in order.
    for (let k = 0; k < items.length; k++) {
      const item = items[k];
      if (full) {
        if (isNotification(item)) continue;
        const id = item !== null && typeof item === 'object' && validId((item as { id?: unknown }).id) ? (item as { id: Id }).id : null;
        parts.push(encode(errorResponse(id, new ResponseTooLargeError())));
        continue;
      }
      let end = k;
      while (end < items.length && this.pipelined(items[end])) end++;
      // Every call of a run has run, so each gets its real answer; the size budget applies after the run.
      const answers = end > k + 1 ? await Promise.all(items.slice(k, end).map((x) => this.one(x, ctx))) : [await this.one(item, ctx)];
      if (end > k + 1) k = end - 1;
      for (const r of answers) {
        if (r === undefined) continue;
        const s = encode(r);
        parts.push(s);
        bytes += Buffer.byteLength(s) + 1;
        if (bytes > this.maxBatchResponse) full = true;
      }
    }
    return parts.length === 0 ? undefined : '[' + parts.join(',') + ']';
  }

  private pipelined(item: unknown): boolean {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
    const m = (item as { method?: unknown }).method;
    return typeof m === 'string' && this.registry.isPipelined(m);
  }

  /** Runs one request object; undefined for a notification. */
  private async one(item: unknown, ctx: CallContext): Promise<RpcResponse | undefined> {
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
      const result = await this.registry.call(method, params, ctx);
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
}
