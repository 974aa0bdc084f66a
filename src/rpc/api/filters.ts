/**
 * Log queries and polling filters (eth_getLogs, eth_newFilter,
 * eth_newBlockFilter, eth_newPendingTransactionFilter, eth_getFilterChanges,
 * eth_getFilterLogs, eth_uninstallFilter), shared by every transport so a
 * filter made over HTTP can be polled over WebSocket, as in geth.
 *
 * This chain has no EVM and system actions emit nothing, so no receipt ever
 * carries a log (Receipt.logs is never[]): log queries validate their
 * criteria and range exactly as geth would and then answer [] without
 * reading receipts, since a scan could only ever find nothing.
 */
import type { Address, Hash } from '../../crypto/primitives.js';
import { hashToHex } from '../../crypto/primitives.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, LimitExceededError, RpcError } from '../errors.js';
import { formatTx } from '../format.js';
import { parseAddress, parseBlockTag, parseBool, parseHash, type BlockTag } from '../hex.js';
import { headerHash } from '../../types/header.js';
import type { Transaction } from '../../types/transaction.js';
import type { ChainEvents } from './chain-events.js';
import { newRpcId } from './ids.js';
import type { NamespaceMethods } from './namespace.js';

/** geth's limits on a filter's criteria. */
const MAX_TOPICS = 4;
const MAX_ADDRESSES = 1000;

export interface LogCriteria {
  blockHash?: Hash;
  fromBlock?: BlockTag;
  toBlock?: BlockTag;
  addresses: Address[];
  /** Per position: the hashes any of which match, or null for any topic. */
  topics: (Hash[] | null)[];
}

/** The log object a filter would return; no value of it can exist on this chain (see the header). */
export type RpcLog = never;

export class FilterNotFoundError extends RpcError {
  override name = 'FilterNotFoundError';
  constructor() {
    super(-32000, 'filter not found');
  }
}

