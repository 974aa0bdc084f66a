/**
 * Receipts in consensus form: rlp([status, cumulativeGasUsed, bloom, logs]),
 * typed receipts prefixed with the tx type. Logs are always empty on this
 * chain (no EVM), and decoding accepts only an empty log list.
 */
import { bigintToBytes, concatBytes } from '../crypto/bytes.js';
import { decodeRlp, decodeUint, encodeRlp, expectBytes, expectList, RlpError, type RlpItem } from './rlp.js';
import type { TxType } from './transaction.js';

export interface Receipt {
  type: TxType;
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  logsBloom: Uint8Array;
  logs: never[];
}

export class ReceiptDecodeError extends RlpError {
  override name = 'ReceiptDecodeError';
}

function fields(r: Receipt): RlpItem {
  return [r.status === 1 ? new Uint8Array([1]) : new Uint8Array(0), bigintToBytes(r.cumulativeGasUsed), r.logsBloom, []];
}

export function encodeReceipt(r: Receipt): Uint8Array {
  const body = encodeRlp(fields(r));
  return r.type === 0 ? body : concatBytes(new Uint8Array([r.type]), body);
}

function fromFields(item: RlpItem, type: TxType): Receipt {
  const f = expectList(item, 4, 'receipt');
  const st = expectBytes(f[0], 'status');
  if (st.length > 1 || (st.length === 1 && st[0] !== 1)) throw new ReceiptDecodeError('receipt status must be empty or 0x01');
  const logs = f[3];
  if (!Array.isArray(logs) || logs.length !== 0) throw new ReceiptDecodeError('receipt logs must be an empty list');
  return { type, status: st.length === 1 ? 1 : 0, cumulativeGasUsed: decodeUint(f[1], 64, 'cumulativeGasUsed'), logsBloom: expectBytes(f[2], 'bloom', 256), logs: [] };
}

export function decodeReceipt(b: Uint8Array): Receipt {
  try {
    if (b.length === 0) throw new ReceiptDecodeError('empty receipt');
    if (b[0]! >= 0xc0) return fromFields(decodeRlp(b), 0);
    if (b[0] === 1 || b[0] === 2) return fromFields(decodeRlp(b.subarray(1)), b[0] as TxType);
    throw new ReceiptDecodeError(`unknown receipt type ${b[0]}`);
  } catch (e) {
    if (e instanceof ReceiptDecodeError) throw e;
    throw new ReceiptDecodeError(`invalid receipt: ${(e as Error).message}`, { cause: e });
  }
}

/** Storage form for the database: a list of consensus encodings. */
export function encodeReceipts(rs: readonly Receipt[]): Uint8Array {
  return encodeRlp(rs.map((r) => encodeReceipt(r)));
}

export function decodeReceipts(b: Uint8Array): Receipt[] {
  let list: RlpItem;
  try {
    list = decodeRlp(b);
  } catch (e) {
    throw new ReceiptDecodeError(`invalid receipts: ${(e as Error).message}`, { cause: e });
  }
  if (!Array.isArray(list)) throw new ReceiptDecodeError('receipts: expected a list');
  return list.map((x, i) => {
    if (Array.isArray(x)) throw new ReceiptDecodeError(`receipts[${i}]: expected a string holding a consensus encoding`);
    return decodeReceipt(x);
  });
}
