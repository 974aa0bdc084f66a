/**
 * The libp2p stack of a host: tcp, noise, yamux, identify, ping, bootstrap
 * discovery and gossipsub, with a connection gater that refuses banned
 * peers. Gossip follows Ethereum's consensus layer: no per-message signatures
 * (blocks carry their seal, txs their own signatures) and message ids from
 * the content, so a copy relayed by another peer is the same message.
 */
import './compat.js';
import { createHash } from 'node:crypto';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify, type Identify } from '@libp2p/identify';
import { ping, type Ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { GossipSub, type GossipSubComponents } from '@chainsafe/libp2p-gossipsub';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { MAX_FRAME_BYTES } from './reqresp/messages.js';
import { REQUEST_TIMEOUT_MS } from './reqresp/protocol.js';
import { scoreParams, scoreThresholds } from './gossip/scoring.js';
import type { GossipTopics } from './gossip/topics.js';
import type { BanList } from './peers/ban-list.js';

/** The largest gossip message: one block, as the largest sync frame. */
export const MAX_BLOCK_MESSAGE_BYTES = MAX_FRAME_BYTES;

export type HostLibp2p = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>;

export interface Libp2pOptions {
  /** The node key; a fresh identity when absent. */
  privateKey?: PrivateKey;
  host?: string;
  port: number;
  bootnodes?: string[];
  maxPeers?: number;
}

export function createHostLibp2p(opts: Libp2pOptions, topics: GossipTopics, bans: BanList): Promise<HostLibp2p> {
  return createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: [`/ip4/${opts.host ?? '127.0.0.1'}/tcp/${opts.port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: opts.maxPeers ?? 50 },
    // A node busy importing answers pings late (its range responses queue ahead of them): give a
    // ping as long as any request before the monitor gives up on the connection (its floor is 5 s).
    connectionMonitor: { pingTimeout: { minTimeout: REQUEST_TIMEOUT_MS } },
    connectionGater: {
      denyDialPeer: (p: PeerId) => bans.isBanned(p.toString()),
      denyInboundEncryptedConnection: (p: PeerId) => bans.isBanned(p.toString()),
      denyOutboundEncryptedConnection: (p: PeerId) => bans.isBanned(p.toString()),
    },
    peerDiscovery: opts.bootnodes?.length ? [bootstrap({ list: opts.bootnodes })] : [],
    services: {
      identify: identify(),
      ping: ping(),
      // The GossipSub class itself rather than the gossipsub() factory, whose type hides the
      // scoring API (getScore) behind the generic PubSub interface.
      pubsub: (components: GossipSubComponents) => new GossipSub(components, {
        allowPublishToZeroTopicPeers: true,
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: (msg) => new Uint8Array(createHash('sha256').update(msg.topic).update(msg.data).digest()),
        maxInboundDataLength: MAX_BLOCK_MESSAGE_BYTES,
        scoreParams: scoreParams(topics.blocks, topics.txs),
        scoreThresholds: scoreThresholds(),
      }),
    },
  });
}
