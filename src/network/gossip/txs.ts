/**
 * Tx gossip: txs travel in batches (tx-batch.ts). An incoming message is
 * validated by pool admission in one pass for the whole batch: a malformed
 * message, or one tx the sender should have known to be invalid (tx-fault.ts),
 * rejects the message whole; stale price, nonce or balance only makes that tx
 * ignored. Txs that entered the pool other than by gossip (RPC, journal, a
 * reorg) are announced once; a peer that subscribes is sent what is pending.
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import { bytesToHex } from '../../crypto/bytes.js';
import type { Blockchain, NewHeadEvent } from '../../core/chain/blockchain.js';
import type { TxPool } from '../../core/txpool/txpool.js';
import type { Transaction } from '../../types/transaction.js';
import type { NetworkObserver } from '../events.js';
import type { GossipPublisher } from './publisher.js';
import { SeenSet } from './seen.js';
import { decodeTxBatch, TxBatcher } from './tx-batch.js';
import { isSenderFault } from './tx-fault.js';
import { installValidator, type Verdict } from './validation.js';

/** Pending txs announced again when a peer joins. */
const MAX_REANNOUNCE = 1024;

export class TxGossip {
  private readonly seen = new SeenSet();
  private readonly batcher = new TxBatcher((message, count) => void this.publisher.publish('txs', message, count));

  constructor(private readonly pool: TxPool, private readonly chain: Blockchain, private readonly publisher: GossipPublisher) {}

  /** Validates and subscribes the tx topic and announces the pool's new txs; returns the detach for the pool and chain listeners. */
  attach(pubsub: GossipSub, observer: NetworkObserver | undefined): () => void {
    const topic = this.publisher.topics.txs;
    installValidator(pubsub, topic, 'txs', observer, (data) => this.validate(data));
    pubsub.subscribe(topic);
    // A peer that just subscribed has missed what was announced before: announce the pending txs again.
    pubsub.addEventListener('subscription-change', (evt) => {
      if (evt.detail.subscriptions.some((s) => s.subscribe && s.topic === topic)) this.announcePending();
    });
    const onPending = (txs: Transaction[]) => {
      for (const tx of txs) {
        const h = bytesToHex(tx.hash());
        if (this.seen.has(h)) continue;
        this.seen.add(h);
        if (this.publisher.hasTopicPeers('txs')) this.batcher.add(tx.encode());
      }
    };
    // Txs of blocks a reorg dropped may exist nowhere else: when the pool takes them back
    // (its 'pending' event, after this), they are announced again.
    const onHead = (ev: NewHeadEvent) => {
      for (const tx of ev.dropped) this.seen.delete(bytesToHex(tx.hash()));
    };
    this.pool.on('pending', onPending);
    this.chain.on('head', onHead);
    return () => {
      this.pool.off('pending', onPending);
      this.chain.off('head', onHead);
    };
  }

  /** One verdict per message: a message with any invalid tx is rejected whole (not forwarded, sender scored). */
  private async validate(data: Uint8Array): Promise<Verdict> {
    let txs: Transaction[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return 'reject';
    }
    const fresh: Transaction[] = [];
    for (const tx of txs) {
      const h = bytesToHex(tx.hash());
      if (this.seen.has(h)) continue;
      this.seen.add(h);
      fresh.push(tx);
    }
    if (!fresh.length) return 'ignore';
    const errs = await this.pool.addRemotes(fresh);
    if (errs.some(isSenderFault)) return 'reject';
    return errs.some((err) => !err) ? 'accept' : 'ignore';
  }

  /**
   * Gossip reaches only peers subscribed at the time: txs that entered the
   * pool while we were alone (or before a peer's subscription arrived) are
   * announced again when a peer subscribes; peers that have them ignore the copies.
   */
  private announcePending(): void {
    let n = 0;
    for (const { txs } of this.pool.pendingByAccount().values()) {
      for (const tx of txs) {
        if (n++ >= MAX_REANNOUNCE) return;
        this.batcher.add(tx.encode());
      }
    }
  }
}
