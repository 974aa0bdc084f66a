/**
 * The sealing loop: build a block on the head, wait for its clique slot
 * (in-turn now, out-of-turn after the wiggle), seal it and write it through
 * the chain with the state the worker already computed. A new head from
 * elsewhere interrupts the wait and restarts on top of it. With period 0 it
 * builds only when the pool has pending txs.
 */
import { EventEmitter } from 'node:events';
import { hashToHex, type Address } from '../crypto/primitives.js';
import type { Blockchain } from '../core/chain/blockchain.js';
import type { TxPool } from '../core/txpool/txpool.js';
import { headerHash } from '../types/header.js';
import { logger } from '../util/log.js';
import type { MinerWorker } from './assembler.js';

const log = logger('miner');

export interface MinedInfo {
  number: bigint;
  hash: string;
  txs: number;
  buildMs: number;
  /** Writing the sealed block and its state: with buildMs, the block's processing time (metrics). */
  writeMs: number;
}

export class Miner extends EventEmitter {
  private running = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly proposals = new Map<string, boolean>();
  private hold: () => boolean = () => false;

  constructor(
    private readonly chain: Blockchain,
    private readonly pool: TxPool,
    private readonly worker: MinerWorker,
    private readonly signer: Address,
    private readonly signerKey: Uint8Array,
    private readonly now: () => number = () => Date.now(),
  ) {
    super();
    chain.on('head', () => this.wake?.());
    pool.on('pending', () => this.wake?.());
  }

  /** Clique votes this signer casts in the blocks it seals (clique_propose/discard). */
  propose(address: string, authorize: boolean): void {
    this.proposals.set(address.toLowerCase(), authorize);
  }

  discard(address: string): void {
    this.proposals.delete(address.toLowerCase());
  }

  getProposals(): Map<string, boolean> {
    return new Map(this.proposals);
  }

  /** Seal nothing while `cond` holds (the node is catching up: its head is not the network's). */
  holdWhile(cond: () => boolean): void {
    this.hold = cond;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop().catch((e) => log.error('Miner stopped on error', { err: e as Error }));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loopDone;
  }

  /** Sleeps until `ms` passes or something wakes the loop; true if it slept the whole time. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve(true);
      }, Math.max(0, ms));
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve(false);
      };
    });
  }

  /** Waits until the deadline; false if the head moved (rebuild) or the miner stopped. Pending-tx wake-ups keep waiting. */
  private async waitSlot(deadline: number, parentHash: Uint8Array): Promise<boolean> {
    for (;;) {
      if (!this.running) return false;
      if (hashToHex(this.chain.currentHash()) !== hashToHex(parentHash as never)) return false;
      const rest = deadline - performance.now();
      if (rest <= 0) return true;
      await this.sleep(rest);
    }
  }

  private async loop(): Promise<void> {
    const period = this.chain.config.clique.period;
    while (this.running) {
      const parent = this.chain.currentHeader();
      const parentHash = this.chain.currentHash();
      if (this.hold()) {
        await this.sleep(500);
        continue;
      }
      if (period === 0n && this.pool.status().pending === 0) {
        await this.sleep(1000);
        continue;
      }
      const t0 = performance.now();
      let built;
      try {
        built = await this.worker.build(parent, BigInt(Math.floor(this.now() / 1000)), this.proposals);
      } catch (e) {
        log.error('Block assembly failed', { number: parent.number + 1n, err: e as Error });
        await this.sleep(1000);
        continue;
      }
      const buildMs = performance.now() - t0;
      if (period === 0n && built.block.transactions.length === 0) {
        await this.sleep(1000);
        continue;
      }
      let delayMs: number;
      try {
        delayMs = this.chain.engine.sealDelay(this.chain.headerReader, built.block.header, this.signer).delayMs;
      } catch (e) {
        // Not our turn (recently signed, or not a signer): wait for the next head.
        log.debug('Not sealing', { number: built.block.header.number, reason: (e as Error).message });
        await this.sleep(Number(period > 0n ? period : 1n) * 1000);
        continue;
      }
      if (!(await this.waitSlot(performance.now() + delayMs, parentHash))) continue;
      if (!this.running) break;
      if (hashToHex(this.chain.currentHash()) !== hashToHex(parentHash) || this.hold()) continue;
      const header = this.chain.engine.seal(built.block.header, this.signerKey);
      const block = { ...built.block, header };
      const tw = performance.now();
      const status = await this.chain.writeMinedBlock(block, built.state, built.receipts);
      const writeMs = performance.now() - tw;
      const info: MinedInfo = { number: header.number, hash: hashToHex(headerHash(header)), txs: block.transactions.length, buildMs, writeMs };
      if (status === 'canonical') {
        log.info('Sealed new block', { number: info.number, hash: info.hash, txs: info.txs, buildMs: buildMs.toFixed(1) });
        this.emit('mined', info);
      }
    }
  }
}
