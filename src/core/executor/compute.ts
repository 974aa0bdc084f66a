/**
 * Phase 4, compute: the outcome of every prechecked tx of a micro-batch,
 * inline or on the worker pool, and the check that a worker's answers are
 * exactly what the shared pure function gives before the merge may use them.
 */
import { packTransfer, runTransfer, transferResultCount, unpackTransfer } from './pool/job-codec.js';
import type { WorkerPool } from './pool/worker-pool.js';
import { transferOutcome, type TransferInput, type TransferOutcome } from './transfer-outcome.js';

export function computeInline(inputs: readonly TransferInput[], txGas: bigint): TransferOutcome[] {
  return inputs.map((t) => transferOutcome(t, txGas));
}

/** Rejects with a WorkerJobError when a job is lost; results keep the input order. */
export async function computeOnWorkers(pool: WorkerPool, inputs: readonly TransferInput[], txGas: bigint, chunk: number): Promise<TransferOutcome[]> {
  const payloads: Uint8Array[] = [];
  for (let s = 0; s < inputs.length; s += chunk) payloads.push(packTransfer(inputs.slice(s, s + chunk), txGas));
  const results = await pool.runGroup('transfer', payloads, (_k, p) => runTransfer(p));
  const out: TransferOutcome[] = [];
  for (const r of results) {
    const n = transferResultCount(r);
    for (let k = 0; k < n; k++) out.push(unpackTransfer(r, k));
  }
  return out;
}

/** A worker's answer is used only if it is exactly what the shared pure function gives, tx by tx. */
export function outcomesFit(inputs: readonly TransferInput[], outcomes: readonly TransferOutcome[], txGas: bigint): boolean {
  if (outcomes.length !== inputs.length) return false;
  for (let k = 0; k < inputs.length; k++) {
    const o = outcomes[k]!;
    const want = transferOutcome(inputs[k]!, txGas);
    if (o.gasUsed !== want.gasUsed || o.debit !== want.debit || o.fee !== want.fee) return false;
  }
  return true;
}
