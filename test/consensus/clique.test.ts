/**
 * Clique (execution.md §2) rule by rule on real sealed headers: each
 * verification failure by its code, in-turn/out-of-turn difficulty, the
 * recent-signer limit, voting signers in and out by majority, epoch
 * checkpoints resetting votes, and snapshots persisted and reloaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, compareBytes, concatBytes } from '../../src/crypto/bytes.js';
import { ZERO_ADDRESS, ZERO_HASH, type Address, type Hash } from '../../src/crypto/primitives.js';
import { Clique, type ChainHeaderReader } from '../../src/consensus/clique/clique.js';
import { CliqueError } from '../../src/consensus/clique/errors.js';
import { NONCE_AUTH, NONCE_DROP } from '../../src/consensus/clique/snapshot.js';
import { calcBaseFee } from '../../src/consensus/eip1559.js';
import { calcGasLimit } from '../../src/consensus/gaslimit.js';
import { EMPTY_BLOOM, EMPTY_UNCLE_HASH, headerHash, type Header } from '../../src/types/header.js';
import { EMPTY_ROOT } from '../../src/state/trie/trie.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { testAccount, type TestAccount } from '../../tools/workload/accounts.js';

const T0 = 1_600_000_000n;

class Headers implements ChainHeaderReader {
  private readonly byHash = new Map<string, Header>();
  private readonly canon = new Map<bigint, Header>();
  add(h: Header) {
    this.byHash.set(bytesToHex(headerHash(h)), h);
    this.canon.set(h.number, h);
  }
  getHeader(hash: Hash) {
    return this.byHash.get(bytesToHex(hash));
  }
  getHeaderByNumber(n: bigint) {
    return this.canon.get(n);
  }
}

function sorted(signers: TestAccount[]) {
  return [...signers].sort((a, b) => compareBytes(a.address, b.address));
}

function genesis(signers: TestAccount[]): Header {
  return {
    parentHash: ZERO_HASH, uncleHash: EMPTY_UNCLE_HASH, coinbase: ZERO_ADDRESS, stateRoot: EMPTY_ROOT, txRoot: EMPTY_ROOT, receiptRoot: EMPTY_ROOT,
    logsBloom: EMPTY_BLOOM, difficulty: 1n, number: 0n, gasLimit: 30_000_000n, gasUsed: 0n, time: T0,
    extraData: concatBytes(new Uint8Array(32), ...sorted(signers).map((s) => s.address), new Uint8Array(65)),
    mixDigest: ZERO_HASH, nonce: new Uint8Array(8), baseFee: 1_000_000_000n,
  };
}

function setup(n: number, epoch = 30000n) {
  const signers = sorted(Array.from({ length: n }, (_, i) => testAccount(`clq-${n}-${i}`)));
  const chain = new Headers();
  const g = genesis(signers);
  chain.add(g);
  const db = new MemoryDatabase();
  const clique = new Clique({ period: 1n, epoch }, db, { now: () => Number(T0) + 1_000_000 });
  return { signers, chain, clique, g, db };
}

/** The next header on `parent`, sealed by `by`, with fields overridden before sealing. */
function next(c: ReturnType<typeof setup>, parent: Header, by: TestAccount, over: Partial<Header> = {}): Header {
  const number = parent.number + 1n;
  const snap = c.clique.snapshot(c.chain, parent.number, headerHash(parent));
  const h: Header = {
    parentHash: headerHash(parent), uncleHash: EMPTY_UNCLE_HASH, coinbase: ZERO_ADDRESS, stateRoot: EMPTY_ROOT, txRoot: EMPTY_ROOT,
    receiptRoot: EMPTY_ROOT, logsBloom: EMPTY_BLOOM, difficulty: snap.inturn(number, by.address) ? 2n : 1n, number,
    gasLimit: parent.gasLimit, gasUsed: 0n, time: parent.time + 1n,
    extraData: number % c.clique.config.epoch === 0n ? concatBytes(new Uint8Array(32), ...snap.signers, new Uint8Array(65)) : new Uint8Array(97),
    mixDigest: ZERO_HASH, nonce: new Uint8Array(8), baseFee: calcBaseFee(parent), ...over,
  };
  return c.clique.seal(h, by.key);
}

