/**
 * The request/response protocols spoken over libp2p streams: their ids, how
 * long one exchange may take, and the framing of a range response (an RLP
 * count frame, then that many length-prefixed frames, the whole bounded in
 * count and bytes). A reply outside the framing is a SyncProtocolError.
 */
import type { LengthPrefixedStream } from 'it-length-prefixed-stream';
import { bigintToBytes } from '../../crypto/bytes.js';
import { decodeRlp, decodeUint, encodeRlp } from '../../crypto/rlp.js';
import { MAX_FRAME_BYTES, SOFT_RESPONSE_BYTES, SyncProtocolError } from './messages.js';

export const STATUS_PROTOCOL = '/gtos/status/1';
export const SYNC_PROTOCOL = '/gtos/blocks/1';
/** The longest a handshake, a request or a dial may take. */
export const REQUEST_TIMEOUT_MS = 20_000;

/** Writes a response: its frame count, then the frames. */
export async function writeResponse(lp: LengthPrefixedStream, frames: readonly Uint8Array[], signal: AbortSignal): Promise<void> {
  await lp.write(encodeRlp(bigintToBytes(BigInt(frames.length))), { signal });
  for (const f of frames) await lp.write(f, { signal });
}

/** Reads a response to a request for `asked` items; announcing more, or more bytes than a server may send, is a protocol error. */
export async function readResponse(lp: LengthPrefixedStream, asked: number, signal: AbortSignal): Promise<Uint8Array[]> {
  let n: bigint;
  try {
    n = decodeUint(decodeRlp((await lp.read({ signal })).subarray()), 16, 'frame count');
  } catch (e) {
    throw new SyncProtocolError(`bad response header: ${(e as Error).message}`);
  }
  if (n > BigInt(asked)) throw new SyncProtocolError(`announced ${n} items for a request of ${asked}`);
  const frames: Uint8Array[] = [];
  let bytes = 0;
  for (let i = 0n; i < n; i++) {
    let f: Uint8Array;
    try {
      f = (await lp.read({ signal })).subarray();
    } catch (e) {
      throw new SyncProtocolError(`truncated response: ${(e as Error).message}`);
    }
    bytes += f.length;
    if (bytes > SOFT_RESPONSE_BYTES + MAX_FRAME_BYTES) throw new SyncProtocolError(`response exceeds ${SOFT_RESPONSE_BYTES} bytes`);
    frames.push(f);
  }
  return frames;
}
