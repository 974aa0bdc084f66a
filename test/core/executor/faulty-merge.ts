/**
 * A merge that can be switched to be wrong by one wei (the first recipient of
 * every batch), injected through TxExecutor's `merge` option so tests can
 * prove that shadow verification catches a faulty merge.
 */
import { mergeBatch, type MergeFn } from '../../../src/core/executor/merge.js';

export interface SwitchableMerge {
  merge: MergeFn;
  corrupt: boolean;
}

export function switchableMerge(corrupt = true): SwitchableMerge {
  const ctl: SwitchableMerge = {
    corrupt,
    merge: (state, txs, senders, author, start, outcomes, gp, receipts, cumulativeBefore) => {
      // Before the real merge, so the executor's pre-merge snapshot covers it too.
      if (ctl.corrupt && outcomes.length > 0) state.addBalance(txs[start]!.to!, 1n);
      return mergeBatch(state, txs, senders, author, start, outcomes, gp, receipts, cumulativeBefore);
    },
  };
  return ctl;
}