/** geth's FilterCriteria.UnmarshalJSON, with its messages. */
export function parseLogCriteria(raw: unknown): LogCriteria {
  if (raw === undefined || raw === null) return { addresses: [], topics: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidParamsError('invalid argument 0: expected a filter object');
  const o = raw as Record<string, unknown>;
  const present = (k: string) => o[k] !== undefined && o[k] !== null;
  const out: LogCriteria = { addresses: [], topics: [] };
  if (present('blockHash')) {
    if (present('fromBlock') || present('toBlock')) throw new InvalidParamsError('cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other');
    out.blockHash = parseHash(o.blockHash, 'blockHash');
  }
  if (present('fromBlock')) out.fromBlock = parseBlockTag(o.fromBlock, 'fromBlock');
  if (present('toBlock')) out.toBlock = parseBlockTag(o.toBlock, 'toBlock');
  if (present('address')) {
    const a = o.address;
    if (Array.isArray(a)) {
      if (a.length > MAX_ADDRESSES) throw new InvalidParamsError('exceed max addresses');
      out.addresses = a.map((x, i) => parseAddress(x, `address[${i}]`));
    } else out.addresses = [parseAddress(a, 'address')];
  }
  if (present('topics')) {
    const t = o.topics;
    if (!Array.isArray(t)) throw new InvalidParamsError('invalid topics: expected an array');
    if (t.length > MAX_TOPICS) throw new InvalidParamsError('exceed max topics');
    out.topics = t.map((pos, i) => {
      if (pos === null || pos === undefined) return null;
      if (typeof pos === 'string') return [parseHash(pos, `topics[${i}]`)];
      if (!Array.isArray(pos)) throw new InvalidParamsError('invalid topic(s)');
      // A null among the alternatives matches anything, so the whole position does.
      if (pos.some((x) => x === null)) return null;
      return pos.map((x, j) => parseHash(x, `topics[${i}][${j}]`));
    });
  }
  return out;
}

export interface FilterSystemOptions {
  /** A filter not polled for this long is removed (geth: 5 minutes). */
  timeoutMs?: number;
  /** Widest fromBlock..toBlock range eth_getLogs accepts. */
  maxBlockRange?: number;
  /** Filters installed at once, across all clients. */
  maxFilters?: number;
  /** Unpolled items a block or pending filter keeps; past it the oldest go. */
  maxFilterItems?: number;
}

interface FilterBase {
  lastPoll: number;
}
interface LogFilter extends FilterBase {
  kind: 'logs';
  criteria: LogCriteria;
}
interface BlockFilter extends FilterBase {
  kind: 'blocks';
  items: string[];
}
interface PendingFilter extends FilterBase {
  kind: 'pending';
  full: boolean;
  items: unknown[];
}
type Filter = LogFilter | BlockFilter | PendingFilter;

export class FilterSystem {
  private readonly filters = new Map<string, Filter>();
  private readonly timeoutMs: number;
  private readonly maxRange: number;
  private readonly maxFilters: number;
  private readonly maxItems: number;
  private sweeper: NodeJS.Timeout | undefined;
  private offHeads: (() => void) | undefined;
  private offPending: (() => void) | undefined;

  constructor(private readonly b: NodeBackend, private readonly events: ChainEvents, opts: FilterSystemOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
    this.maxRange = opts.maxBlockRange ?? 10_000;
    this.maxFilters = opts.maxFilters ?? 4096;
    this.maxItems = opts.maxFilterItems ?? 10_000;
  }

  get size(): number {
    return this.filters.size;
  }

  getLogs(c: LogCriteria): RpcLog[] {
    const chain = this.b.chain;
    if (c.blockHash) {
      if (!chain.getHeader(c.blockHash)) throw new RpcError(-32000, 'unknown block');
      return [];
    }
    const head = chain.currentHeader().number;
    const at = (t: BlockTag | undefined): bigint => (t === undefined || typeof t === 'string' ? (t === 'earliest' ? 0n : head) : t);
    const from = at(c.fromBlock);
    const to = at(c.toBlock);
    if (from > to) throw new RpcError(-32000, 'invalid block range');
    // Blocks past the head do not exist yet and cost nothing to "scan", so they do not count toward the cap.
    const last = to < head ? to : head;
    if (from <= last && last - from + 1n > BigInt(this.maxRange)) {
      throw new LimitExceededError(`query exceeds max block range ${this.maxRange} (asked for ${last - from + 1n} blocks)`);
    }
    return [];
  }

  newLogFilter(c: LogCriteria): string {
    return this.install({ kind: 'logs', criteria: c, lastPoll: Date.now() });
  }

  newBlockFilter(): string {
    return this.install({ kind: 'blocks', items: [], lastPoll: Date.now() });
  }

  newPendingFilter(full: boolean): string {
    return this.install({ kind: 'pending', full, items: [], lastPoll: Date.now() });
  }

  changes(id: string): unknown[] {
    const f = this.filters.get(id);
    if (!f) throw new FilterNotFoundError();
    f.lastPoll = Date.now();
    if (f.kind === 'logs') return [];
    const out = f.items;
    f.items = [];
    return out;
  }

  filterLogs(id: string): RpcLog[] {
    const f = this.filters.get(id);
    if (!f || f.kind !== 'logs') throw new FilterNotFoundError();
    return this.getLogs(f.criteria);
  }

  uninstall(id: string): boolean {
    const f = this.filters.get(id);
    if (!f) return false;
    this.filters.delete(id);
    this.retune();
    return true;
  }

  close(): void {
    this.filters.clear();
    this.retune();
  }

  private install(f: Filter): string {
    if (this.filters.size >= this.maxFilters) throw new LimitExceededError(`too many filters (max ${this.maxFilters})`);
    const id = newRpcId();
    this.filters.set(id, f);
    this.retune();
    return id;
  }

  private push(items: unknown[], add: readonly unknown[]): unknown[] {
    for (const x of add) items.push(x);
    // Dropping the oldest keeps a forgotten filter's memory flat until it expires.
    return items.length > this.maxItems ? items.slice(items.length - this.maxItems) : items;
  }

  /** Attaches to the events (and runs the expiry sweep) only while some filter needs them. */
  private retune(): void {
    let blocks = 0, pending = 0;
    for (const f of this.filters.values()) {
      if (f.kind === 'blocks') blocks++;
      else if (f.kind === 'pending') pending++;
    }
    if (blocks > 0 && !this.offHeads) {
      this.offHeads = this.events.onHeads((bs) => {
        const hashes = bs.map((bl) => hashToHex(headerHash(bl.header)));
        for (const f of this.filters.values()) if (f.kind === 'blocks') f.items = this.push(f.items, hashes) as string[];
      });
    } else if (blocks === 0 && this.offHeads) {
      this.offHeads();
      this.offHeads = undefined;
    }
    if (pending > 0 && !this.offPending) {
      this.offPending = this.events.onPending((ev) => {
        let full: unknown[] | undefined;
        for (const f of this.filters.values()) {
          if (f.kind !== 'pending') continue;
          if (f.full) full ??= ev.txs.map((tx) => formatTx(tx, senderOf(this.b, tx)));
          f.items = this.push(f.items, f.full ? full! : ev.hashes);
        }
      });
    } else if (pending === 0 && this.offPending) {
      this.offPending();
      this.offPending = undefined;
    }
    if (this.filters.size > 0 && !this.sweeper) {
      // A filter lives timeoutMs to 1.25 × timeoutMs past its last poll.
      this.sweeper = setInterval(() => this.expire(), Math.max(1, Math.floor(this.timeoutMs / 4)));
      this.sweeper.unref();
    } else if (this.filters.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private expire(): void {
    const now = Date.now();
    let gone = 0;
    for (const [id, f] of this.filters) {
      if (now - f.lastPoll >= this.timeoutMs) {
        this.filters.delete(id);
        gone++;
      }
    }
    if (gone) this.retune();
  }
}

export function senderOf(b: NodeBackend, tx: Transaction): Address {
  return tx.cachedSender() ?? tx.sender(b.chain.config.chainId);
}

function filterId(v: unknown): string {
  if (typeof v !== 'string') throw new InvalidParamsError('invalid argument 0: expected a filter id string');
  return v;
}

export function filterMethods(fs: FilterSystem): NamespaceMethods {
  return {
    getLogs: { fn: ([c]) => fs.getLogs(parseLogCriteria(c)), min: 1, max: 1 },
    newFilter: { fn: ([c]) => fs.newLogFilter(parseLogCriteria(c)), min: 1, max: 1 },
    newBlockFilter: { fn: () => fs.newBlockFilter(), max: 0 },
    newPendingTransactionFilter: { fn: ([full]) => fs.newPendingFilter(full === undefined ? false : parseBool(full, 'fullTx')), max: 1 },
    getFilterChanges: { fn: ([id]) => fs.changes(filterId(id)), min: 1, max: 1 },
    getFilterLogs: { fn: ([id]) => fs.filterLogs(filterId(id)), min: 1, max: 1 },
    uninstallFilter: { fn: ([id]) => fs.uninstall(filterId(id)), min: 1, max: 1 },
  };
}
