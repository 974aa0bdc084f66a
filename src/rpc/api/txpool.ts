/** The `txpool_*` namespace: pool counts and content, pending and queued, per account and nonce. */
import type { Transaction } from '../../types/transaction.js';
import type { NodeBackend } from '../backend.js';
import { formatTx } from '../format.js';
import { toQuantity } from '../hex.js';
import type { NamespaceMethods } from './namespace.js';

export function txpoolMethods(b: NodeBackend): NamespaceMethods {
  const dump = (m: Map<string, Transaction[]>) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [acct, txs] of m) {
      const byNonce: Record<string, unknown> = {};
      for (const tx of txs) byNonce[tx.nonce.toString()] = formatTx(tx, tx.cachedSender() ?? tx.sender(b.chain.config.chainId));
      out[acct] = byNonce;
    }
    return out;
  };
  return {
    status: { fn: () => {
      const s = b.pool.status();
      return { pending: toQuantity(s.pending), queued: toQuantity(s.queued) };
    }, max: 0 },
    content: { fn: () => {
      const c = b.pool.content();
      return { pending: dump(c.pending), queued: dump(c.queued) };
    }, max: 0 },
  };
}
