/**
 * Block assembly (go-ethereum's miner worker): a header on the head (number,
 * time, gas limit toward the target, base fee, clique prepare), txs from the
 * pool in price/nonce order — contiguous plain-transfer runs through the
 * shared TxExecutor, everything else through the serial reference — with
 * go-ethereum's per-error policy, then the roots. Sealing is the miner's job.
 */
import { addressToHex, ZERO_HASH, type Address } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import { GasLimitReachedError, InvalidTxError, NonceTooHighError, NonceTooLowError } from '../core/execution/errors.js';
import type { TxExecutor } from '../core/executor/executor.js';
import { classify } from '../core/executor/classify.js';
import { GasPool } from '../core/execution/gas-pool.js';
import type { BlockContext } from '../core/execution/state-transition.js';
import { commitTransaction } from '../core/execution/commit.js';
import type { TxPool } from '../core/txpool/txpool.js';
import type { Block } from '../types/block.js';
import { createBloom } from '../types/bloom.js';
import { receiptRoot, txRoot } from '../types/derive-root.js';
import { orderedTrieRoot } from '../state/trie/ordered.js';
import { EMPTY_BLOOM, EMPTY_UNCLE_HASH, headerHash, type Header } from '../types/header.js';
import type { Receipt } from '../types/receipt.js';
import type { Transaction } from '../types/transaction.js';
import { calcBaseFee } from '../consensus/eip1559.js';
import { calcGasLimit } from '../consensus/gaslimit.js';
import type { StateDB } from '../state/statedb/statedb.js';
import { EMPTY_ROOT } from '../state/trie/trie.js';
import { TxOrder, type AccountTxs } from './tx-order.js';
import { yieldToEventLoop } from '../util/yield.js';

export interface WorkerConfig {
  signer: Address;
  /** Gas limit the blocks move toward (`--miner.gaslimit`). */
  gasTarget: bigint;
  /** Minimum effective tip a tx must pay (`--miner.gasprice`). */
  minTip: bigint;
  /** Largest run of transfers handed to the executor at once. */
  runMax?: number;
  /** Vanity bytes (≤ 32) the engine keeps at the head of extra-data (`--miner.extradata`). */
  extraData?: Uint8Array;
}

export interface BuiltBlock {
  block: Block;
  state: StateDB;
  receipts: Receipt[];
}

export class MinerWorker {
  constructor(
    private readonly chain: Blockchain,
    private readonly pool: TxPool,
    private readonly executor: TxExecutor,
    readonly config: WorkerConfig,
  ) {}

  /** The unsealed header of the next block on `parent`. */
  prepareHeader(parent: Header, nowSeconds: bigint, proposals = new Map<string, boolean>()): Header {
    const header: Header = {
      parentHash: headerHash(parent),
      uncleHash: EMPTY_UNCLE_HASH,
      coinbase: new Uint8Array(20) as Address,
      stateRoot: ZERO_HASH,
      txRoot: EMPTY_ROOT,
      receiptRoot: EMPTY_ROOT,
      logsBloom: EMPTY_BLOOM,
      difficulty: 0n,
      number: parent.number + 1n,
      gasLimit: calcGasLimit(parent.gasLimit, this.config.gasTarget),
      gasUsed: 0n,
      time: parent.time + this.chain.config.clique.period > nowSeconds ? parent.time + this.chain.config.clique.period : nowSeconds,
      extraData: this.config.extraData ?? new Uint8Array(0),
      mixDigest: ZERO_HASH,
      nonce: new Uint8Array(8),
      baseFee: calcBaseFee(parent),
    };
    this.chain.engine.prepare(this.chain.headerReader, header, this.config.signer, proposals);
    return header;
  }

