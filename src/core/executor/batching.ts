/**
 * Deterministic micro-batches over a contiguous run of transfer-lane txs.
 * A batch holds at most `batchMax` txs in which no tx's sender is another tx's
 * sender or recipient. Shared recipients are allowed: credits commute, and a
 * sender's balance is only read by its own tx, so order inside a batch cannot
 * change any read. A tx touching the block's author (the fee recipient) is cut
 * out as a single serial step: the author's balance changes after every tx.
 * The cut depends only on the tx list, never on timing or map iteration.
 */
import { bytesToHex } from '../../crypto/bytes.js';
import { equalBytes } from '../../crypto/bytes.js';
import type { Address } from '../../crypto/primitives.js';
import type { Transaction } from '../../types/transaction.js';

export interface Segment {
  kind: 'batch' | 'serial';
  /** Tx indexes [start, end) in the block. */
  start: number;
  end: number;
}

const key = (a: Uint8Array) => bytesToHex(a, false);

/** Splits the transfer run txs[start..end) into batches and author-touching serial steps. */
export function makeBatches(
  txs: readonly Transaction[], senders: readonly Address[], author: Address,
  start: number, end: number, batchMax: number,
): Segment[] {
  const out: Segment[] = [];
  let bStart = start;
  let sendersIn = new Set<string>();
  let recipientsIn = new Set<string>();
  const flush = (upTo: number) => {
    if (upTo > bStart) out.push({ kind: 'batch', start: bStart, end: upTo });
    bStart = upTo;
    sendersIn = new Set();
    recipientsIn = new Set();
  };
  for (let i = start; i < end; i++) {
    const from = senders[i]!;
    const to = txs[i]!.to!;
    if (equalBytes(from, author) || equalBytes(to, author)) {
      flush(i);
      out.push({ kind: 'serial', start: i, end: i + 1 });
      bStart = i + 1;
      continue;
    }
    const f = key(from);
    const t = key(to);
    const conflict = sendersIn.has(f) || recipientsIn.has(f) || sendersIn.has(t) || i - bStart >= batchMax;
    if (conflict) flush(i);
    sendersIn.add(f);
    recipientsIn.add(t);
  }
  flush(end);
  return out;
}
