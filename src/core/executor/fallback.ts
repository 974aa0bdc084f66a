/**
 * The one serial exit of a micro-batch: whenever the parallel path cannot
 * vouch for a batch (precheck refusal, lost worker job, wrong worker answer,
 * failed merge), its reason is counted and the serial reference re-runs it.
 */
import type { Address } from '../../crypto/primitives.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import type { GasPool } from '../execution/gas-pool.js';
import { applySerialRange } from '../execution/state-processor.js';
import type { BlockContext } from '../execution/state-transition.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';
import type { Segment } from './batching.js';
import type { FallbackReason } from './pool/job.js';
import type { ExecutorStatsRecorder } from './stats.js';

/** The caller must have left state, gas pool and receipts as before the batch. */
export function fallbackToSerial(
  rec: ExecutorStatsRecorder, reason: FallbackReason,
  ctx: BlockContext, state: StateDB, txs: readonly Transaction[], senders: readonly Address[], seg: Segment,
  gp: GasPool, receipts: Receipt[], cumulative: bigint,
): bigint {
  rec.fallback(reason);
  return applySerialRange(ctx, state, txs, senders, seg.start, seg.end, gp, receipts, cumulative);
}
