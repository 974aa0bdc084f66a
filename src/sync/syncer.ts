/**
 * Range sync, the fetching side: when a peer claims a heavier chain, find
 * where its chain meets ours (a span of headers below the shorter head, then
 * a binary search: "we hold the peer's block n" only turns false once), then
 * fetch its blocks in chunks, each next chunk in flight while the current one
 * imports through the chain's normal insert path (and so the shared
 * executor). Blocks of a side branch stay side blocks until the branch is
 * heavier; then the chain reorgs and the dropped blocks' txs go back to the
 * pool through the head event. Responses that break the protocol or blocks
 * that break the rules are the peer's fault and reported; one sync runs at a
 * time. Transport-agnostic: the host supplies `fetch`.
 */
import { EventEmitter } from 'node:events';
import { equalBytes } from '../crypto/bytes.js';
import { hashToHex } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import { decodeBlock, type Block } from '../types/block.js';
import { decodeHeader, headerHash, type Header } from '../types/header.js';
import { logger } from '../util/log.js';
import { isPeerFault } from '../network/gossip/block-fault.js';
import { MAX_BLOCKS_PER_RESPONSE, servedCount, type BlockRangeRequest } from '../network/reqresp/messages.js';
import type { Status } from '../network/peers/status.js';

const log = logger('sync');

/** Sends one request to a peer and returns the raw frames of its answer. */
export type RangeFetcher = (peer: string, req: BlockRangeRequest) => Promise<Uint8Array[]>;

export interface SyncProgress {
  startingBlock: bigint;
  currentBlock: bigint;
  highestBlock: bigint;
}

export interface SyncerOptions {
  /** Blocks per request (at most MAX_BLOCKS_PER_RESPONSE). */
  chunk?: number;
  /** Headers compared in one request before the binary search. */
  ancestorSpan?: number;
  /** Called with each fetched chunk before it imports (the executor recovers senders ahead). */
  prefetch?: (blocks: readonly Block[]) => void;
}

export interface SyncResult {
  peer: string;
  ancestor: bigint;
  imported: number;
  txs: number;
}

