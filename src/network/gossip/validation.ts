/**
 * Gossip validation verdicts and how a topic's validator is installed: every
 * message is validated before gossipsub forwards it; 'reject' (the sender's
 * fault) is what gossipsub scores, 'ignore' drops the message without blame.
 * Each verdict is reported to the observer.
 */
import { TopicValidatorResult, type PeerId } from '@libp2p/interface';
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import type { NetworkObserver } from '../events.js';
import type { GossipTopicKind } from './topics.js';

export type Verdict = 'accept' | 'ignore' | 'reject';

const RESULT: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

export function installValidator(
  pubsub: GossipSub, topic: string, kind: GossipTopicKind, observer: NetworkObserver | undefined,
  validate: (data: Uint8Array, from: PeerId) => Promise<Verdict>,
): void {
  pubsub.topicValidators.set(topic, async (peer, msg) => {
    const verdict = await validate(msg.data, peer);
    observer?.gossip?.(kind, 'in', verdict);
    return RESULT[verdict];
  });
}
