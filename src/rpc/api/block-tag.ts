/** Resolves a JSON-RPC block parameter (tag, number or {blockHash}) to a stored header. */
import type { Header } from '../../core/types/header.js';
import { hashFromHex } from '../../crypto/primitives.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import { parseBlockTag } from '../hex.js';
import type { NodeBackend } from '../backend.js';

export function resolveHeader(b: NodeBackend, param: unknown): Header {
  const chain = b.chain;
  if (param && typeof param === 'object' && 'blockHash' in (param as Record<string, unknown>)) {
    const raw = (param as Record<string, unknown>).blockHash;
    if (typeof raw !== 'string') throw new InvalidParamsError('blockHash must be a hex string');
    let hash;
    try {
      hash = hashFromHex(raw);
    } catch {
      throw new InvalidParamsError('invalid blockHash');
    }
    const h = chain.getHeader(hash);
    if (!h) throw new RpcError(-32000, `header for hash ${raw} not found`);
    return h;
  }
  const tag = parseBlockTag(param ?? 'latest');
  if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return chain.currentHeader();
  if (tag === 'earliest') return chain.getHeaderByNumber(0n)!;
  const h = chain.getHeaderByNumber(tag);
  if (!h) throw new RpcError(-32000, `header not found`);
  return h;
}

/** Like resolveHeader, but null for a missing block number (eth_getBlockByNumber answers null). */
export function findHeader(b: NodeBackend, param: unknown): Header | undefined {
  try {
    return resolveHeader(b, param);
  } catch (e) {
    if (e instanceof InvalidParamsError) throw e;
    return undefined;
  }
}
