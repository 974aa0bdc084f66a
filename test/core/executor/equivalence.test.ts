/**
 * The contract of the parallel executor: on seeded random blocks, with any
 * worker count and batch size, it gives byte-identical receipts, gas used,
 * state root and author balance to the serial reference, and the same
 * invalid-block verdict and reason.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../../src/crypto/bytes.js';
import { executeSerial, type ExecutionResult } from '../../../src/core/execution/state-processor.js';
import { encodeReceipt } from '../../../src/types/receipt.js';
import { TxExecutor } from '../../../src/core/executor/executor.js';
import { buildCase, SCENARIOS, type BlockCase } from './scenarios.js';

interface Outcome {
  verdict: string;
  receipts: string[];
  gasUsed: bigint;
  root: string;
  author: bigint;
}

function outcome(c: BlockCase, state: BlockCase['state'], r: ExecutionResult | Error): Outcome {
  if (r instanceof Error) return { verdict: `invalid: ${r.message}`, receipts: [], gasUsed: 0n, root: '', author: 0n };
  return {
    verdict: 'valid',
    receipts: r.receipts.map((x) => bytesToHex(encodeReceipt(x))),
    gasUsed: r.gasUsed,
    root: bytesToHex(state.intermediateRoot(true)),
    author: state.getBalance(c.ctx.author),
  };
}

async function check(c: BlockCase, exec: TxExecutor, label: string): Promise<void> {
  const s1 = c.state.copy();
  const s2 = c.state.copy();
  let r1: ExecutionResult | Error;
  try { r1 = executeSerial(c.ctx, s1, c.txs, c.senders, c.gasLimit); } catch (e) { r1 = e as Error; }
  let r2: ExecutionResult | Error;
  try { r2 = await exec.executeBlock(c.ctx, s2, c.txs, c.senders, c.gasLimit); } catch (e) { r2 = e as Error; }
  assert.deepEqual(outcome(c, s2, r2), outcome(c, s1, r1), label);
}

const executors = new Map<number, TxExecutor>();
function executor(workers: number): TxExecutor {
  let e = executors.get(workers);
  if (!e) {
    e = new TxExecutor({ parallel: true, workers });
    executors.set(workers, e);
  }
  return e;
}
after(async () => {
  for (const e of executors.values()) await e.close();
});

describe('parallel executor equals the serial reference', () => {
  for (const scenario of SCENARIOS) {
    test(scenario, async () => {
      for (let seed = 1; seed <= 6; seed++) {
        const c = buildCase(seed, scenario);
        for (const workers of [1, 2, 3, 4]) {
          const exec = executor(workers);
          for (const batchMax of [1, 2, 7, 64, 10_000]) {
            for (const inlineBelow of [0, Number.MAX_SAFE_INTEGER]) {
              exec.config.batchMax = batchMax;
              exec.config.inlineBelow = inlineBelow;
              exec.config.transferChunk = 8;
              await check(c, exec, `seed=${seed} scenario=${scenario} workers=${workers} batch=${batchMax} inlineBelow=${inlineBelow}`);
            }
          }
        }
      }
    });
  }

  test('the scenarios exercise both valid and invalid blocks and real batches', async () => {
    const exec = executor(2);
    exec.config.batchMax = 64;
    exec.config.inlineBelow = 0;
    const before = exec.stats.batches;
    let invalid = 0, valid = 0;
    for (const scenario of SCENARIOS) {
      const c = buildCase(1, scenario);
      try {
        await exec.executeBlock(c.ctx, c.state.copy(), c.txs, c.senders, c.gasLimit);
        valid++;
      } catch {
        invalid++;
      }
    }
    assert.ok(valid >= 10, `valid blocks: ${valid}`);
    assert.ok(invalid >= 3, `invalid blocks: ${invalid}`);
    assert.ok(exec.stats.batches > before, 'batches ran on the parallel path');
  });
});
