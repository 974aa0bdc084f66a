/**
 * Resolves a JSON-RPC block parameter (tag, number, hash or {blockNumber}/{blockHash}) to a stored header,
 * or, for `pending` on a mining node, to the miner's next block and its state.
 *
 * Tags, as go-ethereum 1.10 answers them here:
 * - `pending`: where the node mines (NodeBackend.pending), the block it would seal next (head+1,
 *   unsealed, from the pool); where it does not, the head, as on a geth node that does not mine.
 *   The sync resolvers below (resolveHeader, findHeader) always take it as the head; the async ones
 *   (resolveState, resolveBlock) serve the pending block.
 * - `safe` and `finalized`: the head. geth 1.10.25 takes them from a consensus client and answers
 *   "safe block not found" / "finalized block not found" without one, which a clique chain never has.
 *   Clique has no finality, so there is nothing truer to give; answering with the head keeps clients
 *   that default to these tags (ethers, viem) working. A block so named can still be reorged.
 */
import type { Header } from '../../types/header.js';
import type { Block } from '../../types/block.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { hashToHex } from '../../crypto/primitives.js';
import { headerHash } from '../../types/header.js';
import { RpcError } from '../errors.js';
import { parseBlockNumberOrHash, parseBlockTag, type BlockNumberOrHash, type BlockTag } from '../hex.js';
import type { NodeBackend } from '../backend.js';

export function resolveHeader(b: NodeBackend, param: unknown): Header {
  // geth's BlockNumberOrHash: a tag, a number, a bare 32-byte hash, or {blockNumber} / {blockHash, requireCanonical}.
  return headerFor(b, parseBlockNumberOrHash(param ?? 'latest', 'block number'));
}

function headerFor(b: NodeBackend, p: BlockNumberOrHash): Header {
  const chain = b.chain;
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

/** The state a block parameter names (`dflt` when absent); `pending` is the state after the pending block. */
export async function resolveState(b: NodeBackend, param: unknown, dflt: BlockTag = 'latest'): Promise<StateDB> {
  const p = parseBlockNumberOrHash(param ?? dflt, 'block number');
  if (p === 'pending' && b.pending) return (await b.pending.get()).state;
  return b.chain.stateAt(headerFor(b, p).stateRoot);
}

/**
 * The block a block-number parameter names, for eth_getBlockByNumber and kin; `pending` marks the
 * miner's unsealed next block (geth leaves its hash, nonce and miner out). Undefined when there is none.
 */
export async function resolveBlock(b: NodeBackend, param: unknown): Promise<{ block: Block; pending: boolean } | undefined> {
  const tag = parseBlockTag(param ?? 'latest');
  if (tag === 'pending' && b.pending) return { block: (await b.pending.get()).block, pending: true };
  const h = headerAt(b, tag);
  const block = h && b.chain.getBlock(headerHash(h));
  return block ? { block, pending: false } : undefined;
}
