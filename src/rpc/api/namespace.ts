/**
 * A namespace's method table as the API modules write it (handler plus its
 * parameter bounds) and its registration under a prefix, so one table can
 * serve two names (eth_* and tos_*).
 */
import type { RpcHandler, RpcRegistry } from '../registry.js';

/** `min` required params (default 0); `max` accepted at most (default `min`, so a method takes none unless it says so). */
/** `pipelined`: see MethodOptions.pipelined. */
export type NamespaceMethods = Record<string, { fn: RpcHandler; min?: number; max?: number; pipelined?: boolean }>;

export function registerAll(reg: RpcRegistry, prefix: string, methods: NamespaceMethods): void {
  for (const [name, m] of Object.entries(methods)) reg.register(`${prefix}_${name}`, m.fn, { paramsMin: m.min ?? 0, paramsMax: m.max ?? m.min ?? 0, pipelined: m.pipelined });
}