  /** Assembles a full block on `parent` from the pool's pending txs. */
  async build(parent: Header, nowSeconds: bigint, proposals?: Map<string, boolean>): Promise<BuiltBlock> {
    const header = this.prepareHeader(parent, nowSeconds, proposals);
    const state = this.chain.stateAt(parent.stateRoot);
    const ctx: BlockContext = this.chain.blockContext(header, this.config.signer);
    const { txs, receipts, gasUsed } = await this.fill(ctx, state, header.gasLimit);
    header.gasUsed = gasUsed;
    // Between the long steps of a big block, RPC ingestion and worker answers get their turn.
    await yieldToEventLoop();
    // Maybe on the state-root worker (Blockchain.startStateRoot): the tx and receipt roots are
    // computed here meanwhile, and RPC requests are served while it works.
    const stateRoot = this.chain.startStateRoot(state, txs.length);
    await yieldToEventLoop();
    header.txRoot = txRoot(txs, orderedTrieRoot);
    header.receiptRoot = receiptRoot(receipts, orderedTrieRoot);
    header.stateRoot = await stateRoot.root();
    header.logsBloom = createBloom(receipts);
    return { block: { header, transactions: txs, uncles: [] }, state, receipts };
  }

  /** The pool's pending txs, accounts in address order, priced at this block's base fee. */
  private candidates(baseFee: bigint | undefined): TxOrder {
    const accounts: AccountTxs[] = [];
    const byAccount = this.pool.pendingByAccount();
    for (const key of [...byAccount.keys()].sort()) accounts.push(byAccount.get(key)!);
    return TxOrder.create(accounts, baseFee);
  }

  /**
   * go-ethereum's commitTransactions: gas limit reached → drop the account's
   * rest; nonce too low → next tx of the account; nonce too high → drop the
   * account; anything else → next tx.
   */
  async fill(ctx: BlockContext, state: StateDB, gasLimit: bigint): Promise<{ txs: Transaction[]; receipts: Receipt[]; gasUsed: bigint }> {
    const order = this.candidates(ctx.baseFee);
    const gp = new GasPool(gasLimit);
    const included: Transaction[] = [];
    const receipts: Receipt[] = [];
    let cumulative = 0n;
    const runMax = this.config.runMax ?? Math.max(64, this.executor.config.batchMax);
    const handle = (err: InvalidTxError) => {
      if (err instanceof GasLimitReachedError || err instanceof NonceTooHighError) order.pop();
      else if (err instanceof NonceTooLowError) order.shift();
      else order.shift();
    };
    for (;;) {
      if (gp.gas < ctx.config.txGas) break;
      const next = order.peek();
      if (!next) break;
      if (next.tx.effectiveTip(ctx.baseFee) < this.config.minTip) {
        order.pop();
        continue;
      }
      if (classify(next.tx, state) === 'serial') {
        const res = commitTransaction(ctx, state, next.tx, next.sender, gp, cumulative);
        if (res.failure) {
          handle(res.failure);
          continue;
        }
        receipts.push(res.receipt);
        included.push(next.tx);
        cumulative = res.receipt.cumulativeGasUsed;
        order.shift();
        continue;
      }
      // Look ahead a run of transfers assuming each succeeds; replay the cursor for the ones that did.
      const ahead = order.clone();
      const run: Transaction[] = [];
      const senders: Address[] = [];
      while (run.length < runMax) {
        const p = ahead.peek();
        if (!p || classify(p.tx, state) === 'serial' || p.tx.effectiveTip(ctx.baseFee) < this.config.minTip) break;
        run.push(p.tx);
        senders.push(p.sender);
        ahead.shift();
      }
      const res = await this.executor.applyRun(ctx, state, run, senders, gp, receipts, cumulative);
      await yieldToEventLoop();
      cumulative = res.cumulative;
      for (let i = 0; i < res.applied; i++) {
        included.push(run[i]!);
        order.shift();
      }
      if (res.failure) handle(res.failure);
    }
    return { txs: included, receipts, gasUsed: cumulative };
  }

  get signerHex(): string {
    return addressToHex(this.config.signer);
  }
}