function rejects(c: ReturnType<typeof setup>, h: Header, code: string) {
  assert.throws(() => c.clique.verifyHeader(c.chain, h), (e: Error) => e instanceof CliqueError && e.code === code, `expected ${code}`);
}

test('each header rule fails with its own code', () => {
  const c = setup(3);
  const inturn = c.signers[1]!; // block 1: 1 % 3
  const good = next(c, c.g, inturn);
  c.clique.verifyHeader(c.chain, good);
  assert.equal(bytesToHex(c.clique.author(good)), bytesToHex(inturn.address));
  rejects(c, next(c, c.g, inturn, { difficulty: 1n }), 'wrong-difficulty');
  rejects(c, next(c, c.g, c.signers[0]!, { difficulty: 2n }), 'wrong-difficulty');
  c.clique.verifyHeader(c.chain, next(c, c.g, c.signers[0]!));
  rejects(c, next(c, c.g, testAccount('outsider')), 'unauthorized-signer');
  rejects(c, next(c, c.g, inturn, { difficulty: 3n }), 'invalid-difficulty');
  rejects(c, next(c, c.g, inturn, { time: c.g.time }), 'invalid-timestamp');
  rejects(c, next(c, c.g, inturn, { time: T0 + 5_000_000n }), 'future-block');
  rejects(c, next(c, c.g, inturn, { nonce: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0) }), 'invalid-vote');
  rejects(c, { ...good, extraData: new Uint8Array(20) }, 'missing-vanity');
  rejects(c, { ...good, extraData: new Uint8Array(90) }, 'missing-signature');
  rejects(c, next(c, c.g, inturn, { extraData: new Uint8Array(97 + 20) }), 'extra-signers');
  rejects(c, next(c, c.g, inturn, { mixDigest: new Uint8Array(32).fill(1) as Hash }), 'invalid-mix-digest');
  rejects(c, next(c, c.g, inturn, { uncleHash: ZERO_HASH }), 'invalid-uncle-hash');
  rejects(c, next(c, c.g, inturn, { gasLimit: c.g.gasLimit + c.g.gasLimit / 1024n }), 'invalid-gas-limit');
  rejects(c, next(c, c.g, inturn, { gasUsed: c.g.gasLimit + 1n }), 'invalid-gas-used');
  rejects(c, next(c, c.g, inturn, { baseFee: calcBaseFee(c.g) + 1n }), 'invalid-base-fee');
  rejects(c, { ...good, parentHash: new Uint8Array(32).fill(9) as Hash }, 'unknown-ancestor');
  // A valid header with a tampered field no longer recovers its signer.
  rejects(c, { ...good, gasUsed: 1n }, 'unauthorized-signer');
  // Gas limit moves toward the target by at most parent/1024 − 1.
  assert.equal(calcGasLimit(30_000_000n, 40_000_000n), 30_000_000n + 30_000_000n / 1024n - 1n);
  assert.equal(calcGasLimit(30_000_000n, 30_000_100n), 30_000_100n);
});

test('a signer may seal only one of any floor(n/2)+1 consecutive blocks', () => {
  const c = setup(3);
  const b1 = next(c, c.g, c.signers[1]!);
  c.clique.verifyHeader(c.chain, b1);
  c.chain.add(b1);
  rejects(c, next(c, b1, c.signers[1]!), 'recently-signed');
  const b2 = next(c, b1, c.signers[2]!);
  c.clique.verifyHeader(c.chain, b2);
  c.chain.add(b2);
  c.clique.verifyHeader(c.chain, next(c, b2, c.signers[1]!), undefined);
  assert.throws(() => c.clique.sealDelay(c.chain, next(c, b2, c.signers[2]!), c.signers[2]!.address), (e: Error) => e instanceof CliqueError && e.code === 'recently-signed');
});

