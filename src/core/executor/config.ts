/**
 * Executor configuration, shared by block import and the miner, set from
 * `--txexec.parallel/workers/batch/shadow` or the `[txexec]` TOML section.
 */
import { defaultWorkerCount } from './pool/pool-size.js';

export interface TxExecutorConfig {
  /** Off by default, as the seed plan says: the serial reference runs unless asked. */
  parallel: boolean;
  workers: number;
  /** Largest micro-batch. */
  batchMax: number;
  /** 0 = off, 1 = every block, N = every Nth block (by number). */
  shadow: number;
  /** Stop the process on a shadow mismatch instead of keeping the serial result. */
  shadowHalt: boolean;
  /** Batches smaller than this compute their deltas on the main thread (a worker round trip costs more). */
  inlineBelow: number;
  /** Txs per sender-recovery job. */
  recoverChunk: number;
  /** Txs per transfer-compute job. */
  transferChunk: number;
  jobTimeoutMs: number;
}

export function defaultExecutorConfig(): TxExecutorConfig {
  return {
    parallel: false,
    workers: defaultWorkerCount(),
    batchMax: 1024,
    shadow: 0,
    shadowHalt: false,
    inlineBelow: Number.MAX_SAFE_INTEGER,
    recoverChunk: 256,
    transferChunk: 512,
    jobTimeoutMs: 30_000,
  };
}
