/**
 * A clique voting snapshot: the authorized signers at a block, the recent
 * signers (who must wait), and the open votes and their tallies. `apply`
 * folds headers in exactly as go-ethereum 1.10.25's snapshot.go does, quirks
 * included (they are consensus). Never reads the database or the chain: the
 * engine finds the base snapshot and the headers.
 */
import { bytesToHex, compareBytes, equalBytes } from '../../crypto/bytes.js';
import { addressFromHex, addressToHex, hashFromHex, hashToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { headerHash, type Header } from '../../types/header.js';
import { CliqueError } from './errors.js';

/** Nonce of a vote to add the coinbase as a signer. */
export const NONCE_AUTH = new Uint8Array(8).fill(0xff);
/** Nonce of a vote to drop the coinbase (also the nonce of every vote-less block). */
export const NONCE_DROP = new Uint8Array(8);

export interface Vote {
  /** The authorized signer that cast it. */
  signer: Address;
  /** Block it was cast in. */
  block: bigint;
  /** The account voted on. */
  address: Address;
  authorize: boolean;
}

export interface Tally {
  authorize: boolean;
  votes: number;
}

const key = (a: Uint8Array) => bytesToHex(a);

/** How many consecutive blocks a signer may seal only one of. */
export function recentLimit(signerCount: number): bigint {
  return BigInt(Math.floor(signerCount / 2) + 1);
}

export class Snapshot {
  /** Sorted ascending (the in-turn order). */
  signers: Address[];
  /** Block number → its signer, for the last floor(n/2)+1 blocks. */
  recents: Map<bigint, Address>;
  /** Votes in the order cast. */
  votes: Vote[];
  /** Lower-case hex address → running tally. */
  tally: Map<string, Tally>;

  constructor(
    readonly epoch: bigint,
    public number: bigint,
    public hash: Hash,
    signers: readonly Address[],
    recents = new Map<bigint, Address>(),
    votes: Vote[] = [],
    tally = new Map<string, Tally>(),
  ) {
    this.signers = [...signers].sort(compareBytes);
    this.recents = recents;
    this.votes = votes;
    this.tally = tally;
  }

  copy(): Snapshot {
    const t = new Map<string, Tally>();
    for (const [k, v] of this.tally) t.set(k, { ...v });
    return new Snapshot(this.epoch, this.number, this.hash, this.signers, new Map(this.recents), this.votes.map((v) => ({ ...v })), t);
  }

  isSigner(a: Address): boolean {
    return this.signers.some((s) => equalBytes(s, a));
  }

  signersHex(): string[] {
    return this.signers.map((s) => addressToHex(s));
  }

  /** Whether `signer` is the in-turn signer of block `number` (number mod n == its index). */
  inturn(number: bigint, signer: Address): boolean {
    const offset = this.signers.findIndex((s) => equalBytes(s, signer));
    return offset >= 0 && number % BigInt(this.signers.length) === BigInt(offset);
  }

  /** A vote makes sense only to add a non-signer or drop a signer. */
  validVote(address: Address, authorize: boolean): boolean {
    return this.isSigner(address) !== authorize;
  }

  private cast(address: Address, authorize: boolean): boolean {
    if (!this.validVote(address, authorize)) return false;
    const t = this.tally.get(key(address));
    // As geth: an existing tally is bumped whatever its direction (a signer's
    // status cannot change while a tally on it is open, so the direction matches).
    if (t) t.votes++;
    else this.tally.set(key(address), { authorize, votes: 1 });
    return true;
  }

  private uncast(address: Address, authorize: boolean): boolean {
    const t = this.tally.get(key(address));
    if (!t || t.authorize !== authorize) return false;
    if (t.votes > 1) t.votes--;
    else this.tally.delete(key(address));
    return true;
  }

  /**
   * Folds contiguous headers (oldest first, starting at number + 1) into a
   * new snapshot; `author` recovers each sealer. This snapshot is unchanged.
   */
  apply(headers: readonly Header[], author: (h: Header) => Address): Snapshot {
    if (headers.length === 0) return this;
    for (let i = 0; i < headers.length - 1; i++) {
      if (headers[i + 1]!.number !== headers[i]!.number + 1n) throw new CliqueError('invalid-voting-chain');
    }
    if (headers[0]!.number !== this.number + 1n) throw new CliqueError('invalid-voting-chain');
    const snap = this.copy();
    for (const header of headers) {
      const number = header.number;
      // Checkpoints drop every open vote (recents are kept: issue 17593).
      if (number % this.epoch === 0n) {
        snap.votes = [];
        snap.tally = new Map();
      }
      // The oldest recent signer may sign again.
      const limit = recentLimit(snap.signers.length);
      if (number >= limit) snap.recents.delete(number - limit);
      const signer = author(header);
      if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer', `unauthorized signer ${addressToHex(signer)} at block ${number}`);
      for (const recent of snap.recents.values()) {
        if (equalBytes(recent, signer)) throw new CliqueError('recently-signed', `${addressToHex(signer)} signed recently (block ${number})`);
      }
      snap.recents.set(number, signer);
      // One vote per signer per candidate: a new vote replaces the old one.
      const prior = snap.votes.findIndex((v) => equalBytes(v.signer, signer) && equalBytes(v.address, header.coinbase));
      if (prior >= 0) {
        const v = snap.votes[prior]!;
        snap.uncast(v.address, v.authorize);
        snap.votes.splice(prior, 1);
      }
      let authorize: boolean;
      if (equalBytes(header.nonce, NONCE_AUTH)) authorize = true;
      else if (equalBytes(header.nonce, NONCE_DROP)) authorize = false;
      else throw new CliqueError('invalid-vote');
      if (snap.cast(header.coinbase, authorize)) snap.votes.push({ signer, block: number, address: header.coinbase, authorize });
      // A strict majority of the current signers passes the vote.
      const t = snap.tally.get(key(header.coinbase));
      if (t && t.votes > Math.floor(snap.signers.length / 2)) {
        if (t.authorize) {
          snap.signers.push(header.coinbase);
          snap.signers.sort(compareBytes);
        } else {
          snap.signers = snap.signers.filter((s) => !equalBytes(s, header.coinbase));
          // The window shrank: free the signer that falls out of it now.
          const l = recentLimit(snap.signers.length);
          if (number >= l) snap.recents.delete(number - l);
          // The dropped signer's own votes no longer count.
          for (let i = 0; i < snap.votes.length; i++) {
            const v = snap.votes[i]!;
            if (equalBytes(v.signer, header.coinbase)) {
              snap.uncast(v.address, v.authorize);
              snap.votes.splice(i, 1);
              i--;
            }
          }
        }
        // Every vote on the account just changed is settled.
        snap.votes = snap.votes.filter((v) => !equalBytes(v.address, header.coinbase));
        snap.tally.delete(key(header.coinbase));
      }
    }
    snap.number += BigInt(headers.length);
    snap.hash = headerHash(headers[headers.length - 1]!);
    return snap;
  }

  /** go-ethereum's JSON form (what clique_getSnapshot returns and what is persisted). */
  toJSON(): SnapshotJson {
    return {
      number: Number(this.number),
      hash: hashToHex(this.hash),
      signers: Object.fromEntries(this.signers.map((s) => [addressToHex(s), {}])),
      recents: Object.fromEntries([...this.recents].map(([n, a]) => [n.toString(), addressToHex(a)])),
      votes: this.votes.map((v) => ({ signer: addressToHex(v.signer), block: Number(v.block), address: addressToHex(v.address), authorize: v.authorize })),
      tally: Object.fromEntries([...this.tally].map(([k, t]) => [k, { authorize: t.authorize, votes: t.votes }])),
    };
  }

  /** Reads toJSON's form (and the earlier one: decimal strings, signers as an array). */
  static fromJSON(epoch: bigint, j: SnapshotJson | Record<string, unknown>): Snapshot {
    const o = j as Record<string, unknown>;
    const int = (v: unknown) => BigInt(v as string | number);
    const signers = Array.isArray(o.signers) ? (o.signers as string[]) : Object.keys(o.signers as Record<string, unknown>);
    const recents = new Map<bigint, Address>();
    for (const [n, a] of Object.entries((o.recents ?? {}) as Record<string, string>)) recents.set(BigInt(n), addressFromHex(a));
    const votes = ((o.votes ?? []) as { signer: string; block: string | number; address: string; authorize: boolean }[]).map((v) => ({
      signer: addressFromHex(v.signer), block: int(v.block), address: addressFromHex(v.address), authorize: !!v.authorize,
    }));
    const tally = new Map<string, Tally>();
    for (const [k, t] of Object.entries((o.tally ?? {}) as Record<string, Tally>)) tally.set(key(addressFromHex(k)), { authorize: !!t.authorize, votes: Number(t.votes) });
    return new Snapshot(epoch, int(o.number), hashFromHex(o.hash as string), signers.map(addressFromHex), recents, votes, tally);
  }
}

export interface SnapshotJson {
  number: number;
  hash: string;
  signers: Record<string, Record<string, never>>;
  recents: Record<string, string>;
  votes: { signer: string; block: number; address: string; authorize: boolean }[];
  tally: Record<string, Tally>;
}
