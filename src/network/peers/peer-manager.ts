/**
 * Who we are connected to and on what terms: the status handshake on every
 * connection (either side; a peer on another network or genesis is dropped),
 * a status refresh every few seconds, the peer table, bans (the connection
 * gater refuses banned peers) and gossip scores (a peer past the disconnect
 * score is banned), and redialing bootnodes that dropped.
 */
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { PeerId, Stream } from '@libp2p/interface';
import { lpStream } from 'it-length-prefixed-stream';
import type { Blockchain } from '../../core/chain/blockchain.js';
import { logger } from '../../util/log.js';
import type { HostEventBus, NetworkObserver } from '../events.js';
import { DISCONNECT_SCORE } from '../gossip/scoring.js';
import type { HostLibp2p } from '../libp2p.js';
import { REQUEST_TIMEOUT_MS, STATUS_PROTOCOL } from '../reqresp/protocol.js';
import type { BanList } from './ban-list.js';
import { PeerTable } from './peer-table.js';
import { checkCompatible, decodeStatus, encodeStatus, MAX_STATUS_BYTES, type Status } from './status.js';

const log = logger('p2p');
const DEFAULT_BAN_MS = 10 * 60_000;

export interface PeerManagerOptions {
  bootnodes?: string[];
  /** How long a misbehaving peer stays banned. */
  banMs?: number;
  /** How often peers' statuses are refreshed. */
  statusIntervalMs?: number;
}

export class PeerManager {
  readonly table = new PeerTable();
  private readonly timers: NodeJS.Timeout[] = [];
  private stoppedFlag = false;

  constructor(
    private readonly libp2p: HostLibp2p, private readonly chain: Blockchain, private readonly networkId: bigint, readonly bans: BanList,
    private readonly events: HostEventBus, private readonly observer: NetworkObserver | undefined, private readonly opts: PeerManagerOptions,
  ) {}

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** The status we announce. */
  localStatus(): Status {
    return {
      networkId: this.networkId, genesisHash: this.chain.genesisHash, headHash: this.chain.currentHash(),
      headNumber: this.chain.currentHeader().number, td: this.chain.currentTd(),
    };
  }

  async start(): Promise<void> {
    await this.libp2p.handle(STATUS_PROTOCOL, async ({ stream, connection }) => {
      await this.handshake(connection.remotePeer, stream, 'listener');
    });
    this.libp2p.addEventListener('peer:connect', (evt) => {
      void this.exchangeStatus(evt.detail);
    });
    this.libp2p.addEventListener('peer:disconnect', (evt) => {
      this.table.delete(evt.detail.toString());
      this.observer?.peers?.(this.table.size);
    });
    this.libp2p.services.pubsub.addEventListener('gossipsub:heartbeat', () => this.checkScores());
    const every = this.opts.statusIntervalMs ?? 5_000;
    this.timers.push(setInterval(() => void this.refresh(), every));
    if (this.opts.bootnodes?.length) this.timers.push(setInterval(() => void this.redialBootnodes(), every * 2));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    this.stoppedFlag = true;
    for (const t of this.timers) clearInterval(t);
  }

  /** Dials the status protocol: sends ours, reads theirs, records (or drops) the peer. */
  exchangeStatus(peer: PeerId): Promise<Status | undefined> {
    return this.handshake(peer, this.libp2p.dialProtocol(peer, STATUS_PROTOCOL, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }), 'dialer');
  }

  /** Asks a connected peer where it is now (its answer may start a sync). */
  requestStatus(peer: string): void {
    const id = this.connectedId(peer);
    if (id) void this.exchangeStatus(id);
  }

  /**
   * The one status exchange, for both sides: the dialer speaks first, the
   * listener answers; then the peer is recorded, or dropped when the stream
   * fails or it is on another chain.
   */
  private async handshake(peer: PeerId, opening: Stream | Promise<Stream>, side: 'dialer' | 'listener'): Promise<Status | undefined> {
    try {
      const stream = await opening;
      const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
      if (side === 'dialer') await lp.write(encodeStatus(this.localStatus()));
      const theirs = decodeStatus((await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray());
      if (side === 'listener') await lp.write(encodeStatus(this.localStatus()));
      await stream.close().catch(() => undefined);
      this.accept(peer.toString(), theirs);
      return theirs;
    } catch (e) {
      if (this.stoppedFlag) return undefined;
      this.drop(peer, (e as Error).message);
      return undefined;
    }
  }

  private accept(peer: string, theirs: Status): void {
    checkCompatible(this.localStatus(), theirs);
    if (this.table.set(peer, theirs)) {
      this.events.emit('peer', peer, theirs);
      this.observer?.peers?.(this.table.size);
    }
    this.events.emit('status', peer, theirs);
  }

  private drop(peer: PeerId, why: string): void {
    log.debug('Dropping peer', { peer: peer.toString(), why });
    this.table.delete(peer.toString());
    this.events.emit('drop', peer.toString(), why);
    void this.libp2p.hangUp(peer).catch(() => undefined);
  }

  /** Disconnects a connected peer; false when it is not connected. */
  disconnect(peer: string, why: string): boolean {
    const id = this.connectedId(peer);
    if (!id) return false;
    this.drop(id, why);
    return true;
  }

  /** Disconnects a peer and refuses it for `ms` (misbehaviour, or an operator's decision). */
  ban(peer: string, why: string, ms = this.opts.banMs ?? DEFAULT_BAN_MS): void {
    log.info('Banning peer', { peer, why, seconds: Math.round(ms / 1000) });
    this.bans.ban(peer, ms);
    const id = this.connectedId(peer);
    this.events.emit('ban', peer, why);
    if (id) this.drop(id, why);
    else this.table.delete(peer);
  }

  unban(peer: string): void {
    this.bans.unban(peer);
  }

  connectedId(peer: string): PeerId | undefined {
    return this.libp2p.getConnections().find((c) => c.remotePeer.toString() === peer)?.remotePeer;
  }

  /** The remote addresses of a peer's open connections. */
  remoteAddrs(peer: string): string[] {
    return this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === peer).map((c) => c.remoteAddr.toString());
  }

  private async refresh(): Promise<void> {
    if (this.stoppedFlag) return;
    await Promise.all(this.table.ids().map((p) => {
      const id = this.connectedId(p);
      return id ? this.exchangeStatus(id) : undefined;
    }));
  }

  private async redialBootnodes(): Promise<void> {
    for (const addr of this.opts.bootnodes ?? []) {
      if (this.stoppedFlag) return;
      let ma: Multiaddr;
      try {
        ma = multiaddr(addr);
      } catch {
        continue;
      }
      const id = ma.getPeerId();
      if (id && (this.table.has(id) || this.bans.isBanned(id))) continue;
      await this.libp2p.dial(ma, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => undefined);
    }
  }

  /** Gossipsub scores lag a heartbeat; past the threshold the peer goes. */
  private checkScores(): void {
    const pubsub = this.libp2p.services.pubsub;
    for (const peer of this.table.ids()) {
      const score = pubsub.getScore(peer);
      if (score < DISCONNECT_SCORE) this.ban(peer, `gossip score ${score.toFixed(1)} below ${DISCONNECT_SCORE}`);
    }
  }
}
