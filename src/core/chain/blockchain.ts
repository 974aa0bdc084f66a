/**
 * The blockchain: verify header (clique) → verify body → execute → validate →
 * write → fork choice, for blocks from any source (import, sync, the miner).
 * Every block is written with its state nodes, receipts, lookups and the head
 * pointer in ONE atomic LevelDB batch, so a crash leaves either the old head
 * or the new one. Inserts are serialized; readers see only written blocks.
 */
import { EventEmitter } from 'node:events';
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { hashToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { InvalidSignatureError } from '../../crypto/secp256k1.js';
import { Clique } from '../../consensus/clique/clique.js';
import type { KeyValueStore } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { cacheBudget } from '../../state/cache-budget.js';
import { StateDatabase } from '../../state/statedb/state-database.js';
import { StateDB } from '../../state/statedb/statedb.js';
import { SnapshotTree } from '../../state/snapshot/snapshot-tree.js';
import { StateRootWorker } from '../../state/root-worker/state-root-worker.js';
import { idleWhile, RootPathChooser } from '../../state/root-worker/root-path-chooser.js';
import { BlockExecutionError } from '../execution/errors.js';
import { ChainConfigError, type ChainConfig, parseChainConfig } from '../../types/chain-config.js';
import { ChainStore } from './chain-store.js';
import { genesisHeader, genesisState, type Genesis } from './genesis.js';
import { InvalidBlockError, validateBody, validateState } from './block-validator.js';
import { StateRetention, type GcMode, type RetentionConfig } from './state-retention.js';
import { EMPTY_ROOT } from '../../state/trie/trie.js';
import { logger } from '../../util/log.js';
import { yieldToEventLoop } from '../../util/yield.js';
import { SerialExecutor, type BlockExecutor, type ExecutionResult } from '../execution/state-processor.js';
import type { BlockContext } from '../execution/state-transition.js';
import { headerHash, type Header } from '../../types/header.js';
import type { Block } from '../../types/block.js';
import type { Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';

export type InsertStatus = 'canonical' | 'side' | 'known';

export interface NewHeadEvent {
  block: Block;
  hash: Hash;
  /** Txs of blocks that left the canonical chain and are not in the new one (for the pool). */
  dropped: Transaction[];
  /** Blocks that became canonical, oldest first (more than one after a reorg). */
  added: Block[];
}

export interface BlockchainOptions {
  db: KeyValueStore;
  /** Required on an empty database; checked against the stored genesis otherwise. */
  genesis?: Genesis;
  executor?: BlockExecutor;
  /** Recovers the senders of a block's txs (the executor's worker pool when it has one). */
  recoverSenders?: (txs: readonly Transaction[], chainId: bigint) => Promise<Address[]>;
  /** Unix seconds; tests and imports of old chains override the clock of the future-block check. */
  now?: () => number;
  onBlockImported?: (info: { block: Block; ms: number; status: InsertStatus }) => void;
  /** `full` prunes (recent states in memory, flushed on budget and at stop); `archive` (default here) writes every state. */
  gcmode?: GcMode;
  retention?: Partial<RetentionConfig>;
  /** go-ethereum's `--cache` in MB (default 1024): sizes the clean trie, flat-state and dirty-node caches (state/cache-budget). */
  cacheMB?: number;
  /** The flat state (default on): account and slot reads in one lookup. Off, every read walks the trie. */
  flatState?: boolean;
  /** Diff layers the flat state keeps in memory under the head (default 16). */
  flatLayers?: number;
  /**
   * A state-root worker thread (the node turns it on with `--txexec.parallel`),
   * used per block when the predicate (if any) says a core is free for it and
   * `rootPaths` measures it cheaper for the main thread than computing here.
   */
  rootWorker?: boolean | (() => boolean);
  /** What has been measured of the two root paths; pass one to carry it over chains of one process (benches). */
  rootPaths?: RootPathChooser;
}

/** Milliseconds per insert phase, summed over the chain's lifetime (benchmarks and metrics read it). */
export interface ImportTimings {
  verify: number;
  body: number;
  recover: number;
  execute: number;
  validate: number;
  write: number;
}

export class GenesisMismatchError extends Error {
  override name = 'GenesisMismatchError';
}

/** A block offered after stop(): the node is shutting down. */
export class ChainStoppedError extends Error {
  override name = 'ChainStoppedError';
  constructor() {
    super('the chain is stopped');
  }
}

const log = logger('chain');

async function serialRecover(txs: readonly Transaction[], chainId: bigint): Promise<Address[]> {
  return txs.map((tx) => tx.sender(chainId));
}

export class Blockchain extends EventEmitter {
  readonly store: ChainStore;
  readonly stateDb: StateDatabase;
  readonly engine: Clique;
  executor: BlockExecutor;
  private head!: Header;
  private headHashValue!: Hash;
  private headTd!: bigint;
  private lock: Promise<unknown> = Promise.resolve();
  readonly timings: ImportTimings = { verify: 0, body: 0, recover: 0, execute: 0, validate: 0, write: 0 };
  private readonly recover: (txs: readonly Transaction[], chainId: bigint) => Promise<Address[]>;
  /** Set with `gcmode: 'full'`. */
  readonly retention: StateRetention | undefined;
  /** The flat state's layers; undefined with `flatState: false`. */
  readonly snapshots: SnapshotTree | undefined;
  /** Set with `rootWorker`. */
  readonly rootWorker: StateRootWorker | undefined;
  private readonly useRootWorker: () => boolean;
  /** Where roots go when the worker may be used: whichever path costs the main thread less, measured. */
  readonly rootPaths: RootPathChooser;
  private stopped = false;

  private constructor(
    readonly db: KeyValueStore,
    readonly config: ChainConfig,
    readonly genesisHash: Hash,
    private readonly opts: BlockchainOptions,
  ) {
    super();
    this.store = new ChainStore(db);
    const budget = cacheBudget(opts.cacheMB);
    this.stateDb = new StateDatabase(db, { pruning: opts.gcmode === 'full', cachedNodeBytes: budget.trieCleanBytes });
    if (this.stateDb.dirty) this.retention = new StateRetention(this.stateDb.dirty, this.stateDb.nodes, { dirtyBudgetBytes: budget.dirtyBytes, ...opts.retention });
    if (opts.rootWorker) this.rootWorker = new StateRootWorker(this.stateDb.nodes, { cachedNodeBytes: budget.trieCleanBytes });
    this.useRootWorker = typeof opts.rootWorker === 'function' ? opts.rootWorker : () => true;
    this.rootPaths = opts.rootPaths ?? new RootPathChooser();
    if (opts.flatState !== false) this.stateDb.flat = this.snapshots = new SnapshotTree(db, { maxLayers: opts.flatLayers, cachedBytes: budget.flatBytes });
    this.engine = new Clique(config.clique, db, { now: opts.now });
    this.executor = opts.executor ?? new SerialExecutor();
    this.recover = opts.recoverSenders ?? serialRecover;
  }

  /** Opens the chain in `db`, writing the genesis block first when the database is empty. */
  static async open(opts: BlockchainOptions): Promise<Blockchain> {
    const store = new ChainStore(opts.db);
    let storedGenesis = store.genesisHash();
    let config: ChainConfig;
    if (!storedGenesis) {
      if (!opts.genesis) throw new ChainConfigError('database has no chain and no genesis was given (run `gtos init <genesis.json>` first)');
      const g = opts.genesis;
      const batch = opts.db.batch();
      const stateDb = new StateDatabase(opts.db);
      const { root } = genesisState(g, stateDb, batch);
      const header = genesisHeader(g, root);
      const block: Block = { header, transactions: [], uncles: [] };
      const hash = store.writeBlock(batch, block, [], header.difficulty);
      store.writeCanonical(batch, header.number, hash);
      store.writeHead(batch, hash);
      store.writeGenesisHash(batch, hash);
      batch.put(schema.chainConfig, new TextEncoder().encode(JSON.stringify(g.config.raw)));
      await batch.write();
      storedGenesis = hash;
      config = g.config;
    } else {
      const raw = opts.db.get(schema.chainConfig);
      if (!raw) throw new ChainConfigError('database has a genesis but no chain config');
      config = parseChainConfig(JSON.parse(new TextDecoder().decode(raw)));
      if (opts.genesis) {
        const { root } = genesisState(opts.genesis, new StateDatabase(opts.db));
        const h = headerHash(genesisHeader(opts.genesis, root));
        if (!equalBytes(h, storedGenesis)) {
          throw new GenesisMismatchError(`database already contains an incompatible genesis block (have ${hashToHex(storedGenesis)}, new ${hashToHex(h)})`);
        }
      }
    }
    const chain = new Blockchain(opts.db, config, storedGenesis, opts);
    chain.loadHead();
    await chain.repairHead();
    // After the repair: blocks re-executed there read the trie, and the flat state starts at the repaired head.
    await chain.snapshots?.open(chain.head.stateRoot, chain.stateDb.nodes);
    return chain;
  }

  /** Whether the state under `root` can be read (in memory or on disk). */
  hasState(root: Hash): boolean {
    return equalBytes(root, EMPTY_ROOT) || this.stateDb.dirty?.has(root) === true || this.db.get(schema.trieNode(root)) !== undefined;
  }

  /**
   * go-ethereum's head repair: after an unclean stop under pruning the head's
   * state may not be on disk. Rewind to the newest canonical block whose state
   * is, and re-execute the stored blocks from there to the old head.
   */
  private async repairHead(): Promise<void> {
    if (this.hasState(this.head.stateRoot)) return;
    const target = this.head.number;
    let anchor: Header | undefined;
    for (let n = target - 1n; n >= 0n && !anchor; n--) {
      const h = this.store.headerByNumber(n);
      if (h && this.hasState(h.stateRoot)) anchor = h;
    }
    if (!anchor) throw new ChainConfigError(`the state of block ${target} and of every block below it is missing from the database`);
    log.warn('Head state missing (unclean shutdown): re-executing blocks', { from: anchor.number + 1n, to: target });
    const anchorHash = headerHash(anchor);
    this.head = anchor;
    this.headHashValue = anchorHash;
    this.headTd = this.store.totalDifficulty(anchorHash, anchor.number)!;
    for (let n = anchor.number + 1n; n <= target; n++) {
      const block = this.getBlockByNumber(n);
      if (!block) throw new ChainConfigError(`canonical block ${n} is missing from the database`);
      await this.serialize(() => this.insertBlockLocked(block, true));
    }
    // The repaired head goes to disk at once: the work is not lost to a second crash, and the start checks find it.
    await this.serialize(() => this.flushHeadState());
  }

  /** The head's trie (under pruning) and flat state whole on disk, so the next start needs neither repair nor rebuild. */
  private async flushHeadState(): Promise<void> {
    const batch = this.db.batch();
    const flushed = this.retention?.flushState(batch, this.head.stateRoot) ?? [];
    const flat = (await this.snapshots?.cap(batch, this.head.stateRoot, 0)) === true;
    await batch.write();
    this.retention?.written(flushed);
    if (flat) this.snapshots!.written();
    if (this.retention) log.info('Wrote the head state', { block: this.head.number, nodes: flushed.length });
  }

  /**
   * Under pruning, writes the head's state whole so the next start needs no
   * repair. Inserts after this are refused. Idempotent.
   */
  stop(): Promise<void> {
    return this.serialize(async () => {
      if (this.stopped) return;
      this.stopped = true;
      await this.flushHeadState();
      await this.rootWorker?.close();
    });
  }

  private loadHead(): void {
    const hash = this.store.headHash();
    if (!hash) throw new ChainConfigError('database has no head block');
    const header = this.store.header(hash);
    const td = this.store.totalDifficulty(hash);
    if (!header || td === undefined) throw new ChainConfigError(`head block ${hashToHex(hash)} is missing from the database`);
    this.head = header;
    this.headHashValue = hash;
    this.headTd = td;
  }

  // --- reads ---

  currentHeader(): Header {
    return this.head;
  }

  currentHash(): Hash {
    return this.headHashValue;
  }

  currentTd(): bigint {
    return this.headTd;
  }

  genesisHeader(): Header {
    return this.store.header(this.genesisHash)!;
  }

  getHeader(hash: Hash, number?: bigint): Header | undefined {
    return this.store.header(hash, number);
  }

  /**
   * By the canonical mapping on disk. LevelDB applies a batch on its own thread before the write's
   * promise settles, so for that moment the mapping can already show a reorg that currentHash()
   * does not yet: readers that need one consistent view read by the head's hash.
   */
  getHeaderByNumber(number: bigint): Header | undefined {
    return this.store.headerByNumber(number);
  }

  getBlock(hash: Hash): Block | undefined {
    return this.store.block(hash);
  }

  getBlockByNumber(number: bigint): Block | undefined {
    const hash = this.store.canonicalHash(number);
    return hash ? this.store.block(hash, number) : undefined;
  }

  getReceipts(hash: Hash): Receipt[] | undefined {
    return this.store.receipts(hash);
  }

  /** Canonical position of a tx, or undefined. */
  getTxLocation(txHash: Hash): { block: Block; index: number } | undefined {
    const l = this.store.txLookup(txHash);
    if (!l) return undefined;
    const block = this.getBlockByNumber(l.blockNumber);
    if (!block || l.index >= block.transactions.length) return undefined;
    if (!equalBytes(block.transactions[l.index]!.hash(), txHash)) return undefined;
    return { block, index: l.index };
  }

  stateAt(root: Hash): StateDB {
    return new StateDB(root, this.stateDb);
  }

  headState(): StateDB {
    return this.stateAt(this.head.stateRoot);
  }

  /**
   * Starts the state root of `state` after `txs` transactions (import and the
   * miner): on the worker when it is on, a core is free for it now, and it has
   * lately cost the main thread less than computing here (RootPathChooser).
   * The caller does other work (receipt root, bloom) before awaiting `root()`.
   */
  startStateRoot(state: StateDB, txs: number): { root(): Promise<Hash> } {
    const worker = txs > 0 && this.rootWorker && this.useRootWorker() ? this.rootWorker : undefined;
    if (!worker || this.rootPaths.pick() === 'main') {
      return {
        root: async () => {
          const t0 = performance.now();
          const root = state.intermediateRoot(true);
          if (worker) this.rootPaths.record('main', performance.now() - t0, txs);
          return root;
        },
      };
    }
    const t0 = performance.now();
    const pending = state.intermediateRootOffThread(worker, true);
    const syncMs = performance.now() - t0;
    // Seen by root() below; a rejection before it is awaited must not go unhandled.
    pending.catch(() => undefined);
    return {
      root: async () => {
        const { value, idleMs } = await idleWhile(pending);
        this.rootPaths.record('worker', syncMs + idleMs, txs);
        return value;
      },
    };
  }

  /** The header reader clique needs. */
  get headerReader() {
    return {
      getHeader: (hash: Hash, number: bigint) => this.store.header(hash, number),
      getHeaderByNumber: (number: bigint) => this.store.headerByNumber(number),
    };
  }

  blockContext(header: Header, author: Address): BlockContext {
    return { author, number: header.number, time: header.time, baseFee: header.baseFee, config: this.config };
  }

  // --- writes ---

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Verifies, executes, validates and writes one block. Throws InvalidBlockError. */
  insertBlock(block: Block): Promise<InsertStatus> {
    return this.serialize(() => this.insertBlockLocked(block));
  }

  /** Inserts blocks in order; stops at the first invalid one (the ones before stay written). */
  async insertChain(blocks: readonly Block[]): Promise<{ inserted: number; statuses: InsertStatus[] }> {
    const statuses: InsertStatus[] = [];
    for (const b of blocks) statuses.push(await this.insertBlock(b));
    return { inserted: statuses.length, statuses };
  }

  /** `reprocess`: a stored block executed again to rebuild its state (head repair). */
  private async insertBlockLocked(block: Block, reprocess = false): Promise<InsertStatus> {
    if (this.stopped) throw new ChainStoppedError();
    const started = performance.now();
    const header = block.header;
    const hash = headerHash(header);
    if (!reprocess && this.store.blockNumber(hash) !== undefined) return 'known';
    const parent = this.store.header(header.parentHash, header.number - 1n);
    if (!parent) {
      throw new InvalidBlockError('unknown-parent', `unknown parent ${hashToHex(header.parentHash)} of block ${header.number}`, header.number);
    }
    let t = performance.now();
    const lap = (k: keyof ImportTimings) => {
      const now = performance.now();
      this.timings[k] += now - t;
      t = now;
    };
    try {
      this.engine.verifyHeader(this.headerReader, header);
    } catch (e) {
      throw new InvalidBlockError('bad-header', `invalid header: ${(e as Error).message}`, header.number, { cause: e });
    }
    lap('verify');
    validateBody(block, await this.executor.txRoot?.(block.transactions));
    lap('body');

    let senders: Address[];
    try {
      senders = await this.recover(block.transactions, this.config.chainId);
    } catch (e) {
      const why = e instanceof InvalidSignatureError ? 'invalid transaction signature' : (e as Error).message;
      throw new InvalidBlockError('execution-failed', `${why}`, header.number, { cause: e });
    }
    lap('recover');

    const state = this.stateAt(parent.stateRoot);
    const ctx = this.blockContext(header, this.engine.author(header));
    let result: ExecutionResult;
    try {
      result = await this.executor.executeBlock(ctx, state, block.transactions, senders, header.gasLimit);
    } catch (e) {
      if (e instanceof BlockExecutionError) throw new InvalidBlockError('execution-failed', e.message, header.number, { cause: e });
      throw e;
    }
    lap('execute');
    // Between the long synchronous phases, let worker messages in (the pool refills itself).
    await yieldToEventLoop();
    await validateState(block, result, this.startStateRoot(state, block.transactions.length));
    lap('validate');
    await yieldToEventLoop();
    const status = await this.writeBlockWithState(block, hash, state, result.receipts);
    lap('write');
    this.opts.onBlockImported?.({ block, ms: performance.now() - started, status });
    return status;
  }

  /**
   * Writes a block whose state was already computed (the miner's sealed block,
   * or an imported block after validation) and applies fork choice.
   */
  writeMinedBlock(block: Block, state: StateDB, receipts: Receipt[]): Promise<InsertStatus> {
    return this.serialize(async () => {
      if (this.stopped) throw new ChainStoppedError();
      const hash = headerHash(block.header);
      if (this.store.blockNumber(hash) !== undefined) return 'known';
      return this.writeBlockWithState(block, hash, state, receipts);
    });
  }

  private async writeBlockWithState(block: Block, hash: Hash, state: StateDB, receipts: Receipt[]): Promise<InsertStatus> {
    const header = block.header;
    const parentTd = this.store.totalDifficulty(header.parentHash, header.number - 1n);
    if (parentTd === undefined) throw new InvalidBlockError('unknown-parent', `missing total difficulty of parent of block ${header.number}`, header.number);
    const td = parentTd + header.difficulty;
    const batch = this.db.batch();
    state.commit(batch, true);
    const changes = state.committedChanges();
    if (changes) this.snapshots?.update(changes.root, changes.parentRoot, changes.diff);
    // The commit is the longest synchronous step of a write: let waiting RPC requests and worker answers in.
    await yieldToEventLoop();
    this.store.writeBlock(batch, block, receipts, td);
    const canonical = td > this.headTd;
    const headNumber = canonical ? header.number : this.head.number;
    const flushed = this.retention?.afterCommit(batch, header.number, header.stateRoot, headNumber) ?? [];

    // Fork choice: heavier total difficulty wins; ties keep the current head (execution.md §2).
    if (!canonical) {
      await batch.write();
      this.retention?.written(flushed);
      return 'side';
    }
    const { added, dropped } = this.reorgInto(batch, block, hash);
    this.store.writeHead(batch, hash);
    const snapshots = this.snapshots?.enabled ? this.snapshots : undefined;
    const covered = (await snapshots?.cap(batch, header.stateRoot)) ?? true;
    await batch.write();
    this.retention?.written(flushed);
    snapshots?.written();
    if (!covered) {
      // A reorg onto a branch that forks below the disk layer: rebuild from the new head's trie.
      log.warn('Flat state does not cover the new head: rebuilding it', { block: header.number });
      await snapshots!.generate(header.stateRoot, this.stateDb.nodes);
    }
    this.head = header;
    this.headHashValue = hash;
    this.headTd = td;
    const event: NewHeadEvent = { block, hash, dropped, added };
    this.emit('head', event);
    return 'canonical';
  }

  /** Moves the canonical mapping to end at `block`; returns what entered and what left. */
  private reorgInto(batch: ReturnType<KeyValueStore['batch']>, block: Block, hash: Hash): { added: Block[]; dropped: Transaction[] } {
    const added: Block[] = [block];
    let cursor: Header = block.header;
    // Walk the new branch back until it meets the canonical chain.
    while (cursor.number > 0n) {
      const parentNumber = cursor.number - 1n;
      const canon = this.store.canonicalHash(parentNumber);
      if (canon && equalBytes(canon, cursor.parentHash)) break;
      const parentBlock = this.store.block(cursor.parentHash, parentNumber);
      if (!parentBlock) throw new InvalidBlockError('unknown-parent', `missing ancestor ${hashToHex(cursor.parentHash)}`, parentNumber);
      added.unshift(parentBlock);
      cursor = parentBlock.header;
    }
    const forkNumber = added[0]!.header.number; // first block number that changes
    const dropped: Transaction[] = [];
    const keep = new Set<string>();
    for (const b of added) for (const tx of b.transactions) keep.add(bytesToHex(tx.hash()));
    // Everything canonical from the fork point up to the old head leaves.
    for (let n = forkNumber; n <= this.head.number; n++) {
      const old = this.getBlockByNumber(n);
      if (!old) continue;
      this.store.deleteTxLookups(batch, old);
      for (const tx of old.transactions) if (!keep.has(bytesToHex(tx.hash()))) dropped.push(tx);
      if (n > block.header.number) this.store.deleteCanonical(batch, n);
    }
    for (const b of added) {
      const h = b === block ? hash : headerHash(b.header);
      this.store.writeCanonical(batch, b.header.number, h);
      this.store.writeTxLookups(batch, b);
    }
    return { added, dropped };
  }
}
