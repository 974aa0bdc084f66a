/**
 * The p2p host: the libp2p stack (libp2p.ts) started with the node key, and
 * a thin facade over its parts: peers and the status handshake
 * (peers/peer-manager.ts), block and tx gossip (gossip/blocks.ts,
 * gossip/txs.ts), and both sides of range sync (reqresp/). Range sync itself
 * is driven from outside (sync/driver.ts): it watches the 'status' events and
 * fetches through requestRange, and tells the host while it is catching up.
 */
import { EventEmitter } from 'node:events';
import type { AbortOptions } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import type { Blockchain } from '../core/chain/blockchain.js';
import type { TxPool } from '../core/txpool/txpool.js';
import type { Block } from '../types/block.js';
import type { HostEvents, NetworkObserver } from './events.js';
import { BlockGossip } from './gossip/blocks.js';
import { GossipPublisher } from './gossip/publisher.js';
import { gossipTopics, type GossipTopicKind } from './gossip/topics.js';
import { TxGossip } from './gossip/txs.js';
import { createHostLibp2p, type HostLibp2p, type Libp2pOptions } from './libp2p.js';
import { BanList } from './peers/ban-list.js';
import { PeerManager, type PeerManagerOptions } from './peers/peer-manager.js';
import type { PeerTable } from './peers/peer-table.js';
import type { Status } from './peers/status.js';
import { PeerNotConnectedError, requestRange } from './reqresp/client.js';
import type { BlockRangeRequest } from './reqresp/messages.js';
import { RangeServer } from './reqresp/server.js';

export interface P2pOptions extends Libp2pOptions, PeerManagerOptions {
  networkId: bigint;
  observer?: NetworkObserver;
}

/** What the host asks of a sync driver: whether it is catching up (no block announcements, no status chasing meanwhile). */
export interface SyncState {
  readonly busy: boolean;
}

export class P2pNode extends EventEmitter<HostEvents> {
  private readonly peerManager: PeerManager;
  private readonly publisher: GossipPublisher;
  private readonly blocks: BlockGossip;
  private readonly txs: TxGossip | undefined;
  private readonly server: RangeServer;
  private sync: SyncState | undefined;
  /** Detaches what the host hung on the chain and the pool (they outlive it). */
  private readonly detach: (() => void)[] = [];

  private constructor(readonly libp2p: HostLibp2p, readonly chain: Blockchain, readonly networkId: bigint, pool: TxPool | undefined, private readonly opts: P2pOptions, bans: BanList) {
    super();
    this.peerManager = new PeerManager(libp2p, chain, networkId, bans, this, opts.observer, opts);
    this.publisher = new GossipPublisher(libp2p.services.pubsub, gossipTopics(networkId), opts.observer);
    const catchingUp = () => this.sync?.busy ?? false;
    this.blocks = new BlockGossip(chain, this.publisher, this.peerManager, this, catchingUp);
    this.txs = pool && new TxGossip(pool, chain, this.publisher);
    this.server = new RangeServer(chain, (peer, why) => this.ban(peer, why));
  }

  static async start(chain: Blockchain, opts: P2pOptions, pool?: TxPool): Promise<P2pNode> {
    const bans = new BanList();
    const libp2p = await createHostLibp2p(opts, gossipTopics(opts.networkId), bans);
    const node = new P2pNode(libp2p, chain, opts.networkId, pool, opts, bans);
    await node.wire();
    return node;
  }

  private async wire(): Promise<void> {
    await this.server.register(this.libp2p);
    await this.peerManager.start();
    const pubsub = this.libp2p.services.pubsub;
    this.detach.push(this.blocks.attach(pubsub, this.opts.observer));
    if (this.txs) this.detach.push(this.txs.attach(pubsub, this.opts.observer));
  }

  /** Connected peers that passed the handshake, with their latest status. */
  get peers(): PeerTable {
    return this.peerManager.table;
  }

  get bans(): BanList {
    return this.peerManager.bans;
  }

  get stopped(): boolean {
    return this.peerManager.stopped;
  }

  get blockTopic(): string {
    return this.publisher.topics.blocks;
  }

  get txTopic(): string {
    return this.publisher.topics.txs;
  }

  /** Gossip messages published and the blocks/txs they carried (what the tests and metrics count). */
  get publishedMessages(): Readonly<Record<GossipTopicKind, number>> {
    return this.publisher.publishedMessages;
  }

  get publishedItems(): Readonly<Record<GossipTopicKind, number>> {
    return this.publisher.publishedItems;
  }

  /** The sync driver registers itself here: while it catches up, new heads are not announced. */
  attachSync(sync: SyncState): void {
    this.sync = sync;
  }

  status(): Status {
    return this.peerManager.localStatus();
  }

  /** One range request to a connected peer: the raw frames of its answer. */
  requestRange(peer: string, req: BlockRangeRequest): Promise<Uint8Array[]> {
    const id = this.peerManager.connectedId(peer);
    if (!id) return Promise.reject(new PeerNotConnectedError(peer));
    return requestRange(this.libp2p, id, req);
  }

  publishBlock(block: Block): Promise<void> {
    return this.blocks.publish(block);
  }

  async dial(addr: Multiaddr, options: AbortOptions = {}): Promise<void> {
    await this.libp2p.dial(addr, options);
  }

  /** Disconnects a peer (it may come back); false when it is not connected. */
  disconnect(peer: string, why: string): boolean {
    return this.peerManager.disconnect(peer, why);
  }

  /** Disconnects a peer and refuses it for `ms` (misbehaviour, or an operator's decision). */
  ban(peer: string, why: string, ms?: number): void {
    this.peerManager.ban(peer, why, ms);
  }

  unban(peer: string): void {
    this.peerManager.unban(peer);
  }

  /** The remote addresses of a peer's open connections. */
  remoteAddrs(peer: string): string[] {
    return this.peerManager.remoteAddrs(peer);
  }

  async stop(): Promise<void> {
    this.peerManager.stop();
    for (const off of this.detach) off();
    await this.libp2p.stop();
  }
}
