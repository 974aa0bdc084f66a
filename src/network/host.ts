/**
 * The p2p host: libp2p (tcp, noise, yamux, identify, ping, gossipsub,
 * bootstrap) with a persistent node key; the status handshake on every
 * connection (mismatched peers are disconnected) and a status refresh every
 * few seconds; block and tx gossip validated before anything is forwarded
 * (blocks are imported first; invalid ones are rejected, which gossipsub
 * scores, and a peer past the disconnect score is banned); the range-sync
 * protocol served from the chain and driven by the Syncer whenever a peer
 * claims a heavier chain; bootnodes are redialed when they drop.
 */
import './compat.js';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId } from '@libp2p/interface';
import { lpStream } from 'it-length-prefixed-stream';
import { bigintToBytes, bytesToHex } from '../crypto/bytes.js';
import { decodeRlp, decodeUint, encodeRlp } from '../crypto/rlp.js';
import type { Blockchain, NewHeadEvent } from '../core/chain/blockchain.js';
import { decodeBlock, encodeBlock, type Block } from '../types/block.js';
import { headerHash } from '../types/header.js';
import type { Transaction } from '../types/transaction.js';
import type { TxPool } from '../core/txpool/txpool.js';
import { InvalidBlockError } from '../core/chain/block-validator.js';
import { logger } from '../util/log.js';
import { BanList } from './peers/ban-list.js';
import { isPeerFault } from './gossip/block-fault.js';
import { DISCONNECT_SCORE, scoreParams, scoreThresholds } from './gossip/scoring.js';
import { checkCompatible, decodeStatus, encodeStatus, MAX_STATUS_BYTES, STATUS_PROTOCOL, type Status } from './peers/status.js';
import {
  decodeRequest, encodeRequest, MAX_FRAME_BYTES, MAX_REQUEST_BYTES, SOFT_RESPONSE_BYTES, SYNC_PROTOCOL, SyncProtocolError, type BlockRangeRequest,
} from './reqresp/messages.js';
import { serveRange } from './reqresp/server.js';
import { decodeTxBatch, TxBatcher } from './gossip/tx-batch.js';
import { PeerFaultError, Syncer, type SyncProgress } from '../sync/syncer.js';

const log = logger('p2p');
export const MAX_BLOCK_MESSAGE_BYTES = MAX_FRAME_BYTES;
const REQUEST_TIMEOUT_MS = 20_000;
/** Sync requests one peer may have open at once. */
const MAX_SERVING_PER_PEER = 2;
/** Pending txs announced again when a peer joins. */
const MAX_REANNOUNCE = 1024;
/** Tx admission errors a correct peer would never relay: a signature or shape error is the sender's fault. */
const SENDER_FAULTS = new Set([
  'invalid-signature', 'wrong-chain', 'oversized', 'contract-creation', 'data-not-allowed', 'bad-system-action',
  'intrinsic-gas', 'tip-above-fee-cap', 'fee-too-large',
]);

export type GossipTopicKind = 'blocks' | 'txs';
export type Verdict = 'accept' | 'ignore' | 'reject';

/** What the node's metrics see of the host. */
export interface P2pObserver {
  peers?(n: number): void;
  gossip?(topic: GossipTopicKind, direction: 'in' | 'out', verdict: Verdict | 'sent'): void;
  sync?(p: SyncProgress | undefined, imported: number): void;
}

export interface P2pOptions {
  privateKey?: Awaited<ReturnType<typeof import('./node-key.js').loadNodeKey>>;
  host?: string;
  port: number;
  bootnodes?: string[];
  networkId: bigint;
  maxPeers?: number;
  observer?: P2pObserver;
  /** Recover senders of fetched blocks ahead of import (the executor's prefetch). */
  prefetch?: (blocks: readonly Block[]) => void;
  /** Blocks per sync request. */
  syncChunk?: number;
  /** How long a misbehaving peer stays banned. */
  banMs?: number;
  /** How often peers' statuses are refreshed (and a sync started if one is ahead). */
  statusIntervalMs?: number;
}

