/**
 * Gossipsub peer scoring for the chain's topics. Only invalid deliveries
 * count (a quiet testnet must not punish peers for having nothing to say):
 * each rejected message costs weight × count², decaying over about a minute.
 * One invalid block takes a peer below the gossip threshold, two past the
 * host's disconnect threshold; invalid txs cost less, since a stale view of a
 * nonce is not malice (those are ignored, not rejected, anyway).
 */
import { createPeerScoreParams, createPeerScoreThresholds, createTopicScoreParams, type PeerScoreParams, type PeerScoreThresholds } from '@chainsafe/libp2p-gossipsub/score';

/** A peer whose score falls below this is disconnected and banned. */
export const DISCONNECT_SCORE = -50;

function topic(invalidWeight: number) {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0,
    firstMessageDeliveriesWeight: 0,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: invalidWeight,
    invalidMessageDeliveriesDecay: 0.95,
  });
}

export function scoreParams(blockTopic: string, txTopic: string): Partial<PeerScoreParams> {
  return createPeerScoreParams({
    topics: { [blockTopic]: topic(-30), [txTopic]: topic(-4) },
    // Testnets put every node on one address; co-location is not misbehaviour here.
    IPColocationFactorWeight: 0,
    topicScoreCap: 10,
  });
}

export function scoreThresholds(): Partial<PeerScoreThresholds> {
  return createPeerScoreThresholds({ gossipThreshold: -20, publishThreshold: -40, graylistThreshold: -100 });
}