/** A peer that answered outside the protocol or served an invalid block. */
export class PeerFaultError extends Error {
  override name = 'PeerFaultError';
  constructor(readonly peer: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class Syncer extends EventEmitter {
  private active: Promise<SyncResult | undefined> | undefined;
  private progressValue: SyncProgress | undefined;
  private readonly chunk: bigint;
  private readonly span: bigint;

  constructor(readonly chain: Blockchain, private readonly fetch: RangeFetcher, private readonly opts: SyncerOptions = {}) {
    super();
    this.chunk = BigInt(Math.min(opts.chunk ?? 64, MAX_BLOCKS_PER_RESPONSE));
    this.span = BigInt(opts.ancestorSpan ?? 64);
  }

  /** Set while a sync runs (eth_syncing). */
  get progress(): SyncProgress | undefined {
    return this.progressValue;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  /**
   * Syncs from `peer` when its status claims more total difficulty than our
   * head; resolves undefined when there is nothing to do or a sync is already
   * running. Rejects with PeerFaultError when the peer misbehaved.
   */
  maybeSync(peer: string, status: Status): Promise<SyncResult | undefined> {
    if (this.active || status.td <= this.chain.currentTd()) return Promise.resolve(undefined);
    const run = this.syncFrom(peer, status).finally(() => {
      this.active = undefined;
      this.progressValue = undefined;
    });
    this.active = run;
    return run;
  }

  private async syncFrom(peer: string, status: Status): Promise<SyncResult> {
    const startHead = this.chain.currentHeader().number;
    const ancestorHeader = await this.findAncestor(peer, status.headNumber);
    const ancestor = ancestorHeader.number;
    const progress: SyncProgress = { startingBlock: startHead, currentBlock: startHead, highestBlock: status.headNumber };
    this.progressValue = progress;
    this.emit('progress', progress);
    log.info('Syncing', { peer, ancestor, from: startHead, to: status.headNumber });

    let next = ancestor + 1n;
    let parentHash = headerHash(ancestorHeader);
    let imported = 0, txs = 0;
    let pending: Promise<Block[]> | undefined = this.fetchBlocks(peer, next);
    while (pending) {
      const blocks = await pending;
      pending = undefined;
      if (blocks.length === 0) break;
      if (!equalBytes(blocks[0]!.header.parentHash, parentHash)) {
        // The peer's chain moved under us (it reorged); the next status round starts over.
        log.debug('Peer chain changed during sync', { peer, at: next });
        break;
      }
      next += BigInt(blocks.length);
      // Until the head the peer announced, keep the next chunk in flight: a short answer is its
      // byte limit, not its end (an empty one, or one that no longer links, ends the sync).
      if (next <= status.headNumber) {
        pending = this.fetchBlocks(peer, next);
        pending.catch(() => undefined);
      }
      this.opts.prefetch?.(blocks);
      for (const block of blocks) {
        try {
          await this.chain.insertBlock(block);
        } catch (e) {
          if (isPeerFault(e)) throw new PeerFaultError(peer, `served invalid block ${block.header.number}: ${(e as Error).message}`, { cause: e });
          throw e;
        }
        imported++;
        txs += block.transactions.length;
        progress.currentBlock = this.chain.currentHeader().number;
        if (block.header.number > progress.highestBlock) progress.highestBlock = block.header.number;
      }
      parentHash = headerHash(blocks[blocks.length - 1]!.header);
      this.emit('progress', progress);
    }
    log.info('Sync finished', { peer, imported, txs, head: this.chain.currentHeader().number });
    return { peer, ancestor, imported, txs };
  }

  private known(h: Header): boolean {
    return this.chain.store.blockNumber(headerHash(h)) === h.number;
  }

  /** The peer's highest block that we hold too (canonical or side for us). */
  async findAncestor(peer: string, remoteHead: bigint): Promise<Header> {
    const localHead = this.chain.currentHeader().number;
    const top = localHead < remoteHead ? localHead : remoteHead;
    const start = top + 1n > this.span ? top + 1n - this.span : 0n;
    const headers = await this.fetchHeaders(peer, start, Number(top - start + 1n));
    for (let i = headers.length - 1; i >= 0; i--) {
      if (this.known(headers[i]!)) return headers[i]!;
    }
    if (headers.length > 0 && headers.length < Number(top - start + 1n)) {
      throw new PeerFaultError(peer, 'served a short header span below its announced head');
    }
    // Binary search below the span; genesis is shared (the handshake checked it).
    let lo = 0n;
    let hi = start === 0n ? 0n : start - 1n;
    let loHeader = this.chain.genesisHeader();
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      const [h] = await this.fetchHeaders(peer, mid, 1);
      if (!h) throw new PeerFaultError(peer, `has no header ${mid} below its announced head ${remoteHead}`);
      if (this.known(h)) {
        lo = mid;
        loHeader = h;
      } else hi = mid - 1n;
    }
    return loHeader;
  }

  private async request(peer: string, req: BlockRangeRequest): Promise<Uint8Array[]> {
    const frames = await this.fetch(peer, req);
    if (frames.length > servedCount(req)) throw new PeerFaultError(peer, `answered ${frames.length} items to a request for ${req.count}`);
    return frames;
  }

  /** Canonical headers from `from`, checked to be exactly the ones asked for. */
  private async fetchHeaders(peer: string, from: bigint, count: number): Promise<Header[]> {
    const frames = await this.request(peer, { origin: { number: from }, count, reverse: false, bodies: false });
    const headers = frames.map((f) => {
      try {
        return decodeHeader(f);
      } catch (e) {
        throw new PeerFaultError(peer, `malformed header in sync response: ${(e as Error).message}`, { cause: e });
      }
    });
    checkChain(peer, headers, from);
    return headers;
  }

  private async fetchBlocks(peer: string, from: bigint): Promise<Block[]> {
    const frames = await this.request(peer, { origin: { number: from }, count: Number(this.chunk), reverse: false, bodies: true });
    const blocks = frames.map((f) => {
      try {
        return decodeBlock(f);
      } catch (e) {
        throw new PeerFaultError(peer, `malformed block in sync response: ${(e as Error).message}`, { cause: e });
      }
    });
    checkChain(peer, blocks.map((b) => b.header), from);
    return blocks;
  }
}

/** A response must start where asked and link up by number and parent hash. */
function checkChain(peer: string, headers: readonly Header[], from: bigint): void {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h.number !== from + BigInt(i)) throw new PeerFaultError(peer, `answered block ${h.number} where ${from + BigInt(i)} was asked`);
    if (i > 0 && !equalBytes(h.parentHash, headerHash(headers[i - 1]!))) {
      throw new PeerFaultError(peer, `answered a broken chain at ${h.number} (parent ${hashToHex(h.parentHash)})`);
    }
  }
}


