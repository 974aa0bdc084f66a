/**
 * The gossip topics of one network: a chain's blocks and txs travel on topics
 * named by its network id, so nodes of different networks never share a mesh.
 * The version suffix changes with the message format (txs/2: batched txs).
 */
export type GossipTopicKind = 'blocks' | 'txs';

export type GossipTopics = Readonly<Record<GossipTopicKind, string>>;

export function gossipTopics(networkId: bigint): GossipTopics {
  return { blocks: `/gtos/${networkId}/blocks/1`, txs: `/gtos/${networkId}/txs/2` };
}
