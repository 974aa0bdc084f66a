/**
 * The p2p host: libp2p (tcp, noise, yamux, identify, ping, gossipsub,
 * bootstrap) with a persistent node key, the status handshake on every
 * connection (mismatched peers are disconnected), and block gossip whose
 * messages are validated by importing them before they are forwarded:
 * invalid blocks are rejected (gossipsub scores the sender down), known or
 * unconnectable ones ignored. Range sync is still to come (issue 5).
 */
import './compat.js';
import { EventEmitter } from 'node:events';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { lpStream } from 'it-length-prefixed-stream';
import { bytesToHex } from '../crypto/bytes.js';
import type { Blockchain, NewHeadEvent } from '../core/blockchain.js';
import { InvalidBlockError } from '../core/block-validator.js';
import { decodeBlock, encodeBlock } from '../core/types/block.js';
import { headerHash } from '../core/types/header.js';
import { Transaction } from '../core/types/transaction.js';
import type { TxPool } from '../core/txpool/txpool.js';
import { MAX_TX_SIZE } from '../core/txpool/config.js';
import { logger } from '../log.js';
import { checkCompatible, decodeStatus, encodeStatus, MAX_STATUS_BYTES, STATUS_PROTOCOL, type Status } from './status.js';

const log = logger('p2p');
export const MAX_BLOCK_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface P2pOptions {
  privateKey?: Awaited<ReturnType<typeof import('./node-key.js').loadNodeKey>>;
  host?: string;
  port: number;
  bootnodes?: string[];
  networkId: bigint;
}

type Verdict = 'accept' | 'ignore' | 'reject';

export class P2pNode extends EventEmitter {
  readonly peers = new Map<string, Status>();
  private readonly seen = new Set<string>();
  private readonly seenTxs = new Set<string>();

  private constructor(
    readonly libp2p: Libp2p<{ pubsub: GossipSub }>, readonly chain: Blockchain, readonly networkId: bigint,
    private readonly pool: TxPool | undefined,
  ) {
    super();
  }

  get blockTopic(): string {
    return `/gtos/${this.networkId}/blocks/1`;
  }

  get txTopic(): string {
    return `/gtos/${this.networkId}/txs/1`;
  }

