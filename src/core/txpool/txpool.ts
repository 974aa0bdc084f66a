/**
 * The transaction pool, go-ethereum's design: per account, `pending` holds the
 * executable txs (nonces contiguous from the state nonce) and `queued` the
 * future ones; validation with typed reasons and GTOS fast reject; 10 %
 * replacement bump; per-account and global limits with eviction of the
 * cheapest remote tx; a lifetime for queued remote txs; reset on every new
 * head; a journal so local txs survive a restart. Admission of batches
 * recovers signatures on the executor's worker pool.
 */
import { EventEmitter } from 'node:events';
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { addressToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { InvalidSignatureError } from '../../crypto/secp256k1.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { SYSTEM_ACTION_ADDRESS } from '../../sysaction/addresses.js';
import { validateSysActionShape } from '../../sysaction/codec.js';
import type { ChainConfig } from '../../types/chain-config.js';
import { intrinsicGas } from '../execution/intrinsic-gas.js';
import { InsufficientFundsError, IntrinsicGasError, NonceTooLowError } from '../execution/errors.js';
import { checkFeeFields } from '../execution/state-transition.js';
import type { Header } from '../../types/header.js';
import { ChainIdMismatchError, Transaction } from '../../types/transaction.js';
import { defaultTxPoolConfig, MAX_TX_SIZE, type TxPoolConfig } from './config.js';
import { isPoolRejection, TxPoolError, type PoolRejection } from './errors.js';
import { TxJournal } from './journal.js';


export interface PoolChain {
  readonly config: ChainConfig;
  currentHeader(): Header;
  headState(): StateDB;
}

interface PoolTx {
  tx: Transaction;
  hash: string;
  sender: Address;
  senderHex: string;
  local: boolean;
}

type Nonces = Map<bigint, PoolTx>;

export interface PoolStatus {
  pending: number;
  queued: number;
}

/**
 * GTOS fast reject, the admission rules on a tx's destination and payload: no
 * contract creation, data only for a well-formed system action. Exported so
 * eth_estimateGas and eth_call refuse what the pool would, in its words.
 */
export function checkTxPayload(to: Address | null, data: Uint8Array): void {
  if (to === null) throw new TxPoolError('contract-creation');
  if (equalBytes(to, SYSTEM_ACTION_ADDRESS)) {
    try {
      validateSysActionShape(data);
    } catch (e) {
      throw new TxPoolError('bad-system-action', (e as Error).message);
    }
  } else if (data.length > 0) {
    throw new TxPoolError('data-not-allowed');
  }
}

export class TxPool extends EventEmitter {
  readonly config: TxPoolConfig;
  private readonly pending = new Map<string, Nonces>();
  private readonly queued = new Map<string, Nonces>();
  private readonly all = new Map<string, PoolTx>();
  private readonly localAccounts = new Set<string>();
  /** Senders configured as local (--txpool.locals). */
  private readonly localSenders: ReadonlySet<string>;
  /** Local txs in the pool (pending and queued), held to `localSlots`. */
  private localCount = 0;
  /** Last time an account's queue made progress (for the lifetime of queued remote txs). */
  private readonly beats = new Map<string, number>();
  private state: StateDB;
  private head: Header;
  private pendingCount = 0;
  private queuedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private rejournalTimer: NodeJS.Timeout | undefined;
  private readonly journal: TxJournal | undefined;
  private localQueue: { tx: Transaction; resolve: (h: Hash) => void; reject: (e: unknown) => void }[] = [];
  private failure: string | undefined;

  constructor(
    private readonly chain: PoolChain,
    config: Partial<TxPoolConfig> = {},
    private readonly opts: {
      recoverSenders?: (txs: readonly Transaction[], chainId: bigint) => Promise<Address[]>;
      journalPath?: string;
      /** How often the journal is rewritten with the local txs still pooled (go-ethereum's --txpool.rejournal). */
      rejournalMs?: number;
      now?: () => number;
    } = {},
  ) {
    super();
    this.config = { ...defaultTxPoolConfig(), ...config };
    this.localSenders = new Set(this.config.locals.map((a) => a.toLowerCase()));
    this.state = chain.headState();
    this.head = chain.currentHeader();
    this.timer = setInterval(() => this.evictExpired(), 60_000);
    this.timer.unref();
    if (opts.journalPath) {
      this.journal = new TxJournal(opts.journalPath);
      this.rejournalTimer = setInterval(() => this.journalRotate(), opts.rejournalMs ?? 3_600_000);
      this.rejournalTimer.unref();
    }
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  // --- queries ---

  status(): PoolStatus {
    return { pending: this.pendingCount, queued: this.queuedCount };
  }

  get(hash: Hash): Transaction | undefined {
    return this.all.get(bytesToHex(hash))?.tx;
  }

  has(hash: Hash): boolean {
    return this.all.has(bytesToHex(hash));
  }

  /**
   * Gives a block's txs (its own decoded copies) the senders this pool already
   * recovered, so the import does not recover them again: an equal hash means
   * the same signed bytes, hence the same sender. A follower of a busy signer
   * has nearly every block tx in its pool (gossiped before the block), where
   * recovery was a third of the import's work. Returns how many were known.
   */
  installKnownSenders(txs: readonly Transaction[]): number {
    if (this.all.size === 0) return 0;
    let known = 0;
    for (const tx of txs) {
      if (tx.cachedSender() !== undefined) continue;
      const p = this.all.get(bytesToHex(tx.hash()));
      if (!p) continue;
      tx.setSender(p.sender);
      known++;
    }
    return known;
  }

  /** Executable txs per account, nonce-sorted (what the miner packs). */
  pendingByAccount(): Map<string, { sender: Address; txs: Transaction[] }> {
    const out = new Map<string, { sender: Address; txs: Transaction[] }>();
    for (const [acct, list] of this.pending) {
      const sorted = [...list.values()].sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : 1));
      if (sorted.length) out.set(acct, { sender: sorted[0]!.sender, txs: sorted.map((p) => p.tx) });
    }
    return out;
  }

  content(): { pending: Map<string, Transaction[]>; queued: Map<string, Transaction[]> } {
    const dump = (m: Map<string, Nonces>) => {
      const out = new Map<string, Transaction[]>();
      for (const [a, list] of m) out.set(a, [...list.values()].sort((x, y) => (x.tx.nonce < y.tx.nonce ? -1 : 1)).map((p) => p.tx));
      return out;
    };
    return { pending: dump(this.pending), queued: dump(this.queued) };
  }

  /** The next nonce an account should use, counting its pending txs. */
  nonce(addr: Address): bigint {
    const key = addressToHex(addr);
    return this.state.getNonce(addr) + BigInt(this.pending.get(key)?.size ?? 0);
  }

  // --- admission ---

  /**
   * A tx from this node's user (RPC): kept in the journal, exempt from the
   * price floor and eviction. Calls made in the same turn of the event loop
   * (the eth_sendRawTransaction calls of one JSON-RPC batch) are admitted
   * together, in call order: one sender-recovery pass (split over the worker
   * pool with --txexec.parallel) and one journal append for all of them.
   */
  addLocal(tx: Transaction): Promise<Hash> {
    return new Promise<Hash>((resolve, reject) => {
      this.localQueue.push({ tx, resolve, reject });
      if (this.localQueue.length === 1) queueMicrotask(() => void this.flushLocals());
    });
  }

  private async flushLocals(): Promise<void> {
    const queue = this.localQueue;
    this.localQueue = [];
    try {
      const errs = await this.addBatch(queue.map((q) => q.tx), !this.config.noLocals);
      queue.forEach((q, i) => {
        const err = errs[i];
        if (err) q.reject(err);
        else q.resolve(q.tx.hash());
      });
    } catch (e) {
      for (const q of queue) q.reject(e);
    }
  }

  /** Txs from peers. Returns one entry per tx: undefined when accepted. */
  async addRemotes(txs: readonly Transaction[]): Promise<(PoolRejection | undefined)[]> {
    return this.addBatch(txs, false);
  }

  private async addBatch(txs: readonly Transaction[], local: boolean): Promise<(PoolRejection | undefined)[]> {
    const chainId = this.chain.config.chainId;
    const results: (PoolRejection | undefined)[] = new Array(txs.length).fill(undefined);
    const fresh: number[] = [];
    txs.forEach((tx, i) => {
      if (this.all.has(bytesToHex(tx.hash()))) results[i] = new TxPoolError('already-known');
      else fresh.push(i);
    });
    const toRecover = fresh.map((i) => txs[i]!);
    let senders: (Address | undefined)[];
    try {
      senders = this.opts.recoverSenders ? await this.opts.recoverSenders(toRecover, chainId) : toRecover.map((tx) => tx.sender(chainId));
    } catch {
      // One bad signature fails the batch recovery: sort them out one by one.
      senders = toRecover.map((tx) => {
        try {
          return tx.sender(chainId);
        } catch {
          return undefined;
        }
      });
    }
    if (this.failure) return txs.map(() => new TxPoolError('storage-failure', this.failure));
    const promoted: Transaction[] = [];
    const journaled: { i: number; ptx: PoolTx }[] = [];
    fresh.forEach((i, k) => {
      const tx = txs[i]!;
      try {
        let sender = senders[k];
        if (!sender) sender = this.senderOf(tx);
        // A copy earlier in this batch, or admitted by a batch that finished while this one recovered.
        if (this.all.has(bytesToHex(tx.hash()))) throw new TxPoolError('already-known');
        const senderHex = addressToHex(sender);
        const isLocal = local || this.localSenders.has(senderHex);
        this.validate(tx, sender, isLocal);
        const ptx: PoolTx = { tx, hash: bytesToHex(tx.hash()), sender, senderHex, local: isLocal };
        if (this.insert(ptx)) promoted.push(tx);
        if (isLocal) journaled.push({ i, ptx });
      } catch (e) {
        if (isPoolRejection(e)) results[i] = e;
        else throw e;
      }
    });
    if (this.journal && journaled.length && !this.journal.append(journaled.map((j) => j.ptx.tx.encode()))) {
      // A local tx is acknowledged only once it would survive a restart: the ones the journal
      // could not take leave the pool again and are refused, and the pool refuses from now on.
      const err = this.journal.lastError ?? new Error('journal write failed');
      const gone = new Set<Transaction>();
      for (const { i, ptx } of journaled) {
        if (this.all.get(ptx.hash) === ptx) this.removeTx(ptx);
        gone.add(ptx.tx);
        results[i] = new TxPoolError('storage-failure', err.message);
      }
      this.refuse(err.message);
      this.emit('storage-failure', err);
      for (let k = promoted.length - 1; k >= 0; k--) if (gone.has(promoted[k]!)) promoted.splice(k, 1);
    }
    this.enforceGlobalLimits();
    if (promoted.length) this.emit('pending', promoted);
    return results;
  }

  /**
   * From now on every tx is refused with a storage failure (the node could
   * not write and is stopping): nothing is acknowledged that would be lost.
   */
  refuse(reason: string): void {
    this.failure ??= reason;
  }

  get refusing(): boolean {
    return this.failure !== undefined;
  }

  private senderOf(tx: Transaction): Address {
    try {
      return tx.sender(this.chain.config.chainId);
    } catch (e) {
      if (e instanceof ChainIdMismatchError) throw new TxPoolError('wrong-chain');
      if (e instanceof InvalidSignatureError) throw new TxPoolError('invalid-signature');
      throw new TxPoolError('invalid-signature', (e as Error).message);
    }
  }

  /** Stateless and stateful checks, in go-ethereum's order, plus GTOS fast reject. */
  private validate(tx: Transaction, sender: Address, local: boolean): void {
    if (tx.size() > MAX_TX_SIZE) throw new TxPoolError('oversized', `${tx.size()} bytes`);
    checkTxPayload(tx.to, tx.data);
    if (tx.gasLimit > this.head.gasLimit) throw new TxPoolError('gas-limit');
    checkFeeFields(tx);
    if (!local && tx.maxPriorityFeePerGas < this.config.priceLimit) throw new TxPoolError('underpriced');
    const stNonce = this.state.getNonce(sender);
    if (tx.nonce < stNonce) throw new NonceTooLowError(tx.nonce, stNonce);
    const balance = this.state.getBalance(sender);
    if (balance < tx.cost()) throw new InsufficientFundsError(balance, tx.cost());
    const intrinsic = intrinsicGas(tx.data, tx.accessList, this.chain.config.txGas);
    if (tx.gasLimit < intrinsic) throw new IntrinsicGasError(tx.gasLimit, intrinsic);
  }

  private replaceable(old: PoolTx, tx: Transaction): boolean {
    const bump = this.config.priceBump;
    const minCap = (old.tx.maxFeePerGas * (100n + bump)) / 100n;
    const minTip = (old.tx.maxPriorityFeePerGas * (100n + bump)) / 100n;
    return tx.maxFeePerGas >= minCap && tx.maxPriorityFeePerGas >= minTip;
  }

  /** Places a validated tx; returns true if it became pending. */
  private insert(ptx: PoolTx): boolean {
    const acct = ptx.senderHex;
    if (ptx.local && this.localCount >= this.config.localSlots && !this.replacesOwn(ptx)) throw new TxPoolError('pool-full', `${this.localCount} local txs`);
    if (ptx.local) this.localAccounts.add(acct);
    if (!ptx.local && this.all.size >= this.config.globalSlots + this.config.globalQueue) this.makeRoomFor(ptx);
    const stNonce = this.state.getNonce(ptx.sender);
    const pend = this.pending.get(acct);
    const nonce = ptx.tx.nonce;
    const existingPending = pend?.get(nonce);
    if (existingPending) {
      if (!this.replaceable(existingPending, ptx.tx)) throw new TxPoolError('replace-underpriced');
      this.untrack(existingPending);
      pend!.set(nonce, ptx);
      this.track(ptx);
      return true;
    }
    const queue = this.queued.get(acct);
    const existingQueued = queue?.get(nonce);
    if (existingQueued) {
      if (!this.replaceable(existingQueued, ptx.tx)) throw new TxPoolError('replace-underpriced');
      this.untrack(existingQueued);
      queue!.set(nonce, ptx);
      this.track(ptx);
      return this.promote(ptx.sender, acct).length > 0;
    }
    const next = stNonce + BigInt(pend?.size ?? 0);
    if (nonce === next) {
      this.listFor(this.pending, acct).set(nonce, ptx);
      this.pendingCount++;
      this.track(ptx);
      this.beats.set(acct, this.now());
      this.promote(ptx.sender, acct);
      return true;
    }
    // A nonce-gapped tx cannot be mined until the gap fills, so the queue
    // limits hold for locals too (they are only exempt from eviction).
    const q = this.queued.get(acct);
    if ((q?.size ?? 0) >= this.config.accountQueue) throw new TxPoolError('account-limit');
    if (ptx.local && this.queuedCount >= this.config.globalQueue) {
      this.trimQueued(this.config.globalQueue - 1);
      if (this.queuedCount >= this.config.globalQueue) throw new TxPoolError('pool-full', 'queue of non-executable txs is full');
    }
    this.listFor(this.queued, acct).set(nonce, ptx);
    this.queuedCount++;
    this.track(ptx);
    if (!this.beats.has(acct)) this.beats.set(acct, this.now());
    return false;
  }

  private track(p: PoolTx): void {
    this.all.set(p.hash, p);
    if (p.local) this.localCount++;
  }

  private untrack(p: PoolTx): void {
    if (this.all.delete(p.hash) && p.local) this.localCount--;
  }

  private listFor(m: Map<string, Nonces>, acct: string): Nonces {
    let l = m.get(acct);
    if (!l) {
      l = new Map();
      m.set(acct, l);
    }
    return l;
  }

  /** Moves queued txs that became contiguous into pending; returns them. */
  private promote(sender: Address, acct: string): Transaction[] {
    const q = this.queued.get(acct);
    if (!q || q.size === 0) return [];
    const pend = this.listFor(this.pending, acct);
    let next = this.state.getNonce(sender) + BigInt(pend.size);
    const moved: Transaction[] = [];
    for (let p = q.get(next); p; p = q.get(next)) {
      q.delete(next);
      this.queuedCount--;
      pend.set(next, p);
      this.pendingCount++;
      moved.push(p.tx);
      next++;
    }
    if (q.size === 0) this.queued.delete(acct);
    if (moved.length) this.beats.set(acct, this.now());
    return moved;
  }

  /** Pool full: evict the cheapest remote tx, unless the newcomer is no better. */
  private makeRoomFor(ptx: PoolTx): void {
    let cheapest: PoolTx | undefined;
    for (const p of this.all.values()) {
      if (p.local) continue;
      if (!cheapest || p.tx.maxPriorityFeePerGas < cheapest.tx.maxPriorityFeePerGas) cheapest = p;
    }
    if (!cheapest || ptx.tx.maxPriorityFeePerGas <= cheapest.tx.maxPriorityFeePerGas) throw new TxPoolError('underpriced');
    this.removeTx(cheapest);
  }

  /** Removes one tx; pending txs above it lose executability and go back to the queue. */
  private removeTx(p: PoolTx): void {
    this.untrack(p);
    const pend = this.pending.get(p.senderHex);
    if (pend?.get(p.tx.nonce) === p) {
      pend.delete(p.tx.nonce);
      this.pendingCount--;
      for (const [n, later] of [...pend]) {
        if (n > p.tx.nonce) {
          pend.delete(n);
          this.pendingCount--;
          this.listFor(this.queued, p.senderHex).set(n, later);
          this.queuedCount++;
        }
      }
      if (pend.size === 0) this.pending.delete(p.senderHex);
      return;
    }
    const q = this.queued.get(p.senderHex);
    if (q?.get(p.tx.nonce) === p) {
      q.delete(p.tx.nonce);
      this.queuedCount--;
      if (q.size === 0) this.queued.delete(p.senderHex);
    }
  }

  private enforceGlobalLimits(): void {
    // Pending over the global cap: trim remote accounts above their slot allowance, highest nonces first.
    if (this.pendingCount > this.config.globalSlots) {
      for (const [acct, list] of this.pending) {
        if (this.pendingCount <= this.config.globalSlots) break;
        if (this.localAccounts.has(acct)) continue;
        const nonces = [...list.keys()].sort((a, b) => (a < b ? 1 : -1));
        for (const n of nonces) {
          if (list.size <= this.config.accountSlots || this.pendingCount <= this.config.globalSlots) break;
          this.removeTx(list.get(n)!);
        }
      }
    }
    if (this.queuedCount > this.config.globalQueue) this.trimQueued(this.config.globalQueue);
  }

  /** Queued over `limit`: drops whole queues of the longest-idle remote accounts. */
  private trimQueued(limit: number): void {
    const accts = [...this.queued.keys()].filter((a) => !this.localAccounts.has(a)).sort((a, b) => (this.beats.get(a) ?? 0) - (this.beats.get(b) ?? 0));
    for (const a of accts) {
      if (this.queuedCount <= limit) break;
      for (const p of [...(this.queued.get(a)?.values() ?? [])]) this.removeTx(p);
    }
  }

  /** A replacement takes its predecessor's slot, so it never counts against a ceiling. */
  private replacesOwn(ptx: PoolTx): boolean {
    return Boolean(this.pending.get(ptx.senderHex)?.has(ptx.tx.nonce) || this.queued.get(ptx.senderHex)?.has(ptx.tx.nonce));
  }

  private evictExpired(): void {
    const cutoff = this.now() - this.config.lifetimeMs;
    for (const [acct, q] of [...this.queued]) {
      if (this.localAccounts.has(acct)) continue;
      if ((this.beats.get(acct) ?? 0) < cutoff) for (const p of [...q.values()]) this.removeTx(p);
    }
  }

  // --- new heads ---

  /**
   * Re-reads the head state: drops txs that were included (nonce below the
   * state nonce) or became unaffordable (demoting the rest of the account),
   * promotes what became executable, and re-admits txs of dropped blocks.
   */
  async reset(dropped: readonly Transaction[] = []): Promise<void> {
    this.state = this.chain.headState();
    this.head = this.chain.currentHeader();
    const accounts = new Set([...this.pending.keys(), ...this.queued.keys()]);
    for (const acct of accounts) {
      const sample = this.pending.get(acct)?.values().next().value ?? this.queued.get(acct)?.values().next().value;
      if (!sample) continue;
      const sender = sample.sender;
      const stNonce = this.state.getNonce(sender);
      const balance = this.state.getBalance(sender);
      for (const m of [this.pending, this.queued]) {
        const list = m.get(acct);
        if (!list) continue;
        for (const [n, p] of [...list]) {
          if (n < stNonce) {
            list.delete(n);
            this.untrack(p);
            if (m === this.pending) this.pendingCount--;
            else this.queuedCount--;
          }
        }
        if (list.size === 0) m.delete(acct);
      }
      // Pending must start exactly at the state nonce and stay affordable; whatever breaks the run goes back to the queue.
      const pend = this.pending.get(acct);
      if (pend) {
        let expect = stNonce;
        for (const n of [...pend.keys()].sort((a, b) => (a < b ? -1 : 1))) {
          const p = pend.get(n)!;
          if (n !== expect || p.tx.cost() > balance) {
            pend.delete(n);
            this.pendingCount--;
            if (p.tx.cost() > balance) this.untrack(p);
            else {
              this.listFor(this.queued, acct).set(n, p);
              this.queuedCount++;
            }
          } else expect++;
        }
        if (pend.size === 0) this.pending.delete(acct);
      }
      this.promote(sender, acct);
    }
    if (dropped.length) await this.addRemotes(dropped);
  }

  // --- journal ---

  /**
   * Rewrites the journal with the local txs still in the pool, on the rejournal
   * interval and at stop (not on every head: its cost grows with the locals).
   */
  journalRotate(): boolean {
    if (!this.journal) return true;
    const locals: Uint8Array[] = [];
    for (const p of this.all.values()) if (p.local) locals.push(p.tx.encode());
    return this.journal.rotate(locals);
  }

  /** Re-adds the journal's txs as locals; undecodable or now-invalid entries are skipped. */
  async loadJournal(): Promise<{ loaded: number; dropped: number }> {
    if (!this.journal) return { loaded: 0, dropped: 0 };
    const { entries, torn } = this.journal.load();
    let loaded = 0, dropped = torn ? 1 : 0;
    const txs: Transaction[] = [];
    for (const raw of entries) {
      try {
        txs.push(Transaction.decode(raw));
      } catch {
        dropped++;
      }
    }
    // One admission pass (senders recovered together), in journal order.
    // With --txpool.nolocals the journal's txs come back as remote ones (price floor, eviction).
    for (const err of txs.length ? await this.addBatch(txs, !this.config.noLocals) : []) {
      if (err) dropped++;
      else loaded++;
    }
    this.journalRotate();
    return { loaded, dropped };
  }

  /** Stops the timers and writes the journal a last time. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.rejournalTimer) clearInterval(this.rejournalTimer);
    if (this.timer || this.rejournalTimer) this.journalRotate();
    this.journal?.close();
    this.timer = this.rejournalTimer = undefined;
  }
}
