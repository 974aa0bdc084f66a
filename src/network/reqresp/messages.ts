/**
 * The range-sync messages (spoken on SYNC_PROTOCOL): one request per stream,
 * answered by length-prefixed frames (one RLP header or block each) and the
 * end of the stream. A request names its origin by number or hash, a count,
 * a direction and whether bodies are wanted. Both sides bound everything: a
 * request's size, the frames a response may carry (count and bytes), and a
 * single frame's size; a peer that breaks the format gets a SyncProtocolError.
 */
import { bigintToBytes } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { decodeRlp, decodeUint, encodeRlp, expectBytes, expectList } from '../../crypto/rlp.js';

export const MAX_REQUEST_BYTES = 128;
/** Most blocks (with bodies) one response carries; a larger count is served up to this. */
export const MAX_BLOCKS_PER_RESPONSE = 128;
/** Most headers one header-only response carries. */
export const MAX_HEADERS_PER_RESPONSE = 1024;
/**
 * A response stops adding frames once it has sent this many bytes (it always
 * carries at least one); go-ethereum's softResponseLimit. What a slow importer
 * has not read yet queues on the connection ahead of its pings and status
 * exchanges: at 8 MB (64 blocks of 1k txs), late in a 500-block sync, the
 * connection monitor's ping timed out behind it and the only peer was lost.
 */
export const SOFT_RESPONSE_BYTES = 2 * 1024 * 1024;
/** The largest frame a reader accepts: one block (as the largest gossip message). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export type SyncOrigin = { number: bigint } | { hash: Hash };

export interface BlockRangeRequest {
  origin: SyncOrigin;
  count: number;
  /** Walk towards genesis (by parent hash) instead of up the canonical chain. */
  reverse: boolean;
  /** Full blocks; headers only when false. */
  bodies: boolean;
}

export class SyncProtocolError extends Error {
  override name = 'SyncProtocolError';
}

const KIND_NUMBER = 0n;
const KIND_HASH = 1n;

export function encodeRequest(r: BlockRangeRequest): Uint8Array {
  const byHash = 'hash' in r.origin;
  return encodeRlp([
    bigintToBytes(byHash ? KIND_HASH : KIND_NUMBER),
    'hash' in r.origin ? r.origin.hash : bigintToBytes(r.origin.number),
    bigintToBytes(BigInt(r.count)),
    bigintToBytes(r.reverse ? 1n : 0n),
    bigintToBytes(r.bodies ? 1n : 0n),
  ]);
}

function flag(x: Parameters<typeof decodeUint>[0], what: string): boolean {
  const v = decodeUint(x, 8, what);
  if (v > 1n) throw new SyncProtocolError(`${what} must be 0 or 1`);
  return v === 1n;
}

export function decodeRequest(b: Uint8Array): BlockRangeRequest {
  if (b.length > MAX_REQUEST_BYTES) throw new SyncProtocolError(`request of ${b.length} bytes exceeds ${MAX_REQUEST_BYTES}`);
  try {
    const f = expectList(decodeRlp(b), 5, 'block range request');
    const kind = decodeUint(f[0], 8, 'kind');
    let origin: SyncOrigin;
    if (kind === KIND_NUMBER) origin = { number: decodeUint(f[1], 64, 'origin number') };
    else if (kind === KIND_HASH) origin = { hash: asHash(expectBytes(f[1], 'origin hash', 32)) };
    else throw new SyncProtocolError(`unknown origin kind ${kind}`);
    const count = Number(decodeUint(f[2], 32, 'count'));
    if (count === 0) throw new SyncProtocolError('count must be positive');
    return { origin, count, reverse: flag(f[3], 'reverse'), bodies: flag(f[4], 'bodies') };
  } catch (e) {
    if (e instanceof SyncProtocolError) throw e;
    throw new SyncProtocolError(`malformed request: ${(e as Error).message}`);
  }
}

/** The count a server actually serves for a request. */
export function servedCount(r: BlockRangeRequest): number {
  return Math.min(r.count, r.bodies ? MAX_BLOCKS_PER_RESPONSE : MAX_HEADERS_PER_RESPONSE);
}
