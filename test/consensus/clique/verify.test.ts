/**
 * verifyHeader rule by rule (geth 1.10.25 verifyHeader, verifyCascadingFields,
 * verifySeal): every bad field is rejected with its own code, and every
 * boundary that is allowed is accepted. Headers are really sealed; a field
 * is broken before sealing unless the test is about the seal itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigintToBytesPadded, bytesToBigint, concatBytes } from '../../../src/crypto/bytes.js';
import { SECP256K1_N } from '../../../src/crypto/secp256k1.js';
import { ZERO_HASH, type Hash } from '../../../src/crypto/primitives.js';
import { Clique } from '../../../src/consensus/clique/clique.js';
import { calcBaseFee } from '../../../src/consensus/eip1559.js';
import { MAX_GAS_LIMIT } from '../../../src/consensus/gaslimit.js';
import { headerHash, type Header } from '../../../src/types/header.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { testAccount } from '../../../tools/workload/accounts.js';
import { childHeader, expectCode, extraWith, makeGenesis, MemChain, NOW, sortAddresses, T0, TestChain, vote } from './harness.js';

const signers = [testAccount('verify-0'), testAccount('verify-1'), testAccount('verify-2')].sort((a, b) => Buffer.compare(a.address, b.address));
const outsider = testAccount('verify-outsider');
const setup = (opts: ConstructorParameters<typeof TestChain>[1] = {}) => new TestChain(signers, opts);
const FF = new Uint8Array(8).fill(0xff);

test('a well-formed chain verifies; the genesis passes verifyHeader; the author is the sealer', () => {
  const c = setup();
  c.engine.verifyHeader(c.chain, c.genesis);
  for (let i = 0; i < 6; i++) {
    const by = c.nextSigner();
    const h = c.extend(by);
    assert.deepEqual(c.engine.author(h), by.address);
  }
  // signers[1] is in turn at block 1 (1 % 3), sealing with difficulty 2.
  assert.equal(c.chain.getHeaderByNumber(1n)!.difficulty, 2n);
});

test('header-only rules: each bad field has its own code', () => {
  const c = setup();
  const by = signers[1]!; // in turn at block 1
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  c.engine.verifyHeader(c.chain, c.next(by));

  expectCode(v({ ...c.next(by), number: -1n }), 'unknown-block');
  expectCode(v(c.next(by, { nonce: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0) })), 'invalid-vote');
  expectCode(v(c.next(by, { nonce: new Uint8Array(8).fill(0xfe) })), 'invalid-vote');
  // Too short to carry a seal at all: the header is not sealable, just malformed.
  const good = c.next(by);
  expectCode(v({ ...good, extraData: new Uint8Array(0) }), 'missing-vanity');
  expectCode(v({ ...good, extraData: new Uint8Array(31) }), 'missing-vanity');
  expectCode(v({ ...good, extraData: new Uint8Array(32) }), 'missing-signature');
  expectCode(v(c.next(by, { extraData: new Uint8Array(96) })), 'missing-signature');
  expectCode(v(c.next(by, { extraData: new Uint8Array(65) })), 'missing-signature');
  expectCode(v(c.next(by, { extraData: new Uint8Array(97 + 20) })), 'extra-signers');
  expectCode(v(c.next(by, { extraData: new Uint8Array(97 + 1) })), 'extra-signers');
  expectCode(v(c.next(by, { mixDigest: new Uint8Array(32).fill(1) as Hash })), 'invalid-mix-digest');
  expectCode(v(c.next(by, { uncleHash: ZERO_HASH })), 'invalid-uncle-hash');
  expectCode(v(c.next(by, { difficulty: 0n })), 'invalid-difficulty');
  expectCode(v(c.next(by, { difficulty: 3n })), 'invalid-difficulty');
  expectCode(v(c.next(by, { gasLimit: MAX_GAS_LIMIT + 1n })), 'invalid-gas-limit');
});

test('checkpoint rules: zero coinbase, zero nonce, a signer list that is the snapshot\'s', () => {
  const c = setup({ epoch: 4n });
  for (let i = 0; i < 3; i++) c.extend(c.nextSigner());
  const by = c.nextSigner(); // block 4: a checkpoint
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  const list = sortAddresses(signers.map((s) => s.address));
  expectCode(v(c.next(by, { coinbase: outsider.address })), 'invalid-checkpoint-beneficiary');
  expectCode(v(c.next(by, { nonce: FF })), 'invalid-checkpoint-vote');
  expectCode(v(c.next(by, { extraData: concatBytes(extraWith(list), new Uint8Array(1)) })), 'invalid-checkpoint-signers');
  expectCode(v(c.next(by, { extraData: new Uint8Array(97) })), 'mismatching-checkpoint-signers');
  expectCode(v(c.next(by, { extraData: extraWith(list.slice(0, 2)) })), 'mismatching-checkpoint-signers');
  expectCode(v(c.next(by, { extraData: extraWith([list[1]!, list[0]!, list[2]!]) })), 'mismatching-checkpoint-signers', 'unsorted list');
  expectCode(v(c.next(by, { extraData: extraWith([...list, outsider.address]) })), 'mismatching-checkpoint-signers');
  // The vanity is free; the list must be exactly the sorted signers.
  const ok = c.next(by, { extraData: extraWith(list, new Uint8Array(32).fill(7)) });
  c.engine.verifyHeader(c.chain, ok);
  c.chain.add(ok);
  c.head = ok;
  // After the checkpoint, a block carrying a list is rejected again.
  expectCode(v(c.next(c.nextSigner(), { extraData: extraWith(list) })), 'extra-signers');
});

test('timestamps: at least parent + period; not after now (geth: any future time)', () => {
  let now = NOW;
  const c = setup({ period: 5n, engine: { now: () => now } });
  const by = signers[1]!;
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  c.engine.verifyHeader(c.chain, c.next(by, { time: c.genesis.time + 5n }));
  c.engine.verifyHeader(c.chain, c.next(by, { time: c.genesis.time + 500n }));
  expectCode(v(c.next(by, { time: c.genesis.time + 4n })), 'invalid-timestamp');
  expectCode(v(c.next(by, { time: c.genesis.time })), 'invalid-timestamp');
  const atNow = c.next(by, { time: BigInt(now) });
  c.engine.verifyHeader(c.chain, atNow);
  const ahead = c.next(by, { time: BigInt(now) + 1n });
  expectCode(v(ahead), 'future-block');
  // A future block is not invalid forever: it verifies once its time has come.
  now += 1;
  c.engine.verifyHeader(c.chain, ahead);
});

test('gas: limit within parent ± parent/1024 and >= 5000, used <= limit', () => {
  const c = setup();
  const by = signers[1]!;
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  const p = c.genesis.gasLimit;
  const step = p / 1024n;
  c.engine.verifyHeader(c.chain, c.next(by, { gasLimit: p + step - 1n }));
  c.engine.verifyHeader(c.chain, c.next(by, { gasLimit: p - step + 1n }));
  expectCode(v(c.next(by, { gasLimit: p + step })), 'invalid-gas-limit');
  expectCode(v(c.next(by, { gasLimit: p - step })), 'invalid-gas-limit');
  c.engine.verifyHeader(c.chain, c.next(by, { gasUsed: p }));
  expectCode(v(c.next(by, { gasUsed: p + 1n })), 'invalid-gas-used');

  // Below the 5000 floor, even within the bound of a tiny parent.
  const small = new TestChain(signers, { genesis: { gasLimit: 5000n } });
  small.engine.verifyHeader(small.chain, small.next(by, { gasLimit: 5003n }));
  expectCode(() => small.engine.verifyHeader(small.chain, small.next(by, { gasLimit: 4999n })), 'invalid-gas-limit');
});

test('base fee: present and exactly calcBaseFee(parent)', () => {
  const c = setup();
  const by = signers[1]!;
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  // A busy parent (above target) moves the fee up.
  const busy = c.extend(by, { gasUsed: c.genesis.gasLimit });
  const want = calcBaseFee(busy);
  assert.ok(want > busy.baseFee!);
  const nb = c.nextSigner();
  c.engine.verifyHeader(c.chain, c.next(nb));
  expectCode(v(c.next(nb, { baseFee: want + 1n })), 'invalid-base-fee');
  expectCode(v(c.next(nb, { baseFee: want - 1n })), 'invalid-base-fee');
  expectCode(v(c.next(nb, { baseFee: undefined })), 'invalid-base-fee');
});

test('ancestry: the parent must be known and be the header\'s parent', () => {
  const c = setup();
  const by = signers[1]!;
  const good = c.next(by);
  expectCode(() => c.engine.verifyHeader(c.chain, { ...good, parentHash: new Uint8Array(32).fill(9) as Hash }), 'unknown-ancestor');
  // A number that does not follow the parent's.
  expectCode(() => c.engine.verifyHeader(c.chain, c.next(by, { number: 2n })), 'unknown-ancestor');
  // In-flight parents: the last one must be the parent.
  const b1 = good;
  const b2 = c.engine.seal(childHeader(b1, { difficulty: 2n }), signers[2]!.key); // 2 % 3: in turn
  assert.throws(() => c.engine.verifyHeader(c.chain, b2), /unknown ancestor/);
  c.engine.verifyHeader(c.chain, b2, [b1]);
  const other = c.next(signers[0]!);
  expectCode(() => c.engine.verifyHeader(c.chain, b2, [other]), 'unknown-ancestor');
  c.engine.verifyHeaders(c.chain, [b1, b2]);
  expectCode(() => c.engine.verifyHeaders(c.chain, [b2, b1]), 'unknown-ancestor');
});

test('seal: difficulty must match the turn; outsiders, recent signers and bad signatures are rejected', () => {
  const c = setup();
  const v = (h: Header) => () => c.engine.verifyHeader(c.chain, h);
  const inturn = signers[1]!; // 1 % 3
  const outturn = signers[0]!;
  c.engine.verifyHeader(c.chain, c.next(inturn, { difficulty: 2n }));
  c.engine.verifyHeader(c.chain, c.next(outturn, { difficulty: 1n }));
  expectCode(v(c.next(inturn, { difficulty: 1n })), 'wrong-difficulty');
  expectCode(v(c.next(outturn, { difficulty: 2n })), 'wrong-difficulty');
  assert.equal(c.engine.calcDifficulty(c.chain, c.genesis, inturn.address), 2n);
  assert.equal(c.engine.calcDifficulty(c.chain, c.genesis, outturn.address), 1n);
  assert.equal(c.engine.calcDifficulty(c.chain, c.genesis, outsider.address), 1n);

  expectCode(v(c.next(outsider)), 'unauthorized-signer');
  // Changing any sealed field changes the recovered signer.
  const good = c.next(inturn);
  expectCode(v({ ...good, gasUsed: 1n }), 'unauthorized-signer');
  expectCode(v({ ...good, extraData: concatBytes(new Uint8Array(32).fill(1), good.extraData.subarray(32)) }), 'unauthorized-signer');
  // An empty (all-zero) seal, and a seal with r = 0, do not recover at all.
  expectCode(v({ ...good, extraData: new Uint8Array(97) }), 'invalid-signature');
  const badV = Uint8Array.from(good.extraData);
  badV[96] = 27; // geth's seals carry v = 0/1, never 27/28
  expectCode(v({ ...good, extraData: badV }), 'invalid-signature');
});

test('a high-s seal is accepted, as geth recovers seals without the EIP-2 rule', () => {
  const c = setup();
  const by = signers[1]!;
  const h = c.next(by);
  const seal = h.extraData.subarray(32);
  const s = bytesToBigint(seal.subarray(32, 64));
  const flipped = concatBytes(h.extraData.subarray(0, 32), seal.subarray(0, 32), bigintToBytesPadded(SECP256K1_N - s, 32), Uint8Array.of(seal[64]! ^ 1));
  const high = { ...h, extraData: flipped };
  assert.deepEqual(c.engine.author(high), by.address);
  c.engine.verifyHeader(c.chain, high);
});

test('recent signers: one of any floor(n/2)+1 consecutive blocks, for 1..5 signers', () => {
  for (let n = 1; n <= 5; n++) {
    const accts = Array.from({ length: n }, (_, i) => testAccount(`recent-${n}-${i}`));
    const c = new TestChain(accts);
    const limit = Math.floor(n / 2) + 1;
    // Round-robin over the first `limit` signers: each returns exactly when allowed.
    const order = [...accts].sort((a, b) => Buffer.compare(a.address, b.address)).slice(0, limit);
    for (let i = 0; i < 3 * limit; i++) c.extend(order[i % limit]!);
    for (let back = 1; back < limit; back++) {
      // The signer of the block `back` blocks ago is still inside the window.
      const recent = order[(3 * limit - back) % limit]!;
      expectCode(() => c.engine.verifyHeader(c.chain, c.next(recent)), 'recently-signed', `n=${n} back=${back}`);
      expectCode(() => c.engine.sealDelay(c.chain, c.next(recent), recent.address), 'recently-signed');
    }
    // The one `limit` blocks ago may sign again.
    c.engine.verifyHeader(c.chain, c.next(order[(3 * limit) % limit]!));
  }
});

test('a signer voted out cannot seal; a signer voted in can (majority of the current set)', () => {
  const c = setup();
  const cand = testAccount('verify-candidate');
  const all = [...signers, cand];
  c.extend(signers[1]!, vote(cand.address, true));
  expectCode(() => c.engine.verifyHeader(c.chain, c.next(cand)), 'unauthorized-signer');
  c.extend(signers[2]!, vote(cand.address, true));
  assert.ok(c.snap().isSigner(cand.address));
  c.extend(cand);
  // Now four signers: dropping the candidate needs three votes.
  c.extend(c.nextSigner(all), vote(cand.address, false));
  c.extend(c.nextSigner(all), vote(cand.address, false));
  assert.ok(c.snap().isSigner(cand.address));
  c.extend(c.nextSigner(all), vote(cand.address, false));
  assert.ok(!c.snap().isSigner(cand.address));
  expectCode(() => c.engine.verifyHeader(c.chain, c.next(cand, {}, c.head)), 'unauthorized-signer');
});

test('the engine does not trust a different genesis: signers come from the genesis extraData', () => {
  const chain = new MemChain();
  const g = makeGenesis([outsider.address], { time: T0 });
  chain.add(g);
  const engine = new Clique({ period: 1n, epoch: 30000n }, new MemoryDatabase(), { now: () => NOW });
  const snap = engine.snapshot(chain, 0n, headerHash(g));
  assert.deepEqual(snap.signers, [outsider.address]);
  const header = engine.seal(childHeader(g), signers[0]!.key);
  expectCode(() => engine.verifyHeader(chain, header), 'unauthorized-signer');
  engine.verifyHeader(chain, engine.seal(header, outsider.key));
});
