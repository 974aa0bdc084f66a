/**
 * Method registry: handlers by full name (`eth_blockNumber`), parameter count
 * checks, and namespaces switched on by `--http.api`; a method of a disabled
 * namespace answers exactly like an unknown one.
 */
import { InvalidParamsError, MethodNotFoundError } from './errors.js';

export type RpcHandler = (params: unknown[]) => unknown | Promise<unknown>;

interface Entry {
  handler: RpcHandler;
  paramsMin: number;
  paramsMax: number;
}

export class RpcRegistry {
  private readonly methods = new Map<string, Entry>();
  private readonly enabled: Set<string>;

  constructor(namespaces: readonly string[]) {
    this.enabled = new Set(namespaces);
  }

  register(name: string, handler: RpcHandler, opts: { paramsMin?: number; paramsMax?: number } = {}): void {
    this.methods.set(name, { handler, paramsMin: opts.paramsMin ?? 0, paramsMax: opts.paramsMax ?? Number.MAX_SAFE_INTEGER });
  }

  has(name: string): boolean {
    const ns = name.split('_')[0]!;
    return this.enabled.has(ns) && this.methods.has(name);
  }

  async call(name: string, params: unknown[]): Promise<unknown> {
    if (!this.has(name)) throw new MethodNotFoundError(name);
    const m = this.methods.get(name)!;
    // Trailing nulls count as omitted optional params, as go-ethereum treats them.
    let n = params.length;
    while (n > m.paramsMin && params[n - 1] === null) n--;
    if (n < m.paramsMin) throw new InvalidParamsError(`missing value for required argument ${n}`);
    if (n > m.paramsMax) throw new InvalidParamsError(`too many arguments, want at most ${m.paramsMax}`);
    return m.handler(params.slice(0, n));
  }
}
