/**
 * The clique engine (EIP-225) as go-ethereum 1.10.25 runs it: header
 * verification (verifyHeader + verifyCascadingFields + verifySeal), signer
 * snapshots (LRU-cached, persisted at genesis and every 1024 blocks, loaded
 * back), the block author (the fee recipient), and what a miner needs —
 * difficulty, prepare, seal and the seal delay (in-turn at the slot,
 * out-of-turn after a random wiggle). Executes nothing and writes nothing but
 * snapshots; block import and fork choice belong to the blockchain.
 */
import { bytesToHex, bytesToUtf8, equalBytes, utf8ToBytes } from '../../crypto/bytes.js';
import { addressFromHex, asAddress, ZERO_ADDRESS, ZERO_HASH, type Address, type Hash } from '../../crypto/primitives.js';
import type { KeyValueStore } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { EMPTY_UNCLE_HASH, headerHash, type Header } from '../../types/header.js';
import { BaseFeeError, verifyEip1559Header } from '../eip1559.js';
import { GasLimitError, MAX_GAS_LIMIT } from '../gaslimit.js';
import { CliqueError } from './errors.js';
import { Lru } from '../../util/lru.js';
import { EXTRA_SEAL, EXTRA_VANITY, recoverSealer, sealHash, sealHeader } from './seal.js';
import { NONCE_AUTH, NONCE_DROP, recentLimit, Snapshot } from './snapshot.js';

export interface CliqueConfig {
  /** Seconds between blocks. */
  period: bigint;
  /** Blocks between checkpoints (vote reset, signer list in extraData); 0 means 30000, as geth. */
  epoch: bigint;
}

/** Stored headers: by hash (any branch) and by number (canonical). */
export interface ChainHeaderReader {
  getHeader(hash: Hash, number: bigint): Header | undefined;
  getHeaderByNumber(number: bigint): Header | undefined;
}

export interface CliqueOptions {
  /** Current unix time in seconds (tests pin it). */
  now?: () => number;
  /** Uniform [0, 1): the out-of-turn wiggle and the pick among proposals (tests pin it). */
  random?: () => number;
}

/** Blocks between snapshots persisted to the database. */
export const CHECKPOINT_INTERVAL = 1024n;
/** Default epoch length. */
export const EPOCH_LENGTH = 30000n;
/** Headers piled up past which a checkpoint is trusted without its ancestors (params.FullImmutabilityThreshold). */
export const FULL_IMMUTABILITY_THRESHOLD = 90000;
/** Out-of-turn delay unit per signer/2+1. */
export const WIGGLE_MS = 500;
export const DIFF_IN_TURN = 2n;
export const DIFF_NO_TURN = 1n;
const INMEMORY_SNAPSHOTS = 128;
const INMEMORY_SIGNATURES = 4096;

/** The signer list a checkpoint header (or the genesis) carries in its extraData. */
export function checkpointSigners(header: Header): Address[] {
  const list = header.extraData.subarray(EXTRA_VANITY, Math.max(EXTRA_VANITY, header.extraData.length - EXTRA_SEAL));
  const out: Address[] = [];
  for (let i = 0; i + 20 <= list.length; i += 20) out.push(asAddress(list.slice(i, i + 20)));
  return out;
}

export class Clique {
  readonly config: CliqueConfig;
  private readonly snapshots = new Lru<string, Snapshot>(INMEMORY_SNAPSHOTS);
  private readonly authors = new Lru<string, Address>(INMEMORY_SIGNATURES);
  private readonly now: () => number;
  /** Milliseconds for the seal delay: the pinned clock if any, else Date.now (second precision would waste up to 1 s). */
  private readonly nowMs: () => number;
  private readonly random: () => number;
  private readonly pendingWrites = new Set<Promise<void>>();
  private writeError: Error | undefined;

  constructor(config: CliqueConfig, private readonly db: KeyValueStore, opts: CliqueOptions = {}) {
    this.config = { period: config.period, epoch: config.epoch === 0n ? EPOCH_LENGTH : config.epoch };
    const pinned = opts.now;
    this.now = pinned ?? (() => Math.floor(Date.now() / 1000));
    this.nowMs = pinned ? () => pinned() * 1000 : () => Date.now();
    this.random = opts.random ?? Math.random;
  }

  /** The signer recovered from the seal: the block's author and fee recipient (cached by header hash). */
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

