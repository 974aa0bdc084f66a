/**
 * Shadow verification: compares a parallel execution with the serial
 * reference run on the same pre-state. Reports the first differing tx and
 * both values; the caller keeps the serial result.
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import type { ExecutionResult } from '../execution/state-processor.js';
import { encodeReceipt } from '../../types/receipt.js';

export interface ShadowOutcome {
  result: ExecutionResult | Error;
  stateRoot?: string;
  authorBalance?: bigint;
}

export interface ShadowMismatch {
  what: 'verdict' | 'receipt' | 'gas-used' | 'state-root' | 'author-balance' | 'receipt-count';
  txIndex?: number;
  parallel: string;
  serial: string;
}

export class ShadowMismatchError extends Error {
  override name = 'ShadowMismatchError';
  constructor(readonly blockNumber: bigint, readonly mismatch: ShadowMismatch) {
    super(`shadow verification failed at block ${blockNumber}: ${mismatch.what}${mismatch.txIndex !== undefined ? ` (tx ${mismatch.txIndex})` : ''}: parallel ${mismatch.parallel}, serial ${mismatch.serial}`);
  }
}

export function compareOutcomes(par: ShadowOutcome, ser: ShadowOutcome): ShadowMismatch | undefined {
  const p = par.result, s = ser.result;
  if (p instanceof Error || s instanceof Error) {
    const pm = p instanceof Error ? `invalid: ${p.message}` : 'valid';
    const sm = s instanceof Error ? `invalid: ${s.message}` : 'valid';
    return pm === sm ? undefined : { what: 'verdict', parallel: pm, serial: sm };
  }
  const n = Math.min(p.receipts.length, s.receipts.length);
  for (let i = 0; i < n; i++) {
    const a = encodeReceipt(p.receipts[i]!), b = encodeReceipt(s.receipts[i]!);
    if (!equalBytes(a, b)) return { what: 'receipt', txIndex: i, parallel: bytesToHex(a), serial: bytesToHex(b) };
  }
  if (p.receipts.length !== s.receipts.length) {
    return { what: 'receipt-count', parallel: String(p.receipts.length), serial: String(s.receipts.length) };
  }
  if (p.gasUsed !== s.gasUsed) return { what: 'gas-used', parallel: String(p.gasUsed), serial: String(s.gasUsed) };
  if (par.authorBalance !== ser.authorBalance) {
    return { what: 'author-balance', parallel: String(par.authorBalance), serial: String(ser.authorBalance) };
  }
  if (par.stateRoot !== ser.stateRoot) return { what: 'state-root', parallel: String(par.stateRoot), serial: String(ser.stateRoot) };
  return undefined;
}
