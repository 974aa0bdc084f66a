/**
 * Test harness for the clique engine: an in-memory header store (counting
 * reads, so tests can prove what was NOT walked), deterministic signer keys,
 * and a builder of really sealed header chains. No mocks: every header is
 * RLP-hashed and secp256k1-signed like a mined one.
 */
import assert from 'node:assert/strict';
import { bytesToHex, compareBytes, concatBytes } from '../../../src/crypto/bytes.js';
import { hashFromHex, ZERO_ADDRESS, ZERO_HASH, type Address, type Hash } from '../../../src/crypto/primitives.js';
import { Clique, type ChainHeaderReader, type CliqueOptions } from '../../../src/consensus/clique/clique.js';
import { CliqueError, type CliqueErrorCode } from '../../../src/consensus/clique/errors.js';
import type { Snapshot } from '../../../src/consensus/clique/snapshot.js';
import { calcBaseFee } from '../../../src/consensus/eip1559.js';
import { EMPTY_BLOOM, EMPTY_UNCLE_HASH, headerHash, type Header } from '../../../src/types/header.js';
import { MemoryDatabase, type KeyValueStore } from '../../../src/state/database.js';
import { testAccount, type TestAccount } from '../../../tools/workload/accounts.js';

export const T0 = 1_600_000_000n;
/** The pinned clock of every engine here: far after any header built. */
export const NOW = Number(T0) + 10_000_000;
/** The empty trie root, keccak(rlp("")): realistic roots for headers without txs. */
const EMPTY_TRIE = hashFromHex('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

/** Headers by hash (any branch) and by number (canonical), with read counters. */
export class MemChain implements ChainHeaderReader {
  private readonly byHash = new Map<string, Header>();
  private readonly canon = new Map<bigint, Header>();
  getHeaderCalls = 0;
  byNumberCalls: bigint[] = [];

  add(h: Header, canonical = true): void {
    this.byHash.set(bytesToHex(headerHash(h)), h);
    if (canonical) this.canon.set(h.number, h);
  }

  getHeader(hash: Hash, number: bigint): Header | undefined {
    this.getHeaderCalls++;
    const h = this.byHash.get(bytesToHex(hash));
    return h && h.number === number ? h : undefined;
  }

  getHeaderByNumber(number: bigint): Header | undefined {
    this.byNumberCalls.push(number);
    return this.canon.get(number);
  }

  resetCounters(): void {
    this.getHeaderCalls = 0;
    this.byNumberCalls = [];
  }
}

/** Named signers with fixed keys ("" is the zero address, as in geth's tests). */
export class Accounts {
  private readonly m = new Map<string, TestAccount>();
  constructor(private readonly prefix = 'clique') {}
  get(label: string): TestAccount {
    let a = this.m.get(label);
    if (!a) {
      a = testAccount(`${this.prefix}-${label}`);
      this.m.set(label, a);
    }
    return a;
  }
  address(label: string): Address {
    return label === '' ? ZERO_ADDRESS : this.get(label).address;
  }
}

export function sortAddresses(xs: readonly Address[]): Address[] {
  return [...xs].sort(compareBytes);
}

export function hexes(xs: readonly Address[]): string[] {
  return xs.map((x) => bytesToHex(x));
}

/** 32-byte vanity ‖ signers ‖ 65-byte seal area. */
export function extraWith(signers: readonly Address[], vanity = new Uint8Array(32)): Uint8Array {
  return concatBytes(vanity, ...signers, new Uint8Array(65));
}

export function makeGenesis(signers: readonly Address[], over: Partial<Header> = {}): Header {
  return {
    parentHash: ZERO_HASH, uncleHash: EMPTY_UNCLE_HASH, coinbase: ZERO_ADDRESS, stateRoot: EMPTY_TRIE, txRoot: EMPTY_TRIE,
    receiptRoot: EMPTY_TRIE, logsBloom: EMPTY_BLOOM, difficulty: 1n, number: 0n, gasLimit: 30_000_000n, gasUsed: 0n, time: T0,
    extraData: extraWith(sortAddresses(signers)), mixDigest: ZERO_HASH, nonce: new Uint8Array(8), baseFee: 1_000_000_000n,
    ...over,
  };
}

/** An unsealed child of `parent` valid in every parent-only field (difficulty 2 until told otherwise). */
export function childHeader(parent: Header, over: Partial<Header> = {}): Header {
  return {
    parentHash: headerHash(parent), uncleHash: EMPTY_UNCLE_HASH, coinbase: ZERO_ADDRESS, stateRoot: EMPTY_TRIE, txRoot: EMPTY_TRIE,
    receiptRoot: EMPTY_TRIE, logsBloom: EMPTY_BLOOM, difficulty: 2n, number: parent.number + 1n, gasLimit: parent.gasLimit,
    gasUsed: 0n, time: parent.time + 1n, extraData: new Uint8Array(97), mixDigest: ZERO_HASH, nonce: new Uint8Array(8),
    baseFee: calcBaseFee(parent), ...over,
  };
}

export function expectCode(fn: () => unknown, code: CliqueErrorCode, msg?: string): void {
  assert.throws(fn, (e: unknown) => {
    if (!(e instanceof CliqueError)) throw e;
    assert.equal(e.code, code, msg);
    return true;
  }, msg ?? `expected ${code}`);
}

export function vote(who: Address, authorize: boolean): Partial<Header> {
  return { coinbase: who, nonce: authorize ? new Uint8Array(8).fill(0xff) : new Uint8Array(8) };
}

/** A chain of really sealed headers on a genesis listing `signers`, with its own engine. */
export class TestChain {
  readonly chain = new MemChain();
  readonly engine: Clique;
  readonly genesis: Header;
  head: Header;

  constructor(readonly signers: readonly TestAccount[], opts: { epoch?: bigint; period?: bigint; db?: KeyValueStore; engine?: CliqueOptions; genesis?: Partial<Header> } = {}) {
    this.engine = new Clique({ period: opts.period ?? 1n, epoch: opts.epoch ?? 30000n }, opts.db ?? new MemoryDatabase(), { now: () => NOW, ...opts.engine });
    this.genesis = makeGenesis(signers.map((s) => s.address), opts.genesis);
    this.chain.add(this.genesis);
    this.head = this.genesis;
  }

  snap(h: Header = this.head): Snapshot {
    return this.engine.snapshot(this.chain, h.number, headerHash(h));
  }

  /**
   * The next header on `parent` sealed by `by`: right difficulty for its turn,
   * the signer list at checkpoints, time parent + period; `over` is applied
   * before sealing.
   */
  next(by: TestAccount, over: Partial<Header> = {}, parent: Header = this.head): Header {
    const number = parent.number + 1n;
    const checkpoint = number % this.engine.config.epoch === 0n;
    const snap = this.engine.snapshot(this.chain, parent.number, headerHash(parent));
    const h = childHeader(parent, {
      difficulty: snap.inturn(number, by.address) ? 2n : 1n,
      time: parent.time + this.engine.config.period,
      extraData: checkpoint ? extraWith(snap.signers) : new Uint8Array(97),
      ...over,
    });
    return this.engine.seal(h, by.key);
  }

  /** next(), verified and appended as the new head. */
  extend(by: TestAccount, over: Partial<Header> = {}): Header {
    const h = this.next(by, over);
    this.engine.verifyHeader(this.chain, h);
    this.chain.add(h);
    this.head = h;
    return h;
  }

  /** The in-turn signer of the next block if it may sign, else the first one allowed to. */
  nextSigner(all: readonly TestAccount[] = this.signers): TestAccount {
    const snap = this.snap();
    const number = this.head.number + 1n;
    const limit = BigInt(Math.floor(snap.signers.length / 2) + 1);
    const recent = new Set([...snap.recents].filter(([seen]) => number >= limit && seen > number - limit).map(([, a]) => bytesToHex(a)));
    const ok = (s: TestAccount) => snap.isSigner(s.address) && !recent.has(bytesToHex(s.address));
    const inturn = all.find((s) => snap.inturn(number, s.address));
    if (inturn && ok(inturn)) return inturn;
    const any = all.find(ok);
    assert.ok(any, `no signer may seal block ${number}`);
    return any;
  }
}
