/**
 * What the p2p host tells the rest of the node: the events it emits (peers
 * joining, leaving and banned; gossiped blocks imported or rejected; every
 * accepted status, which the sync driver watches) and the observer hooks the
 * node wires to metrics. One bus, shared by the host's parts, so each part
 * reports without knowing the others.
 */
import type { EventEmitter } from 'node:events';
import type { InsertStatus } from '../core/chain/blockchain.js';
import type { Block } from '../types/block.js';
import type { GossipTopicKind } from './gossip/topics.js';
import type { Verdict } from './gossip/validation.js';
import type { Status } from './peers/status.js';

export interface HostEvents {
  /** A peer passed the handshake for the first time on this connection. */
  peer: [peer: string, status: Status];
  /** Any accepted status (new peer or refresh): a peer may now claim a heavier chain. */
  status: [peer: string, status: Status];
  drop: [peer: string, why: string];
  ban: [peer: string, why: string];
  /** A gossiped block was imported (or was already known). */
  block: [block: Block, status: InsertStatus];
  /** A gossiped block broke a rule: its sender's fault. */
  'invalid-block': [block: Block, err: Error];
}

export type HostEventBus = EventEmitter<HostEvents>;

/** What the node's metrics see of the host. */
export interface NetworkObserver {
  peers?(n: number): void;
  gossip?(topic: GossipTopicKind, direction: 'in' | 'out', verdict: Verdict | 'sent'): void;
}
