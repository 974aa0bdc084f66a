/**
 * A namespace's method table as the API modules write it (handler plus its
 * parameter bounds) and its registration under a prefix, so one table can
 * serve two names (eth_* and tos_*). Registration is also where a damaged
 * database, met by any method, becomes a −32000 naming the block, and a
 * pruned state a −32000 "missing trie node" as geth answers.
 */
import { ChainCorruptionError } from '../../core/chain/chain-store.js';
import { MissingNodeError } from '../../state/trie/trie.js';
import { logger } from '../../util/log.js';
import { RpcError } from '../errors.js';
import type { RpcHandler, RpcRegistry } from '../registry.js';

const log = logger('rpc');

/** `min` required params (default 0); `max` accepted at most (default `min`, so a method takes none unless it says so). */
/** `pipelined`: see MethodOptions.pipelined. */
export type NamespaceMethods = Record<string, { fn: RpcHandler; min?: number; max?: number; pipelined?: boolean }>;

function corruptionToRpc(e: unknown): never {
  // A state the node no longer keeps (pruned, --gcmode full): geth's words, and what to do about it.
  if (e instanceof MissingNodeError) throw new RpcError(-32000, `${e.message} (the state is pruned: the node keeps the 128 most recent states; run with --gcmode archive for history)`);
  if (e instanceof ChainCorruptionError) {
    // The operator must hear of it too: the client only learns that its call failed.
    log.error('Database corruption', { block: e.block, key: e.key, record: e.record, reason: e.reason });
    throw new RpcError(-32000, e.message);
  }
  throw e;
}

/**
 * The caller is owed a reason it can report ("database corruption at block
 * N"), not the −32603 that any other unexpected failure gets. Sync handlers
 * stay sync, so the common path costs no extra promise.
 */
function mappingCorruption(fn: RpcHandler): RpcHandler {
  return (...args: Parameters<RpcHandler>) => {
    try {
      const r = fn(...args);
      return r instanceof Promise ? r.catch(corruptionToRpc) : r;
    } catch (e) {
      return corruptionToRpc(e);
    }
  };
}

export function registerAll(reg: RpcRegistry, prefix: string, methods: NamespaceMethods): void {
  for (const [name, m] of Object.entries(methods)) {
    reg.register(`${prefix}_${name}`, mappingCorruption(m.fn), { paramsMin: m.min ?? 0, paramsMax: m.max ?? m.min ?? 0, pipelined: m.pipelined });
  }
}
