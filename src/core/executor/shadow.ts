/**
 * Shadow verification: runs a block both ways on the same pre-state
 * (`runShadowed`), compares the parallel execution with the serial reference
 * (`compareOutcomes`: the first differing tx and both values), counts and
 * logs a mismatch, and keeps the serial result.
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import type { Address } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { logger } from '../../util/log.js';
import { executeSerial, type ExecutionResult } from '../execution/state-processor.js';
import type { BlockContext } from '../execution/state-transition.js';
import { encodeReceipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';
import type { ExecutorStatsRecorder } from './stats.js';

const log = logger('txexec');

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

/**
 * The parallel path runs on a copy; the serial reference runs on the real
 * state, so "keep the serial result" needs no state swap. With `halt` a
 * mismatch throws ShadowMismatchError instead.
 */
export async function runShadowed(
  ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], gasLimit: bigint,
  parallel: (state: StateDB) => Promise<ExecutionResult>, rec: ExecutorStatsRecorder, halt: boolean,
): Promise<ExecutionResult> {
  const pstate = state.copy();
  const par: ShadowOutcome = { result: new Error('not run') };
  try {
    par.result = await parallel(pstate);
    par.stateRoot = bytesToHex(pstate.intermediateRoot(true));
    par.authorBalance = pstate.getBalance(ctx.author);
  } catch (e) {
    par.result = e as Error;
  }
  const ser: ShadowOutcome = { result: new Error('not run') };
  rec.timed('shadow', () => {
    try {
      ser.result = executeSerial(ctx, state, txs, senders, gasLimit);
      ser.stateRoot = bytesToHex(state.intermediateRoot(true));
      ser.authorBalance = state.getBalance(ctx.author);
    } catch (e) {
      ser.result = e as Error;
    }
  });
  const mismatch = compareOutcomes(par, ser);
  rec.shadowCheck(mismatch !== undefined);
  if (mismatch) {
    const err = new ShadowMismatchError(ctx.number, mismatch);
    log.error('Shadow verification mismatch', { block: ctx.number, what: mismatch.what, tx: mismatch.txIndex ?? '-', parallel: mismatch.parallel, serial: mismatch.serial });
    if (halt) throw err;
  }
  if (ser.result instanceof Error) throw ser.result;
  return ser.result;
}
