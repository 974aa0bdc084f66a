/**
 * Method registry: handlers by full name (`eth_blockNumber`, namespace before
 * the first underscore), parameter count checks, and namespaces switched on
 * by `--http.api`. A method of a disabled namespace answers exactly like an
 * unknown one (−32601), so a client cannot probe what is switched off.
 */
import { InvalidParamsError, MethodNotFoundError } from './errors.js';

/**
 * A connection that can carry server-to-client notifications (WebSocket);
 * HTTP has none, which is how subscriptions know they cannot be served.
 */
export interface RpcConnection {
  readonly closed: boolean;
  /** Sends {"jsonrpc":"2.0","method":method,"params":params}; dropped once the connection is closed. */
  notify(method: string, params: unknown): void;
  /** Runs fn once when the connection closes (at once if it already has); the returned function cancels that. */
  onClose(fn: () => void): () => void;
}

/** What a call knows about the message it came in. */
export interface CallContext {
  conn?: RpcConnection;
  /**
   * Queues fn to run after the answer to this message has been sent, so a
   * subscription's first notification can never overtake the answer that
   * carries its id. Transports without notifications may leave it out.
   */
  afterResponse?: (fn: () => void) => void;
}

/** Receives positional params (and the call's context); returns a JSON-ready value (hex strings, objects, null). */
export type RpcHandler = (params: unknown[], ctx: CallContext) => unknown | Promise<unknown>;

export interface MethodOptions {
  /** Required leading params (default 0). */
  paramsMin?: number;
  /** Params accepted at most (default unbounded). */
  paramsMax?: number;
  /**
   * Consecutive calls of this method in a batch may start before the previous
   * one has answered. Only for methods whose calls take effect in the order
   * they start (eth_sendRawTransaction: the pool admits same-turn calls as one
   * batch, in call order), so the batch means what it would one at a time.
   */
  pipelined?: boolean;
}

export interface MethodSpec extends MethodOptions {
  fn: RpcHandler;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

interface Entry {
  handler: RpcHandler;
  paramsMin: number;
  paramsMax: number;
  pipelined: boolean;
}

export function namespaceOf(method: string): string {
  const i = method.indexOf('_');
  return i < 0 ? method : method.slice(0, i);
}

export class RpcRegistry {
  private readonly methods = new Map<string, Entry>();
  private readonly enabled: Set<string>;

  /** `namespaces`: the enabled ones, as `--http.api` lists them. */
  constructor(namespaces: readonly string[] = []) {
    this.enabled = new Set(namespaces.map((n) => n.trim()).filter((n) => n.length > 0));
  }

  register(name: string, handler: RpcHandler, opts: MethodOptions = {}): void {
    if (this.methods.has(name)) throw new RegistryError(`method ${name} registered twice`);
    const paramsMin = opts.paramsMin ?? 0;
    const paramsMax = opts.paramsMax ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(paramsMin) || paramsMin < 0 || !(paramsMax >= paramsMin)) {
      throw new RegistryError(`method ${name}: bad param bounds [${paramsMin}, ${paramsMax}]`);
    }
    this.methods.set(name, { handler, paramsMin, paramsMax, pipelined: opts.pipelined === true });
  }

  /** Registers `${ns}_${key}` for every entry; a bare function takes any number of params. */
  registerNamespace(ns: string, methods: Record<string, RpcHandler | MethodSpec>): void {
    for (const [key, m] of Object.entries(methods)) {
      if (typeof m === 'function') this.register(`${ns}_${key}`, m);
      else this.register(`${ns}_${key}`, m.fn, { paramsMin: m.paramsMin, paramsMax: m.paramsMax, pipelined: m.pipelined });
    }
  }

  enable(ns: string): void {
    this.enabled.add(ns);
  }

  disable(ns: string): void {
    this.enabled.delete(ns);
  }

  isEnabled(ns: string): boolean {
    return this.enabled.has(ns);
  }

  /** True only for a registered method of an enabled namespace. */
  has(name: string): boolean {
    return this.methods.has(name) && this.enabled.has(namespaceOf(name));
  }

  /** True for a callable method registered as pipelined. */
  isPipelined(name: string): boolean {
    return this.has(name) && this.methods.get(name)!.pipelined;
  }

  /** Callable method names, sorted. */
  methodNames(): string[] {
    return [...this.methods.keys()].filter((n) => this.has(n)).sort();
  }

  /** Enabled namespaces that have methods, as geth's rpc_modules reports them. */
  modules(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.methodNames()) out[namespaceOf(n)] = '1.0';
    return out;
  }

  async call(name: string, params: unknown[], ctx: CallContext = {}): Promise<unknown> {
    const m = this.methods.get(name);
    if (!m || !this.enabled.has(namespaceOf(name))) throw new MethodNotFoundError(name);
    if (!Array.isArray(params)) throw new InvalidParamsError('non-array args');
    // Trailing nulls count as omitted optional params, as go-ethereum treats them.
    let n = params.length;
    while (n > m.paramsMin && params[n - 1] === null) n--;
    if (n < m.paramsMin) throw new InvalidParamsError(`missing value for required argument ${n}`);
    if (n > m.paramsMax) throw new InvalidParamsError(`too many arguments, want at most ${m.paramsMax}`);
    return m.handler(params.slice(0, n), ctx);
  }
}
