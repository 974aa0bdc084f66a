/**
 * The clique engine (EIP-225) as go-ethereum 1.10.25 runs it: header
 * verification (fields, cascading fields, seal), signer snapshots (cached,
 * persisted every 1024 blocks), the block author (fee recipient), and what a
 * miner needs — difficulty, prepare, seal, and the seal delay (in-turn now,
 * out-of-turn after a random wiggle).
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { asAddress, ZERO_ADDRESS, ZERO_HASH, type Address, type Hash } from '../../crypto/primitives.js';
import { utf8ToBytes, bytesToUtf8 } from '../../crypto/bytes.js';
import type { KeyValueStore } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { EMPTY_UNCLE_HASH, headerHash, type Header } from '../../core/types/header.js';
import { calcBaseFee } from '../eip1559.js';
import { MAX_GAS_LIMIT, verifyGasLimit } from '../gaslimit.js';
import { CliqueError } from './errors.js';
import { EXTRA_SEAL, EXTRA_VANITY, recoverSealer, sealHash, sealHeader } from './seal.js';
import { NONCE_AUTH, NONCE_DROP, Snapshot } from './snapshot.js';

export interface CliqueConfig {
  period: bigint;
  epoch: bigint;
}

export interface ChainHeaderReader {
  getHeader(hash: Hash, number: bigint): Header | undefined;
  getHeaderByNumber(number: bigint): Header | undefined;
}

export const CHECKPOINT_INTERVAL = 1024n;
export const WIGGLE_MS = 500;
export const DIFF_IN_TURN = 2n;
export const DIFF_NO_TURN = 1n;

class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    return this.m.get(k);
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
}

export class Clique {
  private readonly snapshots = new Lru<Snapshot>(128);
  private readonly authors = new Lru<Address>(4096);
  private readonly now: () => number;

  constructor(readonly config: CliqueConfig, private readonly db: KeyValueStore, opts: { now?: () => number } = {}) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  author(header: Header): Address {
    const k = bytesToHex(headerHash(header));
    let a = this.authors.get(k);
    if (!a) {
      a = recoverSealer(header);
      this.authors.set(k, a);
    }
    return a;
  }

  sealHash(header: Header): Hash {
    return sealHash(header);
  }

  verifyHeader(chain: ChainHeaderReader, header: Header, parents: Header[] = []): void {
    const number = header.number;
    if (header.time > BigInt(this.now())) throw new CliqueError('future-block', `block in the future: time ${header.time}`);
    const checkpoint = number % this.config.epoch === 0n;
    if (checkpoint && !equalBytes(header.coinbase, ZERO_ADDRESS)) throw new CliqueError('invalid-checkpoint-beneficiary');
    if (!equalBytes(header.nonce, NONCE_AUTH) && !equalBytes(header.nonce, NONCE_DROP)) throw new CliqueError('invalid-vote');
    if (checkpoint && !equalBytes(header.nonce, NONCE_DROP)) throw new CliqueError('invalid-checkpoint-vote');
    if (header.extraData.length < EXTRA_VANITY) throw new CliqueError('missing-vanity');
    if (header.extraData.length < EXTRA_VANITY + EXTRA_SEAL) throw new CliqueError('missing-signature');
    const signersBytes = header.extraData.length - EXTRA_VANITY - EXTRA_SEAL;
    if (!checkpoint && signersBytes !== 0) throw new CliqueError('extra-signers');
    if (checkpoint && signersBytes % 20 !== 0) throw new CliqueError('invalid-checkpoint-signers');
    if (!equalBytes(header.mixDigest, ZERO_HASH)) throw new CliqueError('invalid-mix-digest');
    if (!equalBytes(header.uncleHash, EMPTY_UNCLE_HASH)) throw new CliqueError('invalid-uncle-hash');
    if (number > 0n && header.difficulty !== DIFF_IN_TURN && header.difficulty !== DIFF_NO_TURN) throw new CliqueError('invalid-difficulty');
    if (header.gasLimit > MAX_GAS_LIMIT) throw new CliqueError('invalid-gas-limit', `invalid gasLimit: have ${header.gasLimit}, max ${MAX_GAS_LIMIT}`);
    this.verifyCascadingFields(chain, header, parents);
  }

  private verifyCascadingFields(chain: ChainHeaderReader, header: Header, parents: Header[]): void {
    const number = header.number;
    if (number === 0n) return;
    const parent = parents.length > 0 ? parents[parents.length - 1] : chain.getHeader(header.parentHash, number - 1n);
    if (!parent || parent.number !== number - 1n || !equalBytes(headerHash(parent), header.parentHash)) throw new CliqueError('unknown-ancestor');
    if (parent.time + this.config.period > header.time) throw new CliqueError('invalid-timestamp');
    if (header.gasUsed > header.gasLimit) throw new CliqueError('invalid-gas-used', `invalid gasUsed: have ${header.gasUsed}, gasLimit ${header.gasLimit}`);
    try {
      verifyGasLimit(parent.gasLimit, header.gasLimit);
    } catch (e) {
      throw new CliqueError('invalid-gas-limit', (e as Error).message);
    }
    if (header.baseFee === undefined) throw new CliqueError('invalid-base-fee', 'header is missing baseFee');
    const want = calcBaseFee(parent);
    if (header.baseFee !== want) throw new CliqueError('invalid-base-fee', `invalid baseFee: have ${header.baseFee}, want ${want}`);
    const snap = this.snapshot(chain, number - 1n, header.parentHash, parents);
    if (number % this.config.epoch === 0n) {
      const listed = header.extraData.subarray(EXTRA_VANITY, header.extraData.length - EXTRA_SEAL);
      const expected = new Uint8Array(snap.signers.length * 20);
      snap.signers.forEach((s, i) => expected.set(s, i * 20));
      if (!equalBytes(listed, expected)) throw new CliqueError('mismatching-checkpoint-signers');
    }
    this.verifySeal(snap, header);
  }

  private verifySeal(snap: Snapshot, header: Header): void {
    const number = header.number;
    if (number === 0n) throw new CliqueError('unknown-block');
    const signer = this.author(header);
    if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer', `unauthorized signer ${bytesToHex(signer)}`);
    const limit = BigInt(Math.floor(snap.signers.length / 2) + 1);
    for (const [seen, recent] of snap.recents) {
      if (equalBytes(recent, signer) && number >= limit && seen > number - limit) throw new CliqueError('recently-signed');
    }
    const inturn = snap.inturn(number, signer);
    if (inturn && header.difficulty !== DIFF_IN_TURN) throw new CliqueError('wrong-difficulty');
    if (!inturn && header.difficulty !== DIFF_NO_TURN) throw new CliqueError('wrong-difficulty');
  }

  /** The voting snapshot at (number, hash); `parents` are in-flight ancestors, oldest first. */
  snapshot(chain: ChainHeaderReader, number: bigint, hash: Hash, parents: Header[] = []): Snapshot {
    const headers: Header[] = [];
    const pending = [...parents];
    let snap: Snapshot | undefined;
    let n = number;
    let h = hash;
    while (!snap) {
      const cached = this.snapshots.get(bytesToHex(h));
      if (cached) {
        snap = cached;
        break;
      }
      if (n % CHECKPOINT_INTERVAL === 0n) {
        const stored = this.loadSnapshot(h);
        if (stored) {
          snap = stored;
          break;
        }
      }
      if (n === 0n) {
        const genesis = chain.getHeaderByNumber(0n);
        if (!genesis) throw new CliqueError('unknown-ancestor', 'missing genesis header');
        const extra = genesis.extraData;
        const list = extra.subarray(EXTRA_VANITY, extra.length - EXTRA_SEAL);
        const signers: Address[] = [];
        for (let i = 0; i + 20 <= list.length; i += 20) signers.push(asAddress(list.slice(i, i + 20)));
        snap = new Snapshot(this.config.epoch, 0n, headerHash(genesis), signers);
        this.storeSnapshot(snap);
        break;
      }
      let header: Header | undefined;
      if (pending.length > 0) {
        header = pending.pop()!;
        if (!equalBytes(headerHash(header), h) || header.number !== n) throw new CliqueError('unknown-ancestor');
      } else {
        header = chain.getHeader(h, n);
        if (!header) throw new CliqueError('unknown-ancestor', `missing header ${bytesToHex(h)} of block ${n}`);
      }
      headers.push(header);
      n -= 1n;
      h = header.parentHash;
    }
    headers.reverse();
    const result = snap.apply(headers, (hd) => this.author(hd));
    this.snapshots.set(bytesToHex(result.hash), result);
    if (result.number % CHECKPOINT_INTERVAL === 0n && headers.length > 0) this.storeSnapshot(result);
    return result;
  }

  private loadSnapshot(hash: Hash): Snapshot | undefined {
    const raw = this.db.get(schema.cliqueSnapshot(hash));
    if (!raw) return undefined;
    try {
      return Snapshot.fromJSON(this.config.epoch, JSON.parse(bytesToUtf8(raw)));
    } catch {
      return undefined;
    }
  }

  private storeSnapshot(s: Snapshot): void {
    // A snapshot is a cache: written on its own, outside the block batches.
    const b = this.db.batch();
    b.put(schema.cliqueSnapshot(s.hash), utf8ToBytes(JSON.stringify(s.toJSON())));
    void b.write().catch(() => undefined);
  }

  calcDifficulty(chain: ChainHeaderReader, parent: Header, signer: Address): bigint {
    const snap = this.snapshot(chain, parent.number, headerHash(parent));
    return snap.inturn(parent.number + 1n, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
  }

  /** Fills the clique fields of a header being built on its parent (number and parentHash set). */
  prepare(chain: ChainHeaderReader, header: Header, signer: Address, proposals: Map<string, boolean>): void {
    header.coinbase = ZERO_ADDRESS;
    header.nonce = new Uint8Array(8);
    const number = header.number;
    const snap = this.snapshot(chain, number - 1n, header.parentHash);
    if (number % this.config.epoch !== 0n) {
      const valid = [...proposals].filter(([addr, auth]) => {
        const isSigner = snap.signersHex().includes(addr.toLowerCase());
        return (isSigner && !auth) || (!isSigner && auth);
      });
      if (valid.length > 0) {
        const [addr, auth] = valid[Math.floor(Math.random() * valid.length)]!;
        header.coinbase = asAddress(Uint8Array.from(Buffer.from(addr.slice(2), 'hex')));
        header.nonce = auth ? NONCE_AUTH.slice() : NONCE_DROP.slice();
      }
    }
    header.difficulty = snap.inturn(number, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
    const vanity = new Uint8Array(EXTRA_VANITY);
    vanity.set(header.extraData.subarray(0, EXTRA_VANITY));
    const signers = number % this.config.epoch === 0n ? snap.signers : [];
    const extra = new Uint8Array(EXTRA_VANITY + signers.length * 20 + EXTRA_SEAL);
    extra.set(vanity, 0);
    signers.forEach((s, i) => extra.set(s, EXTRA_VANITY + i * 20));
    header.extraData = extra;
    header.mixDigest = ZERO_HASH;
  }

  seal(header: Header, key: Uint8Array): Header {
    return sealHeader(header, key);
  }

  /** How long to wait before sealing `header` as `signer`; throws if it may not seal now. */
  sealDelay(chain: ChainHeaderReader, header: Header, signer: Address): { delayMs: number; inTurn: boolean } {
    const number = header.number;
    const snap = this.snapshot(chain, number - 1n, header.parentHash);
    if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer');
    const limit = BigInt(Math.floor(snap.signers.length / 2) + 1);
    for (const [seen, recent] of snap.recents) {
      if (equalBytes(recent, signer) && (number < limit || seen > number - limit)) throw new CliqueError('recently-signed', 'signed recently, must wait for others');
    }
    let delayMs = Number(header.time) * 1000 - Date.now();
    const inTurn = header.difficulty === DIFF_IN_TURN;
    if (!inTurn) delayMs += Math.floor(Math.random() * (Math.floor(snap.signers.length / 2) + 1) * WIGGLE_MS);
    return { delayMs: Math.max(0, delayMs), inTurn };
  }
}
