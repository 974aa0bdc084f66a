/**
 * Packing of pool jobs into single buffers and back. Pure functions shared by
 * the worker entry and the main thread (which runs the same handlers inline),
 * so both compute exactly the same thing.
 *
 *  recover  in:  chainId(32) ‖ u32 count ‖ count × u32 length ‖ raw txs
 *           out: count × (ok(1) ‖ sender(20) ‖ txHash(32))
 *  list-root in:  u32 count ‖ count × u32 length ‖ items (tx or receipt encodings)
 *           out: the ordered-trie root (32)
 *  transfer in:  u32 count ‖ txGas(8) ‖ count × (gasLimit(8) ‖ price(32) ‖ tip(32) ‖ value(32) ‖ accessAddrs(4) ‖ accessKeys(4))
 *           out: count × (gasUsed(8) ‖ debit(32) ‖ fee(32))
 */
import { bigintToBytesPadded, bytesToBigint } from '../../../crypto/bytes.js';
import { asAddress, asHash, type Address, type Hash } from '../../../crypto/primitives.js';
import { Transaction } from '../../../types/transaction.js';
import { orderedTrieRoot } from '../../../state/trie/ordered.js';
import { transferOutcome, type TransferInput } from '../transfer-outcome.js';
import type { JobRequest, JobResponse } from './job.js';

export const RECOVER_OUT = 53;
const TRANSFER_IN = 8 + 32 * 3 + 8;
const TRANSFER_OUT = 8 + 32 + 32;

/** `head` bytes for the caller ‖ u32 count ‖ count × u32 length ‖ the items. */
function packItems(items: readonly Uint8Array[], head: number): Uint8Array {
  let total = head + 4 + 4 * items.length;
  for (const r of items) total += r.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(head, items.length);
  let o = head + 4;
  for (const r of items) {
    dv.setUint32(o, r.length);
    o += 4;
  }
  for (const r of items) {
    out.set(r, o);
    o += r.length;
  }
  return out;
}

/** The items of `packItems`, as views into `payload`. */
function unpackItems(payload: Uint8Array, head: number): Uint8Array[] {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = dv.getUint32(head);
  const items: Uint8Array[] = new Array(count);
  let lenOff = head + 4;
  let o = head + 4 + 4 * count;
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(lenOff);
    lenOff += 4;
    items[i] = payload.subarray(o, o + len);
    o += len;
  }
  return items;
}

export function packRecover(raws: readonly Uint8Array[], chainId: bigint): Uint8Array {
  const out = packItems(raws, 32);
  out.set(bigintToBytesPadded(chainId, 32), 0);
  return out;
}

/** Decodes, recovers and hashes each tx; a tx that fails gets ok = 0 (the main thread re-checks it to get the typed error). */
export function runRecover(payload: Uint8Array): Uint8Array {
  const chainId = bytesToBigint(payload.subarray(0, 32));
  const raws = unpackItems(payload, 32);
  const out = new Uint8Array(raws.length * RECOVER_OUT);
  raws.forEach((raw, i) => {
    try {
      const tx = Transaction.decode(raw);
      const sender = tx.sender(chainId);
      out[i * RECOVER_OUT] = 1;
      out.set(sender, i * RECOVER_OUT + 1);
      out.set(tx.hash(), i * RECOVER_OUT + 21);
    } catch {
      out[i * RECOVER_OUT] = 0;
    }
  });
  return out;
}

export function packListRoot(items: readonly Uint8Array[]): Uint8Array {
  return packItems(items, 0);
}

/** The ordered-trie root (tx or receipt root) of the packed items. */
export function runListRoot(payload: Uint8Array): Uint8Array {
  return orderedTrieRoot(unpackItems(payload, 0)).slice();
}

export interface RecoveredTx {
  sender: Address | undefined;
  hash: Hash | undefined;
}

export function unpackRecover(result: Uint8Array, index: number): RecoveredTx {
  const base = index * RECOVER_OUT;
  if (result[base] !== 1) return { sender: undefined, hash: undefined };
  return {
    sender: asAddress(result.slice(base + 1, base + 21)),
    hash: asHash(result.slice(base + 21, base + 53)),
  };
}

export function packTransfer(inputs: readonly TransferInput[], txGas: bigint): Uint8Array {
  const out = new Uint8Array(12 + inputs.length * TRANSFER_IN);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, inputs.length);
  dv.setBigUint64(4, txGas);
  let o = 12;
  for (const t of inputs) {
    dv.setBigUint64(o, t.gasLimit);
    out.set(bigintToBytesPadded(t.price, 32), o + 8);
    out.set(bigintToBytesPadded(t.tip, 32), o + 40);
    out.set(bigintToBytesPadded(t.value, 32), o + 72);
    dv.setUint32(o + 104, t.accessAddresses);
    dv.setUint32(o + 108, t.accessKeys);
    o += TRANSFER_IN;
  }
  return out;
}

export function runTransfer(payload: Uint8Array): Uint8Array {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = dv.getUint32(0);
  const txGas = dv.getBigUint64(4);
  const out = new Uint8Array(count * TRANSFER_OUT);
  const odv = new DataView(out.buffer);
  let o = 12;
  for (let i = 0; i < count; i++) {
    const input: TransferInput = {
      gasLimit: dv.getBigUint64(o),
      price: bytesToBigint(payload.subarray(o + 8, o + 40)),
      tip: bytesToBigint(payload.subarray(o + 40, o + 72)),
      value: bytesToBigint(payload.subarray(o + 72, o + 104)),
      accessAddresses: dv.getUint32(o + 104),
      accessKeys: dv.getUint32(o + 108),
    };
    o += TRANSFER_IN;
    const r = transferOutcome(input, txGas);
    const b = i * TRANSFER_OUT;
    odv.setBigUint64(b, r.gasUsed);
    out.set(bigintToBytesPadded(r.debit, 32), b + 8);
    out.set(bigintToBytesPadded(r.fee, 32), b + 40);
  }
  return out;
}

export function unpackTransfer(result: Uint8Array, index: number): { gasUsed: bigint; debit: bigint; fee: bigint } {
  const b = index * TRANSFER_OUT;
  const dv = new DataView(result.buffer, result.byteOffset, result.byteLength);
  return {
    gasUsed: dv.getBigUint64(b),
    debit: bytesToBigint(result.subarray(b + 8, b + 40)),
    fee: bytesToBigint(result.subarray(b + 40, b + 72)),
  };
}

export function transferResultCount(result: Uint8Array): number {
  return result.length / TRANSFER_OUT;
}

/** A worker's answer to one job, with the buffers to transfer (not copy) back. */
export function answerJob(req: JobRequest): [JobResponse, ArrayBuffer[]] {
  try {
    const result = req.kind === 'recover' ? runRecover(req.payload) : req.kind === 'list-root' ? runListRoot(req.payload) : runTransfer(req.payload);
    return [{ id: req.id, ok: true, result }, [result.buffer as ArrayBuffer]];
  } catch (e) {
    return [{ id: req.id, ok: false, error: (e as Error).message }, []];
  }
}
