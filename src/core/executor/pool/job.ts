/**
 * What a pool job is: a kind, and one packed payload buffer (hundreds of txs
 * per message, since a round trip to a worker costs about as much as a
 * signature recovery). Results come back as one buffer too. Both directions
 * transfer their ArrayBuffers instead of copying them.
 */

export type JobKind = 'recover' | 'transfer' | 'list-root';

export interface JobRequest {
  id: number;
  kind: JobKind;
  payload: Uint8Array;
}

export type JobResponse = { id: number; ok: true; result: Uint8Array } | { id: number; ok: false; error: string };

export type FallbackReason = 'worker-error' | 'worker-exit' | 'worker-timeout' | 'pool-closed' | 'precheck' | 'result-mismatch';

/** Why a job did not complete on a worker; the caller falls back to the serial path. */
export class WorkerJobError extends Error {
  override name = 'WorkerJobError';
  constructor(readonly reason: FallbackReason, message: string) {
    super(message);
  }
}