export class P2pNode extends EventEmitter {
  readonly peers = new Map<string, Status>();
  readonly syncer: Syncer;
  private readonly seen = new Set<string>();
  private readonly seenTxs = new Set<string>();
  private readonly serving = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** Detaches what the host hung on the chain and the pool (they outlive it). */
  private readonly unsubscribe: (() => void)[] = [];
  private stopped = false;
  /** Gossip messages published and the blocks/txs they carried (what the tests and metrics count). */
  readonly publishedMessages = { blocks: 0, txs: 0 };
  readonly publishedItems = { blocks: 0, txs: 0 };
  private readonly txBatcher = new TxBatcher((message, count) => void this.publish('txs', message, count));

  private constructor(
    readonly libp2p: Libp2p<{ pubsub: GossipSub }>, readonly chain: Blockchain, readonly networkId: bigint,
    private readonly pool: TxPool | undefined, private readonly opts: P2pOptions, readonly bans: BanList,
  ) {
    super();
    this.syncer = new Syncer(chain, (peer, req) => this.requestRange(peer, req), { chunk: opts.syncChunk, prefetch: opts.prefetch });
  }

  static topics(networkId: bigint): { blocks: string; txs: string } {
    return { blocks: `/gtos/${networkId}/blocks/1`, txs: `/gtos/${networkId}/txs/2` };
  }

  get blockTopic(): string {
    return P2pNode.topics(this.networkId).blocks;
  }

  get txTopic(): string {
    return P2pNode.topics(this.networkId).txs;
  }

