/**
 * eth_subscribe / eth_unsubscribe (also as tos_*): the kinds newHeads,
 * newPendingTransactions, logs and syncing, delivered as geth's
 * `<ns>_subscription` notifications over a connection that can push
 * (WebSocket). A connection's subscriptions end when it closes.
 */
import type { Block } from '../../types/block.js';
import type { Transaction } from '../../types/transaction.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, LimitExceededError, NotificationsUnsupportedError, RpcError } from '../errors.js';
import { formatHeader, formatTx } from '../format.js';
import { parseBool } from '../hex.js';
import type { CallContext, RpcConnection } from '../registry.js';
import type { ChainEvents, SyncStatus } from './chain-events.js';
import { parseLogCriteria, senderOf } from './filters.js';
import { newRpcId } from './ids.js';
import type { NamespaceMethods } from './namespace.js';

export class SubscriptionNotFoundError extends RpcError {
  override name = 'SubscriptionNotFoundError';
  constructor() {
    super(-32000, 'subscription not found');
  }
}

/** geth's answer for a kind it has no subscription for (its code is −32601 too). */
export class UnknownSubscriptionError extends RpcError {
  override name = 'UnknownSubscriptionError';
  constructor(ns: string, kind: string) {
    const shown = kind.length > 64 ? kind.slice(0, 64) + '…' : kind;
    super(-32601, `no "${shown}" subscription in ${ns} namespace`);
  }
}

export interface SubscriptionOptions {
  /** Subscriptions one connection may hold at once. */
  maxPerConnection?: number;
}

interface Subscription {
  cancel(): void;
}

export class SubscriptionService {
  private readonly byConn = new WeakMap<RpcConnection, Map<string, Subscription>>();
  private readonly maxPerConn: number;
  private live = 0;
  // Formatted once per block / tx however many subscribers there are.
  private readonly headerJson = new WeakMap<Block, Record<string, unknown>>();
  private readonly txJson = new WeakMap<Transaction, Record<string, unknown>>();

  constructor(private readonly b: NodeBackend, private readonly events: ChainEvents, opts: SubscriptionOptions = {}) {
    this.maxPerConn = opts.maxPerConnection ?? 1000;
  }

  /** Subscriptions open across all connections. */
  get size(): number {
    return this.live;
  }

  /** The subscribe/unsubscribe pair of one namespace; notifications go out as `${ns}_subscription`. */
  methods(ns: string): NamespaceMethods {
    return {
      subscribe: { fn: (p, ctx) => this.subscribe(ns, p, ctx), min: 1, max: 2 },
      unsubscribe: { fn: ([id], ctx) => this.unsubscribe(id, ctx), min: 1, max: 1 },
    };
  }

  private subscribe(ns: string, [kind, arg]: unknown[], ctx: CallContext): string {
    const conn = ctx.conn;
    if (!conn) throw new NotificationsUnsupportedError();
    if (typeof kind !== 'string') throw new InvalidParamsError('invalid argument 0: expected a subscription name');
    // Parsed before anything is set up, so a bad argument leaves nothing behind.
    let source: (push: (result: unknown) => void) => () => void;
    switch (kind) {
      case 'newHeads':
        source = (push) => this.events.onHeads((blocks) => {
          for (const bl of blocks) push(this.header(bl));
        });
        break;
      case 'newPendingTransactions': {
        const full = arg === undefined ? false : parseBool(arg, 'fullTx');
        source = (push) => this.events.onPending((ev) => {
          if (full) for (const tx of ev.txs) push(this.tx(tx));
          else for (const h of ev.hashes) push(h);
        });
        break;
      }
      case 'logs':
        parseLogCriteria(arg);
        // No receipt on this chain carries a log (see filters.ts), so nothing is listened to.
        source = () => () => {};
        break;
      case 'syncing':
        source = (push) => this.events.onSyncing((s) => push(syncResult(s)));
        break;
      default:
        throw new UnknownSubscriptionError(ns, kind);
    }
    if (conn.closed) throw new RpcError(-32000, 'connection closed');
    const subs = this.subsOf(conn);
    if (subs.size >= this.maxPerConn) throw new LimitExceededError(`too many subscriptions on this connection (max ${this.maxPerConn})`);

    const id = newRpcId();
    const method = `${ns}_subscription`;
    // Held back until the answer with the id is out: geth's client (and viem) drop notifications for an id they do not know yet.
    let held: unknown[] | undefined = [];
    const send = (result: unknown) => conn.notify(method, { subscription: id, result });
    const off = source((result) => {
      if (held) held.push(result);
      else send(result);
    });
    subs.set(id, {
      cancel: () => {
        off();
        held = undefined;
        this.live--;
      },
    });
    this.live++;
    const activate = () => {
      const q = held;
      held = undefined;
      if (subs.has(id)) for (const r of q ?? []) send(r);
    };
    if (ctx.afterResponse) ctx.afterResponse(activate);
    else activate();
    return id;
  }

  private unsubscribe(id: unknown, ctx: CallContext): boolean {
    const conn = ctx.conn;
    if (!conn) throw new NotificationsUnsupportedError();
    if (typeof id !== 'string') throw new InvalidParamsError('invalid argument 0: expected a subscription id');
    const subs = this.byConn.get(conn);
    const sub = subs?.get(id);
    if (!sub) throw new SubscriptionNotFoundError();
    subs!.delete(id);
    sub.cancel();
    return true;
  }

  private subsOf(conn: RpcConnection): Map<string, Subscription> {
    let subs = this.byConn.get(conn);
    if (!subs) {
      const own = new Map<string, Subscription>();
      subs = own;
      this.byConn.set(conn, own);
      conn.onClose(() => {
        for (const s of own.values()) s.cancel();
        own.clear();
        this.byConn.delete(conn);
      });
    }
    return subs;
  }

  private header(bl: Block): Record<string, unknown> {
    let h = this.headerJson.get(bl);
    if (!h) {
      h = formatHeader(bl.header);
      this.headerJson.set(bl, h);
    }
    return h;
  }

  private tx(tx: Transaction): Record<string, unknown> {
    let t = this.txJson.get(tx);
    if (!t) {
      t = formatTx(tx, senderOf(this.b, tx));
      this.txJson.set(tx, t);
    }
    return t;
  }
}

/** geth 1.10's SyncingResult: plain JSON numbers, not quantities. */
function syncResult(s: SyncStatus): unknown {
  if (s === false) return false;
  return {
    syncing: true,
    status: { startingBlock: Number(s.startingBlock), currentBlock: Number(s.currentBlock), highestBlock: Number(s.highestBlock), pulledStates: 0, knownStates: 0 },
  };
}