  /**
   * Throws a CliqueError unless `header` is valid on its parent. `parents` are
   * in-flight ancestors (a batch being imported, not yet in `chain`), oldest
   * first, the last one being the parent.
   */
  verifyHeader(chain: ChainHeaderReader, header: Header, parents: readonly Header[] = []): void {
    const number = header.number;
    if (number < 0n) throw new CliqueError('unknown-block');
    // Don't waste time on blocks from the future; the caller may retry later.
    if (header.time > BigInt(this.now())) throw new CliqueError('future-block', `block ${number} in the future: time ${header.time}, now ${this.now()}`);
    const checkpoint = number % this.config.epoch === 0n;
    if (checkpoint && !equalBytes(header.coinbase, ZERO_ADDRESS)) throw new CliqueError('invalid-checkpoint-beneficiary');
    if (!equalBytes(header.nonce, NONCE_AUTH) && !equalBytes(header.nonce, NONCE_DROP)) throw new CliqueError('invalid-vote');
    if (checkpoint && !equalBytes(header.nonce, NONCE_DROP)) throw new CliqueError('invalid-checkpoint-vote');
    if (header.extraData.length < EXTRA_VANITY) throw new CliqueError('missing-vanity');
    if (header.extraData.length < EXTRA_VANITY + EXTRA_SEAL) throw new CliqueError('missing-signature');
    const signersBytes = header.extraData.length - EXTRA_VANITY - EXTRA_SEAL;
    if (!checkpoint && signersBytes !== 0) throw new CliqueError('extra-signers');
    if (checkpoint && signersBytes % 20 !== 0) throw new CliqueError('invalid-checkpoint-signers');
    // No fork protection in clique: mixDigest is reserved and must be zero.
    if (!equalBytes(header.mixDigest, ZERO_HASH)) throw new CliqueError('invalid-mix-digest');
    if (!equalBytes(header.uncleHash, EMPTY_UNCLE_HASH)) throw new CliqueError('invalid-uncle-hash');
    // Meaningful here; whether it matches the signer's turn is checked with the seal.
    if (number > 0n && header.difficulty !== DIFF_IN_TURN && header.difficulty !== DIFF_NO_TURN) throw new CliqueError('invalid-difficulty');
    if (header.gasLimit > MAX_GAS_LIMIT) throw new CliqueError('invalid-gas-limit', `invalid gasLimit: have ${header.gasLimit}, max ${MAX_GAS_LIMIT}`);
    this.verifyCascadingFields(chain, header, parents);
  }

  /** geth's VerifyHeaders, synchronously: each header with the ones before it as in-flight parents. */
  verifyHeaders(chain: ChainHeaderReader, headers: readonly Header[]): void {
    for (let i = 0; i < headers.length; i++) this.verifyHeader(chain, headers[i]!, headers.slice(0, i));
  }

  /** The rules that need the parent and the snapshot. */
  private verifyCascadingFields(chain: ChainHeaderReader, header: Header, parents: readonly Header[]): void {
    const number = header.number;
    // The genesis block is the always-valid dead end.
    if (number === 0n) return;
    const parent = parents.length > 0 ? parents[parents.length - 1] : chain.getHeader(header.parentHash, number - 1n);
    if (!parent || parent.number !== number - 1n || !equalBytes(headerHash(parent), header.parentHash)) {
      throw new CliqueError('unknown-ancestor', `unknown ancestor ${bytesToHex(header.parentHash)} of block ${number}`);
    }
    if (parent.time + this.config.period > header.time) {
      throw new CliqueError('invalid-timestamp', `block ${number}: time ${header.time} < parent time ${parent.time} + period ${this.config.period}`);
    }
    if (header.gasUsed > header.gasLimit) throw new CliqueError('invalid-gas-used', `invalid gasUsed: have ${header.gasUsed}, gasLimit ${header.gasLimit}`);
    try {
      verifyEip1559Header(parent, header);
    } catch (e) {
      if (e instanceof GasLimitError) throw new CliqueError('invalid-gas-limit', e.message);
      if (e instanceof BaseFeeError) throw new CliqueError('invalid-base-fee', e.message);
      throw e;
    }
    const snap = this.snapshot(chain, number - 1n, header.parentHash, parents);
    if (number % this.config.epoch === 0n) {
      const listed = header.extraData.subarray(EXTRA_VANITY, header.extraData.length - EXTRA_SEAL);
      const expected = new Uint8Array(snap.signers.length * 20);
      snap.signers.forEach((s, i) => expected.set(s, i * 20));
      if (!equalBytes(listed, expected)) throw new CliqueError('mismatching-checkpoint-signers');
    }
    this.verifySeal(snap, header);
  }

