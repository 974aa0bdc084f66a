/**
 * The serving side of range sync: which headers or blocks answer a request,
 * read from the chain store. Forward walks follow the canonical chain;
 * reverse walks follow parent hashes (so a side branch can be walked back to
 * where it meets ours). Responses are bounded in count and in bytes.
 */
import { equalBytes } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import type { Blockchain } from '../../core/chain/blockchain.js';
import { encodeBlock } from '../../types/block.js';
import { encodeHeader, type Header } from '../../types/header.js';
import { servedCount, SOFT_RESPONSE_BYTES, type BlockRangeRequest } from './messages.js';

/** The encoded frames answering `req`, in the order asked; empty when the origin is unknown. */
export function serveRange(chain: Blockchain, req: BlockRangeRequest): Uint8Array[] {
  const want = servedCount(req);
  let header: Header | undefined;
  let hash: Hash | undefined;
  if ('hash' in req.origin) {
    hash = req.origin.hash;
    header = chain.getHeader(hash);
  } else {
    header = chain.getHeaderByNumber(req.origin.number);
    hash = header ? chain.store.canonicalHash(req.origin.number) : undefined;
  }
  const frames: Uint8Array[] = [];
  let bytes = 0;
  while (header && hash && frames.length < want) {
    const frame = req.bodies ? encodeBlock(chain.getBlock(hash)!) : encodeHeader(header);
    if (frames.length > 0 && bytes + frame.length > SOFT_RESPONSE_BYTES) break;
    frames.push(frame);
    bytes += frame.length;
    if (req.reverse) {
      if (header.number === 0n) break;
      hash = header.parentHash;
      header = chain.getHeader(hash, header.number - 1n);
    } else {
      // Forward walks only continue along the canonical chain.
      const canon = chain.store.canonicalHash(header.number);
      if (!canon || !equalBytes(canon, hash)) break;
      const next = header.number + 1n;
      hash = chain.store.canonicalHash(next);
      header = hash ? chain.getHeader(hash, next) : undefined;
    }
  }
  return frames;
}
