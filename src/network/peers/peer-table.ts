/**
 * The peers that passed the handshake, with the latest status each claimed.
 * Gossip refines a claim (a peer that sent block n holds at least n); the
 * sync driver picks the heaviest claim and, once it has tried it, settles it
 * down to our own weight until the peer's next status.
 */
import type { Hash } from '../../crypto/primitives.js';
import type { Status } from './status.js';

export class PeerTable implements Iterable<[string, Status]> {
  private readonly statuses = new Map<string, Status>();

  get size(): number {
    return this.statuses.size;
  }

  has(peer: string): boolean {
    return this.statuses.has(peer);
  }

  get(peer: string): Status | undefined {
    return this.statuses.get(peer);
  }

  ids(): string[] {
    return [...this.statuses.keys()];
  }

  [Symbol.iterator](): IterableIterator<[string, Status]> {
    return this.statuses.entries();
  }

  /** Records a peer's status; true when the peer was not in the table. */
  set(peer: string, status: Status): boolean {
    const known = this.statuses.has(peer);
    this.statuses.set(peer, status);
    return !known;
  }

  delete(peer: string): void {
    this.statuses.delete(peer);
  }

  /** A block the peer gossiped: its head is at least there. */
  noteHead(peer: string, hash: Hash, number: bigint): void {
    const st = this.statuses.get(peer);
    if (st && number > st.headNumber) this.statuses.set(peer, { ...st, headHash: hash, headNumber: number });
  }

  /** The peer claiming the most total difficulty (the first seen, on a tie). */
  heaviest(): [string, Status] | undefined {
    let best: [string, Status] | undefined;
    for (const e of this.statuses) if (!best || e[1].td > best[1].td) best = e;
    return best;
  }

  /** Caps a peer's claimed weight at `td` (a claim that was tried), until its next status. */
  settle(peer: string, td: bigint): void {
    const st = this.statuses.get(peer);
    if (st && st.td > td) this.statuses.set(peer, { ...st, td });
  }
}