  /** The sealer is a signer, not a recent one, and the difficulty matches its turn. */
  private verifySeal(snap: Snapshot, header: Header): void {
    const number = header.number;
    if (number === 0n) throw new CliqueError('unknown-block');
    const signer = this.author(header);
    if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer', `unauthorized signer ${bytesToHex(signer)} at block ${number}`);
    const limit = recentLimit(snap.signers.length);
    for (const [seen, recent] of snap.recents) {
      // Only fail if this block does not shift the signer out of the window
      // (geth's uint64 `seen > number-limit`: never true while number < limit).
      if (equalBytes(recent, signer) && number >= limit && seen > number - limit) {
        throw new CliqueError('recently-signed', `${bytesToHex(signer)} signed block ${seen}, too recent for block ${number}`);
      }
    }
    const want = snap.inturn(number, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
    if (header.difficulty !== want) throw new CliqueError('wrong-difficulty', `block ${number}: difficulty ${header.difficulty}, want ${want}`);
  }

  /**
   * The voting snapshot after block (number, hash). Walks back to a cached
   * snapshot, a persisted one (at multiples of 1024), the genesis or a
   * trusted checkpoint, then applies the headers in between. `parents` are
   * in-flight ancestors (oldest first) used before the chain.
   */
  snapshot(chain: ChainHeaderReader, number: bigint, hash: Hash, parents: readonly Header[] = []): Snapshot {
    const headers: Header[] = [];
    let remaining = parents.length;
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
      // The genesis, or a checkpoint whose ancestors are gone (or too many
      // headers piled up to ever be reorged): its signer list is trusted.
      if (n === 0n || (n % this.config.epoch === 0n && (headers.length > FULL_IMMUTABILITY_THRESHOLD || chain.getHeaderByNumber(n - 1n) === undefined))) {
        const checkpoint = chain.getHeaderByNumber(n);
        if (checkpoint) {
          snap = new Snapshot(this.config.epoch, n, headerHash(checkpoint), checkpointSigners(checkpoint));
          this.storeSnapshot(snap);
          break;
        }
        if (n === 0n) throw new CliqueError('unknown-ancestor', 'missing genesis header');
      }
      let header: Header | undefined;
      if (remaining > 0) {
        // Explicit parents must be exactly the chain being walked.
        header = parents[--remaining]!;
        if (header.number !== n || !equalBytes(headerHash(header), h)) throw new CliqueError('unknown-ancestor', `in-flight parent is not block ${n} ${bytesToHex(h)}`);
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

  /** Resolves once every snapshot write started so far is on disk; rethrows a failed write. */
  async flush(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.all([...this.pendingWrites]);
    const e = this.writeError;
    this.writeError = undefined;
    if (e) throw e;
  }

  private loadSnapshot(hash: Hash): Snapshot | undefined {
    const raw = this.db.get(schema.cliqueSnapshot(hash));
    if (!raw) return undefined;
    try {
      return Snapshot.fromJSON(this.config.epoch, JSON.parse(bytesToUtf8(raw)));
    } catch {
      // A corrupt cache entry is recomputed from headers, as geth does on a load error.
      return undefined;
    }
  }

  private storeSnapshot(s: Snapshot): void {
    // A snapshot is a cache: written on its own, outside the block batches,
    // without blocking verification (flush() waits for it).
    const b = this.db.batch();
    b.put(schema.cliqueSnapshot(s.hash), utf8ToBytes(JSON.stringify(s.toJSON())));
    const p: Promise<void> = b.write().then(
      () => { this.pendingWrites.delete(p); },
      (e: unknown) => {
        this.pendingWrites.delete(p);
        this.writeError ??= e instanceof Error ? e : new Error(String(e));
      },
    );
    this.pendingWrites.add(p);
  }

  /** Difficulty of the child of `parent` sealed by `signer`: 2 in turn, 1 out of turn. */
  calcDifficulty(chain: ChainHeaderReader, parent: Header, signer: Address): bigint {
    const snap = this.snapshot(chain, parent.number, headerHash(parent));
    return snap.inturn(parent.number + 1n, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
  }

  /**
   * Fills the clique fields of a header being built (number and parentHash
   * set): a vote picked at random among the proposals that make sense (none
   * at checkpoints), the difficulty for `signer`, extraData (vanity, the
   * signer list at checkpoints, 65 zero bytes for the seal), zero mixDigest,
   * and time = max(parent.time + period, now). `now` (unix seconds) defaults
   * to the engine's clock.
   */
  prepare(chain: ChainHeaderReader, header: Header, signer: Address, proposals: ReadonlyMap<string, boolean>, now?: bigint): void {
    const number = header.number;
    if (number <= 0n) throw new CliqueError('unknown-block');
    header.coinbase = new Uint8Array(20) as Address;
    header.nonce = new Uint8Array(8);
    const snap = this.snapshot(chain, number - 1n, header.parentHash);
    if (number % this.config.epoch !== 0n) {
      // Sorted so that a pinned random source picks deterministically.
      const valid = [...proposals]
        .map(([a, auth]) => [addressFromHex(a), auth] as const)
        .filter(([a, auth]) => snap.validVote(a, auth))
        .sort((x, y) => bytesToHex(x[0]).localeCompare(bytesToHex(y[0])));
      if (valid.length > 0) {
        const [address, auth] = valid[Math.min(valid.length - 1, Math.floor(this.random() * valid.length))]!;
        header.coinbase = address;
        header.nonce = (auth ? NONCE_AUTH : NONCE_DROP).slice();
      }
    }
    header.difficulty = snap.inturn(number, signer) ? DIFF_IN_TURN : DIFF_NO_TURN;
    const signers = number % this.config.epoch === 0n ? snap.signers : [];
    const extra = new Uint8Array(EXTRA_VANITY + signers.length * 20 + EXTRA_SEAL);
    extra.set(header.extraData.subarray(0, EXTRA_VANITY), 0);
    signers.forEach((s, i) => extra.set(s, EXTRA_VANITY + i * 20));
    header.extraData = extra;
    header.mixDigest = new Uint8Array(32) as Hash;
    const parent = chain.getHeader(header.parentHash, number - 1n);
    if (!parent) throw new CliqueError('unknown-ancestor', `unknown parent ${bytesToHex(header.parentHash)} of block ${number}`);
    const t = now ?? BigInt(this.now());
    const earliest = parent.time + this.config.period;
    header.time = earliest < t ? t : earliest;
  }

  /** A copy of `header` with the seal (r ‖ s ‖ v, v = 0/1) in extraData's last 65 bytes. */
  seal(header: Header, signerKey: Uint8Array): Header {
    if (header.number === 0n) throw new CliqueError('unknown-block', 'sealing the genesis block is not supported');
    return sealHeader(header, signerKey);
  }

  /**
   * How long to wait before sealing `header` as `signer`: until header.time,
   * plus, out of turn, a random wiggle in [0, (signers/2+1) * 500 ms).
   * Throws unauthorized-signer, or recently-signed (wait for others' blocks).
   */
  sealDelay(chain: ChainHeaderReader, header: Header, signer: Address): { delayMs: number; inTurn: boolean } {
    const number = header.number;
    if (number <= 0n) throw new CliqueError('unknown-block', 'sealing the genesis block is not supported');
    const snap = this.snapshot(chain, number - 1n, header.parentHash);
    if (!snap.isSigner(signer)) throw new CliqueError('unauthorized-signer', `${bytesToHex(signer)} is not a signer at block ${number}`);
    const limit = recentLimit(snap.signers.length);
    for (const [seen, recent] of snap.recents) {
      // Stricter than verifySeal while number < limit (geth's Seal): wait for others.
      if (equalBytes(recent, signer) && (number < limit || seen > number - limit)) {
        throw new CliqueError('recently-signed', 'signed recently, must wait for others');
      }
    }
    let delayMs = Number(header.time) * 1000 - this.nowMs();
    const inTurn = header.difficulty !== DIFF_NO_TURN;
    if (!inTurn) delayMs += Math.floor(this.random() * Number(limit) * WIGGLE_MS);
    return { delayMs: Math.max(0, delayMs), inTurn };
  }
}