  static async start(chain: Blockchain, opts: P2pOptions, pool?: TxPool): Promise<P2pNode> {
    const libp2p = await createLibp2p({
      privateKey: opts.privateKey as never,
      addresses: { listen: [`/ip4/${opts.host ?? '127.0.0.1'}/tcp/${opts.port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: opts.bootnodes?.length ? [bootstrap({ list: opts.bootnodes })] : [],
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, maxInboundDataLength: MAX_BLOCK_MESSAGE_BYTES }),
      },
    });
    const node = new P2pNode(libp2p as never, chain, opts.networkId, pool);
    await node.wire();
    return node;
  }

  status(): Status {
    return {
      networkId: this.networkId, genesisHash: this.chain.genesisHash, headHash: this.chain.currentHash(),
      headNumber: this.chain.currentHeader().number, td: this.chain.currentTd(),
    };
  }

  private async wire(): Promise<void> {
    await this.libp2p.handle(STATUS_PROTOCOL, async ({ stream, connection }) => {
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
        const theirs = decodeStatus((await lp.read()).subarray());
        await lp.write(encodeStatus(this.status()));
        this.accept(connection.remotePeer.toString(), theirs);
      } catch (e) {
        this.drop(connection.remotePeer, (e as Error).message);
      }
    });
    this.libp2p.addEventListener('peer:connect', (evt) => {
      void this.handshake(evt.detail);
    });
    this.libp2p.addEventListener('peer:disconnect', (evt) => {
      this.peers.delete(evt.detail.toString());
    });
    const pubsub = this.libp2p.services.pubsub;
    pubsub.topicValidators.set(this.blockTopic, async (_peer, msg) => (await this.onBlock(msg.data)) as never);
    pubsub.subscribe(this.blockTopic);
    if (this.pool) {
      const pool = this.pool;
      pubsub.topicValidators.set(this.txTopic, async (_peer, msg) => (await this.onTx(msg.data)) as never);
      pubsub.subscribe(this.txTopic);
      // Txs that entered the pool other than by gossip (RPC, journal) are announced once.
      pool.on('pending', (txs: Transaction[]) => {
        for (const tx of txs) {
          const h = bytesToHex(tx.hash());
          if (this.seenTxs.has(h)) continue;
          this.remember(this.seenTxs, h);
          void pubsub.publish(this.txTopic, tx.encode()).catch(() => undefined);
        }
      });
    }
    this.chain.on('head', (ev: NewHeadEvent) => {
      // Announce blocks that did not come from gossip (ours, or imported otherwise).
      if (!this.seen.has(bytesToHex(ev.hash))) void this.publishBlock(ev.block).catch(() => undefined);
    });
  }

  private async handshake(peer: Parameters<Libp2p['dialProtocol']>[0]): Promise<void> {
    try {
      const stream = await this.libp2p.dialProtocol(peer, STATUS_PROTOCOL);
      const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
      await lp.write(encodeStatus(this.status()));
      const theirs = decodeStatus((await lp.read()).subarray());
      this.accept(peer.toString(), theirs);
    } catch (e) {
      this.drop(peer as never, (e as Error).message);
    }
  }

  private accept(peer: string, theirs: Status): void {
    checkCompatible(this.status(), theirs);
    this.peers.set(peer, theirs);
    this.emit('peer', peer, theirs);
  }

  private drop(peer: Parameters<Libp2p['hangUp']>[0], why: string): void {
    log.debug('Dropping peer', { peer: peer.toString(), why });
    this.emit('drop', peer.toString(), why);
    void this.libp2p.hangUp(peer).catch(() => undefined);
  }

  /** Gossip validation: import first, forward only what imported. */
  private async onBlock(data: Uint8Array): Promise<Verdict> {
    let block;
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
      this.emit('block', block, status);
      return status === 'known' ? 'ignore' : 'accept';
    } catch (e) {
      if (e instanceof InvalidBlockError && e.code === 'unknown-parent') return 'ignore';
      this.emit('invalid-block', block, e);
      return 'reject';
    }
  }

  /** Gossip validation for txs: pool admission decides; only invalid ones are punished. */
  private async onTx(data: Uint8Array): Promise<Verdict> {
    let tx: Transaction;
    try {
      if (data.length > MAX_TX_SIZE) return 'reject';
      tx = Transaction.decode(data);
    } catch {
      return 'reject';
    }
    const h = bytesToHex(tx.hash());
    if (this.seenTxs.has(h)) return 'ignore';
    this.remember(this.seenTxs, h);
    const [err] = await this.pool!.addRemotes([tx]);
    if (!err) return 'accept';
    // A signature or shape error is the sender's fault; price, nonce or balance may just be stale.
    return ['invalid-signature', 'wrong-chain', 'oversized', 'contract-creation', 'data-not-allowed', 'bad-system-action', 'intrinsic-gas', 'tip-above-fee-cap', 'fee-too-large'].includes(err.code) ? 'reject' : 'ignore';
  }

  private remember(set: Set<string>, h: string): void {
    set.add(h);
    if (set.size > 100_000) set.delete(set.values().next().value as string);
  }

  async publishBlock(block: Parameters<typeof encodeBlock>[0]): Promise<void> {
    this.seen.add(bytesToHex(headerHash(block.header)));
    await this.libp2p.services.pubsub.publish(this.blockTopic, encodeBlock(block));
  }

  async dial(addr: Parameters<Libp2p['dial']>[0]): Promise<void> {
    await this.libp2p.dial(addr);
  }

  /** What the RPC's admin_* / net_peerCount read. */
  backend() {
    return {
      peerCount: () => this.peers.size,
      peers: () => [...this.peers].map(([id, st]) => ({
        id,
        addrs: this.libp2p.getConnections().filter((c) => c.remotePeer.toString() === id).map((c) => c.remoteAddr.toString()),
        head: bytesToHex(st.headHash),
        number: '0x' + st.headNumber.toString(16),
      })),
      nodeInfo: () => ({
        id: this.libp2p.peerId.toString(),
        listenAddrs: this.libp2p.getMultiaddrs().map((a) => a.toString()),
        protocols: { gtos: { network: this.networkId.toString(), genesis: bytesToHex(this.chain.genesisHash), head: bytesToHex(this.chain.currentHash()) } },
      }),
      addPeer: async (addr: string) => {
        const { multiaddr } = await import('@multiformats/multiaddr');
        await this.libp2p.dial(multiaddr(addr) as never);
        return true;
      },
      syncing: () => false as const,
    };
  }

  async stop(): Promise<void> {
    await this.libp2p.stop();
  }
}
