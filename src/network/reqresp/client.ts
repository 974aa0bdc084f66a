/**
 * The requesting side of range sync: one request per stream to a connected
 * peer, its answer read within the response bounds and the request timeout.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import { lpStream } from 'it-length-prefixed-stream';
import { encodeRequest, MAX_FRAME_BYTES, type BlockRangeRequest } from './messages.js';
import { readResponse, REQUEST_TIMEOUT_MS, SYNC_PROTOCOL } from './protocol.js';

export class PeerNotConnectedError extends Error {
  override readonly name = 'PeerNotConnectedError';
  readonly code = 'not-connected';
  constructor(readonly peer: string) {
    super(`peer ${peer} is not connected`);
  }
}

/** Sends `req` to `peer` and returns the raw frames of its answer. */
export async function requestRange(libp2p: Libp2p, peer: PeerId, req: BlockRangeRequest): Promise<Uint8Array[]> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const stream = await libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal });
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
    await lp.write(encodeRequest(req), { signal });
    return await readResponse(lp, req.count, signal);
  } finally {
    await stream.close().catch(() => stream.abort(new Error('closed')));
  }
}
