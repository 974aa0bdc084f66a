/**
 * Tx gossip messages: one gossip message carries a batch of transactions
 * (an RLP list of their canonical encodings), so a flood of txs costs one
 * publish per batch instead of one per tx. The Batcher collects what the
 * pool announces during one turn of the event loop and flushes it in
 * messages bounded by count and bytes.
 */
import { decodeRlp, encodeRlp } from '../../crypto/rlp.js';
import { Transaction } from '../../types/transaction.js';
import { MAX_TX_SIZE } from '../../core/txpool/config.js';

/** Txs per gossip message. */
export const MAX_TXS_PER_MESSAGE = 512;
/** Bytes of tx encodings per gossip message (a message stays well under the block frame limit). */
export const MAX_TX_MESSAGE_BYTES = 1024 * 1024;

export class TxBatchError extends Error {
  override readonly name = 'TxBatchError';
}

export function encodeTxBatch(encodings: readonly Uint8Array[]): Uint8Array {
  return encodeRlp([...encodings]);
}

/** Decodes a tx gossip message; any malformed, oversized or empty part fails the whole message. */
export function decodeTxBatch(data: Uint8Array): Transaction[] {
  if (data.length > MAX_TX_MESSAGE_BYTES + 64 * 1024) throw new TxBatchError(`tx message of ${data.length} bytes`);
  let items: unknown;
  try {
    items = decodeRlp(data);
  } catch (e) {
    throw new TxBatchError(`malformed tx message: ${(e as Error).message}`);
  }
  if (!Array.isArray(items) || items.length === 0) throw new TxBatchError('tx message is not a non-empty list');
  if (items.length > MAX_TXS_PER_MESSAGE) throw new TxBatchError(`tx message with ${items.length} txs`);
  return items.map((raw) => {
    if (!(raw instanceof Uint8Array)) throw new TxBatchError('tx message item is not a byte string');
    if (raw.length > MAX_TX_SIZE) throw new TxBatchError(`tx of ${raw.length} bytes`);
    try {
      return Transaction.decode(raw);
    } catch (e) {
      throw new TxBatchError(`malformed tx in message: ${(e as Error).message}`);
    }
  });
}

/**
 * Gathers tx encodings and hands them to `flush` as bounded messages at the
 * end of the current event-loop turn (RPC batches and pool promotions arrive
 * as bursts, so one turn is the natural batch).
 */
export class TxBatcher {
  private queue: Uint8Array[] = [];
  private scheduled = false;

  constructor(private readonly flush: (message: Uint8Array, count: number) => void) {}

  add(encoding: Uint8Array): void {
    this.queue.push(encoding);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    let part: Uint8Array[] = [];
    let bytes = 0;
    for (const enc of queue) {
      if (part.length && (part.length >= MAX_TXS_PER_MESSAGE || bytes + enc.length > MAX_TX_MESSAGE_BYTES)) {
        this.flush(encodeTxBatch(part), part.length);
        part = [];
        bytes = 0;
      }
      part.push(enc);
      bytes += enc.length;
    }
    if (part.length) this.flush(encodeTxBatch(part), part.length);
  }
}
