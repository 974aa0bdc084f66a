/**
 * The outgoing side of gossip: publishes on a topic only when someone is
 * subscribed to it (with nobody to hear it, nothing is encoded or sent), and
 * counts the messages published and the blocks/txs they carried (what the
 * tests and metrics count). A failed publish is logged, never thrown.
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import { logger } from '../../util/log.js';
import type { NetworkObserver } from '../events.js';
import type { GossipTopicKind, GossipTopics } from './topics.js';

const log = logger('p2p');

export class GossipPublisher {
  readonly publishedMessages: Record<GossipTopicKind, number> = { blocks: 0, txs: 0 };
  readonly publishedItems: Record<GossipTopicKind, number> = { blocks: 0, txs: 0 };

  constructor(private readonly pubsub: GossipSub, readonly topics: GossipTopics, private readonly observer: NetworkObserver | undefined) {}

  hasTopicPeers(kind: GossipTopicKind): boolean {
    return this.pubsub.getSubscribers(this.topics[kind]).length > 0;
  }

  async publish(kind: GossipTopicKind, data: Uint8Array, count = 1): Promise<void> {
    if (!this.hasTopicPeers(kind)) return;
    try {
      await this.pubsub.publish(this.topics[kind], data);
      this.publishedMessages[kind]++;
      this.publishedItems[kind] += count;
      this.observer?.gossip?.(kind, 'out', 'sent');
    } catch (e) {
      log.debug('Gossip publish failed', { topic: kind, err: (e as Error).message });
    }
  }
}
