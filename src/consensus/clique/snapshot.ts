/**
 * A clique voting snapshot: the authorized signers at a block, the recent
 * signers (who must wait), and the open votes and tallies. `apply` folds
 * headers in, exactly as go-ethereum 1.10.25's snapshot.go.
 */
import { bytesToHex, compareBytes, equalBytes } from '../../crypto/bytes.js';
import { addressFromHex, addressToHex, hashFromHex, hashToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { headerHash, type Header } from '../../core/types/header.js';
import { CliqueError } from './errors.js';

export const NONCE_AUTH = new Uint8Array(8).fill(0xff);
export const NONCE_DROP = new Uint8Array(8);

export interface Vote {
  signer: Address;
  block: bigint;
  address: Address;
  authorize: boolean;
}

interface Tally {
  authorize: boolean;
  votes: number;
}

const hex = (a: Uint8Array) => bytesToHex(a);

export class Snapshot {
  signers: Address[];
  recents: Map<bigint, Address>;
  votes: Vote[];
  tally: Map<string, Tally>;

  constructor(readonly epoch: bigint, public number: bigint, public hash: Hash, signers: Address[], recents = new Map<bigint, Address>(), votes: Vote[] = [], tally = new Map<string, Tally>()) {
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

  inturn(number: bigint, signer: Address): boolean {
    const offset = this.signers.findIndex((s) => equalBytes(s, signer));
    return offset >= 0 && number % BigInt(this.signers.length) === BigInt(offset);
  }

  private validVote(address: Address, authorize: boolean): boolean {
    const signer = this.isSigner(address);
    return (signer && !authorize) || (!signer && authorize);
  }

  private cast(address: Address, authorize: boolean): boolean {
    if (!this.validVote(address, authorize)) return false;
    const t = this.tally.get(hex(address));
    if (t) t.votes++;
    else this.tally.set(hex(address), { authorize, votes: 1 });
    return true;
  }

  private uncast(address: Address, authorize: boolean): boolean {
    const t = this.tally.get(hex(address));
    if (!t || t.authorize !== authorize) return false;
    if (t.votes > 1) t.votes--;
    else this.tally.delete(hex(address));
    return true;
  }

  /** Folds contiguous headers (oldest first) into a new snapshot; `author` recovers each sealer. */
  apply(headers: readonly Header[], author: (h: Header) => Address): Snapshot {
    if (headers.length === 0) return this;
    for (let i = 0; i < headers.length - 1; i++) {
      if (headers[i + 1]!.number !== headers[i]!.number + 1n) throw new CliqueError('invalid-voting-chain');
    }
    if (headers[0]!.number !== this.number + 1n) throw new CliqueError('invalid-voting-chain');
    const snap = this.copy();
    for (const header of headers) {
      const number = header.number;
      if (number % this.epoch === 0n) {
        snap.votes = [];
        snap.tally = new Map();
      }
      const limit = BigInt(Math.floor(snap.signers.length / 2) + 1);
      if (number >= limit) snap.recents.delete(number - limit);
      const signer = author(header);
      if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer', `unauthorized signer ${addressToHex(signer)}`);
      for (const recent of snap.recents.values()) if (equalBytes(recent, signer)) throw new CliqueError('recently-signed');
      snap.recents.set(number, signer);
      // One vote per signer per candidate: a new vote replaces the old.
      const prior = snap.votes.findIndex((v) => equalBytes(v.signer, signer) && equalBytes(v.address, header.coinbase));
      if (prior >= 0) {
        snap.uncast(snap.votes[prior]!.address, snap.votes[prior]!.authorize);
        snap.votes.splice(prior, 1);
      }
      let authorize: boolean;
      if (equalBytes(header.nonce, NONCE_AUTH)) authorize = true;
      else if (equalBytes(header.nonce, NONCE_DROP)) authorize = false;
      else throw new CliqueError('invalid-vote');
      if (snap.cast(header.coinbase, authorize)) snap.votes.push({ signer, block: number, address: header.coinbase, authorize });
      const t = snap.tally.get(hex(header.coinbase));
      if (t && t.votes > Math.floor(snap.signers.length / 2)) {
        if (t.authorize) {
          snap.signers.push(header.coinbase);
          snap.signers.sort(compareBytes);
        } else {
          snap.signers = snap.signers.filter((s) => !equalBytes(s, header.coinbase));
          const l = BigInt(Math.floor(snap.signers.length / 2) + 1);
          if (number >= l) snap.recents.delete(number - l);
          for (let i = 0; i < snap.votes.length; i++) {
            if (equalBytes(snap.votes[i]!.signer, header.coinbase)) {
              snap.uncast(snap.votes[i]!.address, snap.votes[i]!.authorize);
              snap.votes.splice(i, 1);
              i--;
            }
          }
        }
        snap.votes = snap.votes.filter((v) => !equalBytes(v.address, header.coinbase));
        snap.tally.delete(hex(header.coinbase));
      }
    }
    snap.number += BigInt(headers.length);
    snap.hash = headerHash(headers[headers.length - 1]!);
    return snap;
  }

  toJSON(): Record<string, unknown> {
    return {
      number: this.number.toString(),
      hash: hashToHex(this.hash),
      signers: this.signersHex(),
      recents: Object.fromEntries([...this.recents].map(([n, a]) => [n.toString(), addressToHex(a)])),
      votes: this.votes.map((v) => ({ signer: addressToHex(v.signer), block: v.block.toString(), address: addressToHex(v.address), authorize: v.authorize })),
      tally: Object.fromEntries([...this.tally].map(([k, t]) => [k, t])),
    };
  }

  static fromJSON(epoch: bigint, j: Record<string, unknown>): Snapshot {
    const recents = new Map<bigint, Address>();
    for (const [n, a] of Object.entries(j.recents as Record<string, string>)) recents.set(BigInt(n), addressFromHex(a));
    const votes = (j.votes as { signer: string; block: string; address: string; authorize: boolean }[]).map((v) => ({
      signer: addressFromHex(v.signer), block: BigInt(v.block), address: addressFromHex(v.address), authorize: v.authorize,
    }));
    const tally = new Map<string, Tally>(Object.entries(j.tally as Record<string, Tally>));
    return new Snapshot(epoch, BigInt(j.number as string), hashFromHex(j.hash as string), (j.signers as string[]).map(addressFromHex), recents, votes, tally);
  }
}