test('votes: a majority adds a signer and drops one; epoch checkpoints reset votes and list the signers', () => {
  const c = setup(3, 6n);
  const cand = testAccount('clq-candidate');
  const vote = (auth: boolean, who: Address) => ({ coinbase: who, nonce: (auth ? NONCE_AUTH : NONCE_DROP).slice() });
  let head = c.g;
  const seal = (by: TestAccount, over: Partial<Header> = {}) => {
    const h = next(c, head, by, over);
    c.clique.verifyHeader(c.chain, h);
    c.chain.add(h);
    head = h;
    return h;
  };
  seal(c.signers[1]!, vote(true, cand.address));
  assert.equal(c.clique.snapshot(c.chain, head.number, headerHash(head)).signers.length, 3, 'one vote of three is not a majority');
  seal(c.signers[2]!, vote(true, cand.address));
  let snap = c.clique.snapshot(c.chain, head.number, headerHash(head));
  assert.equal(snap.signers.length, 4, 'two of three add the candidate');
  assert.ok(snap.isSigner(cand.address));
  // Votes to drop the candidate: needs more than 4/2 = 2 votes; an epoch checkpoint in between resets them.
  const all = sorted([...c.signers, cand]);
  // The in-turn signer when allowed, else the first one outside the recent-signer window.
  const byTurn = (n: bigint) => {
    const snap = c.clique.snapshot(c.chain, head.number, headerHash(head));
    const limit = BigInt(Math.floor(snap.signers.length / 2) + 1);
    const recent = new Set([...snap.recents].filter(([seen]) => n >= limit && seen > n - limit).map(([, a]) => bytesToHex(a)));
    const ok = (s: TestAccount) => snap.isSigner(s.address) && !recent.has(bytesToHex(s.address));
    const inturn = all[Number(n % BigInt(all.length))]!;
    return ok(inturn) ? inturn : all.find(ok)!;
  };
  seal(byTurn(head.number + 1n), vote(false, cand.address));
  seal(byTurn(head.number + 1n), vote(false, cand.address));
  assert.equal(head.number, 4n);
  seal(byTurn(head.number + 1n));
  // Block 6 is a checkpoint: zero coinbase, drop nonce, signer list; votes reset.
  rejects(c, next(c, head, byTurn(6n), vote(true, cand.address)), 'invalid-checkpoint-beneficiary');
  rejects(c, next(c, head, byTurn(6n), { nonce: NONCE_AUTH.slice() }), 'invalid-checkpoint-vote');
  rejects(c, next(c, head, byTurn(6n), { extraData: new Uint8Array(97) }), 'mismatching-checkpoint-signers');
  seal(byTurn(6n));
  snap = c.clique.snapshot(c.chain, head.number, headerHash(head));
  assert.equal(snap.tally.size, 0, 'tallies reset at the epoch');
  seal(byTurn(7n), vote(false, cand.address));
  seal(byTurn(8n), vote(false, cand.address));
  assert.equal(c.clique.snapshot(c.chain, head.number, headerHash(head)).signers.length, 4, 'two of four is not a majority');
  seal(byTurn(9n), vote(false, cand.address));
  snap = c.clique.snapshot(c.chain, head.number, headerHash(head));
  assert.equal(snap.signers.length, 3, 'three of four drop it');
  assert.ok(!snap.isSigner(cand.address));
});

test('snapshots are stored every 1024 blocks and reloaded by a new engine without walking back', () => {
  const c = setup(1);
  let head = c.g;
  for (let i = 0; i < 1030; i++) {
    const h = next(c, head, c.signers[0]!);
    c.chain.add(h);
    head = h;
  }
  c.clique.snapshot(c.chain, head.number, headerHash(head));
  // A reader that has lost every header at or below 1024: only the stored snapshot can answer.
  const partial = new Headers();
  for (let n = 1025n; n <= 1030n; n++) partial.add(c.chain.getHeaderByNumber(n)!);
  const fresh = new Clique({ period: 1n, epoch: 30000n }, c.db, { now: () => Number(T0) + 1_000_000 });
  return new Promise<void>((resolve) => setTimeout(() => {
    const snap = fresh.snapshot(partial, head.number, headerHash(head));
    assert.equal(snap.number, 1030n);
    assert.equal(bytesToHex(snap.signers[0]!), bytesToHex(c.signers[0]!.address));
    resolve();
  }, 50));
});