  static async start(chain: Blockchain, opts: P2pOptions, pool?: TxPool): Promise<P2pNode> {
    const topics = P2pNode.topics(opts.networkId);
    const bans = new BanList();
    const libp2p = await createLibp2p({
      privateKey: opts.privateKey as never,
      addresses: { listen: [`/ip4/${opts.host ?? '127.0.0.1'}/tcp/${opts.port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: opts.maxPeers ?? 50 },
      connectionGater: {
        denyDialPeer: (p: PeerId) => bans.isBanned(p.toString()),
        denyInboundEncryptedConnection: (p: PeerId) => bans.isBanned(p.toString()),
        denyOutboundEncryptedConnection: (p: PeerId) => bans.isBanned(p.toString()),
      },
      peerDiscovery: opts.bootnodes?.length ? [bootstrap({ list: opts.bootnodes })] : [],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          // As Ethereum's consensus-layer gossip: no per-message signatures (blocks carry
          // their seal, txs their own signatures) and ids from the content, so a copy
          // relayed by another peer is the same message.
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (msg) => new Uint8Array(createHash('sha256').update(msg.topic).update(msg.data).digest()),
          maxInboundDataLength: MAX_BLOCK_MESSAGE_BYTES,
          scoreParams: scoreParams(topics.blocks, topics.txs),
          scoreThresholds: scoreThresholds(),
        }),
      },
    });
    const node = new P2pNode(libp2p as never, chain, opts.networkId, pool, opts, bans);
    await node.wire();
    return node;
  }

  status(): Status {
    return {
      networkId: this.networkId, genesisHash: this.chain.genesisHash, headHash: this.chain.currentHash(),
      headNumber: this.chain.currentHeader().number, td: this.chain.currentTd(),
    };
  }

  private async wire(): Promise<void> {
    await this.libp2p.handle(STATUS_PROTOCOL, async ({ stream, connection }) => {
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
        const theirs = decodeStatus((await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray());
        await lp.write(encodeStatus(this.status()));
        await stream.close().catch(() => undefined);
        this.accept(connection.remotePeer.toString(), theirs);
      } catch (e) {
        this.drop(connection.remotePeer, (e as Error).message);
      }
    });
    await this.libp2p.handle(SYNC_PROTOCOL, ({ stream, connection }) => {
      void this.serveSync(stream, connection.remotePeer.toString());
    }, { maxInboundStreams: 16 });
    this.libp2p.addEventListener('peer:connect', (evt) => {
      void this.exchangeStatus(evt.detail);
    });
    this.libp2p.addEventListener('peer:disconnect', (evt) => {
      this.peers.delete(evt.detail.toString());
      this.opts.observer?.peers?.(this.peers.size);
    });
    const pubsub = this.libp2p.services.pubsub;
    pubsub.topicValidators.set(this.blockTopic, async (peer, msg) => {
      const verdict = await this.onBlock(msg.data, peer.toString());
      this.opts.observer?.gossip?.('blocks', 'in', verdict);
      return verdict as never;
    });
    pubsub.subscribe(this.blockTopic);
    if (this.pool) {
      const pool = this.pool;
      pubsub.topicValidators.set(this.txTopic, async (_peer, msg) => {
        // One verdict per message: a message with any invalid tx is rejected whole (not forwarded, sender scored).
        const verdict = await this.onTx(msg.data);
        this.opts.observer?.gossip?.('txs', 'in', verdict);
        return verdict as never;
      });
      pubsub.subscribe(this.txTopic);
      // A peer that just subscribed has missed what was announced before: announce the pending txs again.
      pubsub.addEventListener('subscription-change', (evt) => {
        if (evt.detail.subscriptions.some((s) => s.subscribe && s.topic === this.txTopic)) this.announcePending();
      });
      // Txs that entered the pool other than by gossip (RPC, journal, a reorg) are announced once.
      const onPending = (txs: Transaction[]) => {
        for (const tx of txs) {
          const h = bytesToHex(tx.hash());
          if (this.seenTxs.has(h)) continue;
          this.remember(this.seenTxs, h);
          if (this.hasTopicPeers('txs')) this.txBatcher.add(tx.encode());
        }
      };
      pool.on('pending', onPending);
      this.unsubscribe.push(() => pool.off('pending', onPending));
    }
    const onHead = (ev: NewHeadEvent) => {
      // Announce blocks that did not come from gossip (ours, or imported otherwise), unless catching up.
      if (!this.seen.has(bytesToHex(ev.hash)) && !this.syncer.busy) void this.publishBlock(ev.block);
      // Txs of blocks a reorg dropped may exist nowhere else: when the pool takes them back
      // (its 'pending' event, after this), they are announced again.
      for (const tx of ev.dropped) this.seenTxs.delete(bytesToHex(tx.hash()));
    };
    this.chain.on('head', onHead);
    this.unsubscribe.push(() => this.chain.off('head', onHead));
    pubsub.addEventListener('gossipsub:heartbeat', () => this.checkScores());
    this.syncer.on('progress', (p: SyncProgress) => this.opts.observer?.sync?.(p, 0));

    const every = this.opts.statusIntervalMs ?? 5_000;
    this.timers.push(setInterval(() => void this.refreshPeers(), every));
    if (this.opts.bootnodes?.length) this.timers.push(setInterval(() => void this.redialBootnodes(), every * 2));
    for (const t of this.timers) t.unref();
  }

  // --- status and peers ---

  /** Dials the status protocol: sends ours, reads theirs, records (or drops) the peer. */
  private async exchangeStatus(peer: PeerId): Promise<Status | undefined> {
    try {
      const stream = await this.libp2p.dialProtocol(peer, STATUS_PROTOCOL, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
      await lp.write(encodeStatus(this.status()));
      const theirs = decodeStatus((await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray());
      await stream.close().catch(() => undefined);
      this.accept(peer.toString(), theirs);
      return theirs;
    } catch (e) {
      if (this.stopped) return undefined;
      this.drop(peer, (e as Error).message);
      return undefined;
    }
  }

  private accept(peer: string, theirs: Status): void {
    checkCompatible(this.status(), theirs);
    const known = this.peers.has(peer);
    this.peers.set(peer, theirs);
    if (!known) {
      this.emit('peer', peer, theirs);
      this.opts.observer?.peers?.(this.peers.size);
    }
    this.maybeSync();
  }

  private drop(peer: PeerId, why: string): void {
    log.debug('Dropping peer', { peer: peer.toString(), why });
    this.peers.delete(peer.toString());
    this.emit('drop', peer.toString(), why);
    void this.libp2p.hangUp(peer).catch(() => undefined);
  }

  /** Disconnects a peer and refuses it for `ms` (misbehaviour, or an operator's decision). */
  ban(peer: string, why: string, ms = this.opts.banMs ?? 10 * 60_000): void {
    log.info('Banning peer', { peer, why, seconds: Math.round(ms / 1000) });
    this.bans.ban(peer, ms);
    const id = this.peerId(peer);
    this.emit('ban', peer, why);
    if (id) this.drop(id, why);
    else this.peers.delete(peer);
  }

  unban(peer: string): void {
    this.bans.unban(peer);
  }

  private peerId(peer: string): PeerId | undefined {
    return this.libp2p.getConnections().find((c) => c.remotePeer.toString() === peer)?.remotePeer;
  }

  private async refreshPeers(): Promise<void> {
    if (this.stopped) return;
    await Promise.all([...this.peers.keys()].map((p) => {
      const id = this.peerId(p);
      return id ? this.exchangeStatus(id) : undefined;
    }));
  }

  private async redialBootnodes(): Promise<void> {
    for (const addr of this.opts.bootnodes ?? []) {
      if (this.stopped) return;
      let ma: Multiaddr;
      try {
        ma = multiaddr(addr);
      } catch {
        continue;
      }
      const id = ma.getPeerId();
      if (id && (this.peers.has(id) || this.bans.isBanned(id))) continue;
      await this.libp2p.dial(ma, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => undefined);
    }
  }

  /** Gossipsub scores lag a heartbeat; past the threshold the peer goes. */
  private checkScores(): void {
    const pubsub = this.libp2p.services.pubsub;
    for (const peer of [...this.peers.keys()]) {
      const score = pubsub.getScore(peer);
      if (score < DISCONNECT_SCORE) this.ban(peer, `gossip score ${score.toFixed(1)} below ${DISCONNECT_SCORE}`);
    }
  }

  // --- sync ---

  /** Starts a sync from the heaviest peer that is ahead of us, if none runs. */
  private maybeSync(): void {
    if (this.syncer.busy || this.stopped) return;
    let best: [string, Status] | undefined;
    for (const e of this.peers) if (!best || e[1].td > best[1].td) best = e;
    if (!best || best[1].td <= this.chain.currentTd()) return;
    const [peer, status] = best;
    // Whatever the outcome, the claim is settled until the peer's next status: one that
    // cannot deliver what it announced (or reorged meanwhile) is not asked again at once.
    const settle = () => {
      const st = this.peers.get(peer);
      const ours = this.chain.currentTd();
      if (st && st.td > ours) this.peers.set(peer, { ...st, td: ours });
    };
    void this.syncer.maybeSync(peer, status).then((r) => {
      if (r) this.opts.observer?.sync?.(undefined, r.imported);
      settle();
      this.maybeSync();
    }, (e: Error) => {
      if (e instanceof PeerFaultError || e instanceof SyncProtocolError) this.ban(peer, e.message);
      else if (!this.stopped) log.warn('Sync failed', { peer, err: e });
      settle();
    });
  }

  /** One range request to a peer: the count frame, then that many frames, all bounded. */
  private async requestRange(peer: string, req: BlockRangeRequest): Promise<Uint8Array[]> {
    const id = this.peerId(peer);
    if (!id) throw new Error(`peer ${peer} is not connected`);
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const stream = await this.libp2p.dialProtocol(id, SYNC_PROTOCOL, { signal });
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
      await lp.write(encodeRequest(req), { signal });
      let n: bigint;
      try {
        n = decodeUint(decodeRlp((await lp.read({ signal })).subarray()), 16, 'frame count');
      } catch (e) {
        throw new SyncProtocolError(`bad response header: ${(e as Error).message}`);
      }
      if (n > BigInt(req.count)) throw new PeerFaultError(peer, `announced ${n} items for a request of ${req.count}`);
      const frames: Uint8Array[] = [];
      let bytes = 0;
      for (let i = 0n; i < n; i++) {
        let f: Uint8Array;
        try {
          f = (await lp.read({ signal })).subarray();
        } catch (e) {
          throw new SyncProtocolError(`truncated response: ${(e as Error).message}`);
        }
        bytes += f.length;
        if (bytes > SOFT_RESPONSE_BYTES + MAX_FRAME_BYTES) throw new PeerFaultError(peer, `response exceeds ${SOFT_RESPONSE_BYTES} bytes`);
        frames.push(f);
      }
      return frames;
    } finally {
      await stream.close().catch(() => stream.abort(new Error('closed')));
    }
  }

  private async serveSync(stream: Parameters<Parameters<Libp2p['handle']>[1]>[0]['stream'], peer: string): Promise<void> {
    const open = this.serving.get(peer) ?? 0;
    if (open >= MAX_SERVING_PER_PEER) {
      stream.abort(new Error('too many concurrent requests'));
      return;
    }
    this.serving.set(peer, open + 1);
    try {
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
      let raw: Uint8Array;
      try {
        raw = (await lp.read({ signal })).subarray();
      } catch (e) {
        throw signal.aborted ? e : new SyncProtocolError(`unreadable request: ${(e as Error).message}`);
      }
      const req = decodeRequest(raw);
      const frames = serveRange(this.chain, req);
      await lp.write(encodeRlp(bigintToBytes(BigInt(frames.length))), { signal });
      for (const f of frames) await lp.write(f, { signal });
      await stream.close();
    } catch (e) {
      log.debug('Bad sync request', { peer, err: (e as Error).message });
      stream.abort(e as Error);
      if (e instanceof SyncProtocolError) this.ban(peer, e.message);
    } finally {
      const left = (this.serving.get(peer) ?? 1) - 1;
      if (left > 0) this.serving.set(peer, left);
      else this.serving.delete(peer);
    }
  }

  // --- gossip ---

  /** Gossip validation: import first, forward only what imported. */
  private async onBlock(data: Uint8Array, from: string): Promise<Verdict> {
    let block;
    try {
      if (data.length > MAX_BLOCK_MESSAGE_BYTES) return 'reject';
      block = decodeBlock(data);
    } catch {
      return 'reject';
    }
    const hash = bytesToHex(headerHash(block.header));
    if (this.seen.has(hash)) return 'ignore';
    this.remember(this.seen, hash);
    try {
      const status = await this.chain.insertBlock(block);
      this.emit('block', block, status);
      const st = this.peers.get(from);
      if (st && block.header.number > st.headNumber) this.peers.set(from, { ...st, headHash: headerHash(block.header), headNumber: block.header.number });
      return status === 'known' ? 'ignore' : 'accept';
    } catch (e) {
      if (e instanceof InvalidBlockError && e.code === 'unknown-parent') {
        // We are behind (or on another branch): ask the sender where it is, which syncs if it is heavier.
        const id = this.peerId(from);
        if (id && !this.syncer.busy) void this.exchangeStatus(id);
        this.seen.delete(hash);
        return 'ignore';
      }
      if (!isPeerFault(e)) {
        // Not provably bad (a clock ahead of ours, say): it may be offered again later.
        this.seen.delete(hash);
        return 'ignore';
      }
      this.emit('invalid-block', block, e);
      return 'reject';
    }
  }

  /**
   * Gossip validation for a tx message: pool admission decides, in one pass
   * for the whole batch. A malformed message, or one tx the sender should have
   * known to be invalid, rejects the message; stale price, nonce or balance
   * only makes that tx ignored.
   */
  private async onTx(data: Uint8Array): Promise<Verdict> {
    let txs: Transaction[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return 'reject';
    }
    const fresh: Transaction[] = [];
    for (const tx of txs) {
      const h = bytesToHex(tx.hash());
      if (this.seenTxs.has(h)) continue;
      this.remember(this.seenTxs, h);
      fresh.push(tx);
    }
    if (!fresh.length) return 'ignore';
    const errs = await this.pool!.addRemotes(fresh);
    if (errs.some((err) => err && SENDER_FAULTS.has(err.code))) return 'reject';
    return errs.some((err) => !err) ? 'accept' : 'ignore';
  }

  /**
   * Gossip reaches only peers subscribed at the time: txs that entered the
   * pool while we were alone (or before a peer's subscription arrived) are
   * announced again when a peer subscribes; peers that have them ignore the copies.
   */
  private announcePending(): void {
    if (!this.pool) return;
    let n = 0;
    for (const { txs } of this.pool.pendingByAccount().values()) {
      for (const tx of txs) {
        if (n++ >= MAX_REANNOUNCE) return;
        this.txBatcher.add(tx.encode());
      }
    }
  }

  private remember(set: Set<string>, h: string): void {
    set.add(h);
    if (set.size > 100_000) set.delete(set.values().next().value as string);
  }

  /** Whether anyone is subscribed to the topic: with nobody to hear it, nothing is encoded or published. */
  private hasTopicPeers(kind: GossipTopicKind): boolean {
    return this.libp2p.services.pubsub.getSubscribers(kind === 'blocks' ? this.blockTopic : this.txTopic).length > 0;
  }

  private async publish(kind: GossipTopicKind, data: Uint8Array, count = 1): Promise<void> {
    if (!this.hasTopicPeers(kind)) return;
    try {
      await this.libp2p.services.pubsub.publish(kind === 'blocks' ? this.blockTopic : this.txTopic, data);
      this.publishedMessages[kind]++;
      this.publishedItems[kind] += count;
      this.opts.observer?.gossip?.(kind, 'out', 'sent');
    } catch (e) {
      log.debug('Gossip publish failed', { topic: kind, err: (e as Error).message });
    }
  }

  async publishBlock(block: Block): Promise<void> {
    this.remember(this.seen, bytesToHex(headerHash(block.header)));
    if (this.hasTopicPeers('blocks')) await this.publish('blocks', encodeBlock(block));
  }

  async dial(addr: Multiaddr): Promise<void> {
    await this.libp2p.dial(addr as never);
  }

  /** What the RPC's admin_* / net_peerCount / eth_syncing read. */
  backend() {
    return {
      peerCount: () => this.peers.size,
      peers: () => [...this.peers].map(([id, st]) => ({
        id,
        addrs: this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === id).map((c) => c.remoteAddr.toString()),
        head: bytesToHex(st.headHash),
        number: '0x' + st.headNumber.toString(16),
      })),
      nodeInfo: () => ({
        id: this.libp2p.peerId.toString(),
        listenAddrs: this.libp2p.getMultiaddrs().map((a) => a.toString()),
        protocols: { gtos: { network: this.networkId.toString(), genesis: bytesToHex(this.chain.genesisHash), head: bytesToHex(this.chain.currentHash()) } },
      }),
      addPeer: async (addr: string) => {
        await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        return true;
      },
      removePeer: async (peer: string) => {
        let id = peer;
        if (peer.startsWith('/')) {
          const fromAddr = multiaddr(peer).getPeerId();
          if (!fromAddr) throw new Error('the multiaddr names no peer id (/p2p/<id>)');
          id = fromAddr;
        }
        const pid = this.peerId(id);
        if (!pid) return false;
        this.drop(pid, 'removed by admin_removePeer');
        return true;
      },
      syncing: () => {
        const p = this.syncer.progress;
        return p ? { ...p } : (false as const);
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const off of this.unsubscribe) off();
    await this.libp2p.stop();
  }
}
