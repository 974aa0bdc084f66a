/**
 * Block gossip: a gossiped block is imported before it is forwarded (only
 * what imported travels on; one that breaks a rule is rejected, which
 * gossipsub scores), and blocks that reached the head other than by gossip
 * (ours, or imported otherwise) are announced, unless we are catching up.
 * A block whose parent we lack means we are behind: its sender is asked for
 * its status, which starts a sync when its chain is heavier.
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub';
import { bytesToHex } from '../../crypto/bytes.js';
import type { Blockchain, NewHeadEvent } from '../../core/chain/blockchain.js';
import { InvalidBlockError } from '../../core/chain/block-validator.js';
import { decodeBlock, encodeBlock, type Block } from '../../types/block.js';
import { headerHash } from '../../types/header.js';
import type { HostEventBus, NetworkObserver } from '../events.js';
import { MAX_BLOCK_MESSAGE_BYTES } from '../libp2p.js';
import type { PeerManager } from '../peers/peer-manager.js';
import { isPeerFault } from './block-fault.js';
import type { GossipPublisher } from './publisher.js';
import { SeenSet } from './seen.js';
import { installValidator, type Verdict } from './validation.js';

export class BlockGossip {
  private readonly seen = new SeenSet();

  constructor(
    private readonly chain: Blockchain, private readonly publisher: GossipPublisher, private readonly peers: PeerManager,
    private readonly events: HostEventBus, private readonly catchingUp: () => boolean,
  ) {}

  /** Validates and subscribes the block topic and announces new heads; returns the detach for the chain listener. */
  attach(pubsub: GossipSub, observer: NetworkObserver | undefined): () => void {
    const topic = this.publisher.topics.blocks;
    installValidator(pubsub, topic, 'blocks', observer, (data, from) => this.validate(data, from.toString()));
    pubsub.subscribe(topic);
    const onHead = (ev: NewHeadEvent) => {
      if (!this.seen.has(bytesToHex(ev.hash)) && !this.catchingUp()) void this.publish(ev.block);
    };
    this.chain.on('head', onHead);
    return () => this.chain.off('head', onHead);
  }

  async publish(block: Block): Promise<void> {
    this.seen.add(bytesToHex(headerHash(block.header)));
    if (this.publisher.hasTopicPeers('blocks')) await this.publisher.publish('blocks', encodeBlock(block));
  }

  /** Gossip validation: import first, forward only what imported. */
  private async validate(data: Uint8Array, from: string): Promise<Verdict> {
    let block: Block;
    try {
      if (data.length > MAX_BLOCK_MESSAGE_BYTES) return 'reject';
      block = decodeBlock(data);
    } catch {
      return 'reject';
    }
    const hash = bytesToHex(headerHash(block.header));
    if (this.seen.has(hash)) return 'ignore';
    this.seen.add(hash);
    try {
      const status = await this.chain.insertBlock(block);
      this.events.emit('block', block, status);
      this.peers.table.noteHead(from, headerHash(block.header), block.header.number);
      return status === 'known' ? 'ignore' : 'accept';
    } catch (e) {
      if (e instanceof InvalidBlockError && e.code === 'unknown-parent') {
        if (!this.catchingUp()) this.peers.requestStatus(from);
        this.seen.delete(hash);
        return 'ignore';
      }
      if (!(e instanceof InvalidBlockError) || !isPeerFault(e)) {
        // Not provably bad (a clock ahead of ours, say): it may be offered again later.
        this.seen.delete(hash);
        return 'ignore';
      }
      this.events.emit('invalid-block', block, e);
      return 'reject';
    }
  }
}
