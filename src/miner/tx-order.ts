/**
 * The order in which the miner offers pending txs, as go-ethereum's
 * TransactionsByPriceAndNonce: each account contributes its lowest-nonce tx;
 * the best effective tip goes first, ties broken by arrival order (here: the
 * tx hash, so that it depends only on pool content). `shift` moves to the
 * account's next nonce, `pop` drops the account for this block. A cursor can
 * be cloned, so a run of txs can be looked ahead and then replayed.
 */
import { compareBytes } from '../crypto/bytes.js';
import type { Address } from '../crypto/primitives.js';
import type { Transaction } from '../types/transaction.js';

interface Head {
  acct: number;
  tip: bigint;
  hash: Uint8Array;
}

export interface AccountTxs {
  sender: Address;
  txs: Transaction[];
}

function better(a: Head, b: Head): boolean {
  if (a.tip !== b.tip) return a.tip > b.tip;
  return compareBytes(a.hash, b.hash) < 0;
}

export class TxOrder {
  private constructor(
    private readonly accounts: readonly AccountTxs[],
    private readonly baseFee: bigint | undefined,
    private readonly pos: number[],
    private readonly heap: Head[],
  ) {}

  static create(accounts: readonly AccountTxs[], baseFee: bigint | undefined): TxOrder {
    const order = new TxOrder(accounts, baseFee, accounts.map(() => 0), []);
    accounts.forEach((a, i) => {
      if (a.txs.length > 0) order.push(i);
    });
    return order;
  }

  clone(): TxOrder {
    return new TxOrder(this.accounts, this.baseFee, [...this.pos], this.heap.map((h) => ({ ...h })));
  }

  private push(acct: number): void {
    const tx = this.accounts[acct]!.txs[this.pos[acct]!]!;
    const h: Head = { acct, tip: tx.effectiveTip(this.baseFee), hash: tx.hash() };
    const heap = this.heap;
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  }

  private removeTop(): Head | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && better(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && better(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  peek(): { tx: Transaction; sender: Address } | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const a = this.accounts[top.acct]!;
    return { tx: a.txs[this.pos[top.acct]!]!, sender: a.sender };
  }

  /** The current tx was handled: offer the account's next one. */
  shift(): void {
    const top = this.removeTop();
    if (!top) return;
    this.pos[top.acct]!++;
    if (this.pos[top.acct]! < this.accounts[top.acct]!.txs.length) this.push(top.acct);
  }

  /** Drop the current account for the rest of this block. */
  pop(): void {
    this.removeTop();
  }
}
