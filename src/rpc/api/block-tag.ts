/** Resolves a JSON-RPC block parameter (tag, number, hash or {blockNumber}/{blockHash}) to a stored header. */
import type { Header } from '../../types/header.js';
import { hashToHex } from '../../crypto/primitives.js';
import { RpcError } from '../errors.js';
import { parseBlockNumberOrHash, parseBlockTag, type BlockTag } from '../hex.js';
import type { NodeBackend } from '../backend.js';

export function resolveHeader(b: NodeBackend, param: unknown): Header {
  const chain = b.chain;
  // geth's BlockNumberOrHash: a tag, a number, a bare 32-byte hash, or {blockNumber} / {blockHash, requireCanonical}.
  const p = parseBlockNumberOrHash(param ?? 'latest', 'block number');
  if (typeof p === 'object') {
    const h = chain.getHeader(p.blockHash);
    if (!h) throw new RpcError(-32000, `header for hash ${hashToHex(p.blockHash)} not found`);
    const canon = chain.store.canonicalHash(h.number);
    if (p.requireCanonical && (!canon || hashToHex(canon) !== hashToHex(p.blockHash))) throw new RpcError(-32000, 'hash is not currently canonical');
    return h;
  }
  const h = headerAt(b, p);
  if (!h) throw new RpcError(-32000, 'header not found');
  return h;
}

/** A block-number parameter only (eth_getBlockByNumber and kin); undefined when there is no such block. */
export function findHeader(b: NodeBackend, param: unknown): Header | undefined {
  return headerAt(b, parseBlockTag(param ?? 'latest'));
}

function headerAt(b: NodeBackend, tag: BlockTag): Header | undefined {
  if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return b.chain.currentHeader();
  return b.chain.getHeaderByNumber(tag === 'earliest' ? 0n : tag);
}
