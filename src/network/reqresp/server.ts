/**
 * The serving side of range sync: which headers or blocks answer a request,
 * read from the chain store, and the stream handler that answers peers.
 * Forward walks follow the canonical chain; reverse walks follow parent
 * hashes (so a side branch can be walked back to where it meets ours).
 * Responses are bounded in count and in bytes; a peer has at most a couple
 * of requests open, and one that breaks the request format is reported.
 */
import type { Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from 'it-length-prefixed-stream';
import { equalBytes } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import type { Blockchain } from '../../core/chain/blockchain.js';
import { encodeBlock } from '../../types/block.js';
import { encodeHeader, type Header } from '../../types/header.js';
import { logger } from '../../util/log.js';
import { decodeRequest, MAX_REQUEST_BYTES, servedCount, SOFT_RESPONSE_BYTES, SyncProtocolError, type BlockRangeRequest } from './messages.js';
import { REQUEST_TIMEOUT_MS, SYNC_PROTOCOL, writeResponse } from './protocol.js';

const log = logger('p2p');
/** Sync requests one peer may have open at once. */
const MAX_SERVING_PER_PEER = 2;
/** Sync streams libp2p accepts per connection (the per-peer limit above refuses the excess). */
const MAX_INBOUND_STREAMS = 16;

/** The encoded frames answering `req`, in the order asked; empty when the origin is unknown. */
export function serveRange(chain: Blockchain, req: BlockRangeRequest, softBytes = SOFT_RESPONSE_BYTES): Uint8Array[] {
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
    if (frames.length > 0 && bytes + frame.length > softBytes) break;
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

/** Answers range requests on SYNC_PROTOCOL from the chain. */
export class RangeServer {
  private readonly open = new Map<string, number>();

  /** `onProtocolError` hears of peers that broke the request format (the host bans them). */
  constructor(private readonly chain: Blockchain, private readonly onProtocolError: (peer: string, why: string) => void) {}

  async register(libp2p: Libp2p): Promise<void> {
    await libp2p.handle(SYNC_PROTOCOL, ({ stream, connection }) => {
      void this.serve(stream, connection.remotePeer.toString());
    }, { maxInboundStreams: MAX_INBOUND_STREAMS });
  }

  private async serve(stream: Stream, peer: string): Promise<void> {
    const open = this.open.get(peer) ?? 0;
    if (open >= MAX_SERVING_PER_PEER) {
      stream.abort(new Error('too many concurrent requests'));
      return;
    }
    this.open.set(peer, open + 1);
    try {
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
      let raw: Uint8Array;
      try {
        raw = (await lp.read({ signal })).subarray();
      } catch (e) {
        throw signal.aborted ? e : new SyncProtocolError(`unreadable request: ${(e as Error).message}`);
      }
      const req = decodeRequest(raw);
      await writeResponse(lp, serveRange(this.chain, req), signal);
      await stream.close();
    } catch (e) {
      log.debug('Bad sync request', { peer, err: (e as Error).message });
      stream.abort(e as Error);
      if (e instanceof SyncProtocolError) this.onProtocolError(peer, e.message);
    } finally {
      const left = (this.open.get(peer) ?? 1) - 1;
      if (left > 0) this.open.set(peer, left);
      else this.open.delete(peer);
    }
  }
}
