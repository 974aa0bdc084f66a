/**
 * The sync driver: whenever a peer's status claims more total difficulty
 * than our head, range-syncs from the heaviest such peer (one sync at a
 * time, the next considered as soon as one ends). A peer that breaks the
 * protocol or serves invalid blocks is banned. Whatever the outcome, the
 * claim is settled until the peer's next status, so a peer that cannot
 * deliver what it announced is not asked again at once. While it runs the
 * host holds its block announcements (we are catching up).
 */
import type { P2pNode } from '../network/host.js';
import { SyncProtocolError } from '../network/reqresp/messages.js';
import type { Block } from '../types/block.js';
import { logger } from '../util/log.js';
import { PeerFaultError, Syncer, type SyncProgress } from './syncer.js';

const log = logger('sync');

/** What the node's metrics see of sync. */
export interface SyncObserver {
  sync?(p: SyncProgress | undefined, imported: number): void;
}

export interface SyncDriverOptions {
  /** Blocks per sync request. */
  chunk?: number;
  /** Recover senders of fetched blocks ahead of import (the executor's prefetch). */
  prefetch?: (blocks: readonly Block[]) => void;
  observer?: SyncObserver;
}

export class SyncDriver {
  readonly syncer: Syncer;

  constructor(private readonly host: P2pNode, private readonly opts: SyncDriverOptions = {}) {
    this.syncer = new Syncer(host.chain, (peer, req) => host.requestRange(peer, req), { chunk: opts.chunk, prefetch: opts.prefetch });
    this.syncer.on('progress', (p: SyncProgress) => opts.observer?.sync?.(p, 0));
    host.attachSync(this.syncer);
    host.on('status', () => this.maybeSync());
    // Peers that passed the handshake before the driver was attached.
    this.maybeSync();
  }

  /** A sync is running (the node's head is behind the network's). */
  get busy(): boolean {
    return this.syncer.busy;
  }

  /** Set while a sync runs (eth_syncing). */
  get progress(): SyncProgress | undefined {
    return this.syncer.progress;
  }

  /** Starts a sync from the heaviest peer that is ahead of us, if none runs. */
  private maybeSync(): void {
    if (this.syncer.busy || this.host.stopped) return;
    const best = this.host.peers.heaviest();
    if (!best || best[1].td <= this.host.chain.currentTd()) return;
    const [peer, status] = best;
    const settle = () => this.host.peers.settle(peer, this.host.chain.currentTd());
    void this.syncer.maybeSync(peer, status).then((r) => {
      if (r) this.opts.observer?.sync?.(undefined, r.imported);
      settle();
      this.maybeSync();
    }, (e: Error) => {
      if (e instanceof PeerFaultError || e instanceof SyncProtocolError) this.host.ban(peer, e.message);
      else if (!this.host.stopped) log.warn('Sync failed', { peer, err: e });
      settle();
    });
  }
}
