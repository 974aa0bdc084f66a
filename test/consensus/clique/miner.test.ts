/**
 * What a miner asks the engine (geth's Prepare, Seal's checks and delay):
 * prepare fills coinbase/nonce (a random valid proposal, none at
 * checkpoints), difficulty, extraData, mixDigest and time; the prepared and
 * sealed header verifies; sealDelay waits until the slot, out of turn plus a
 * wiggle below (signers/2+1) * 500 ms, and refuses outsiders and recent
 * signers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, concatBytes } from '../../../src/crypto/bytes.js';
import { addressToHex, ZERO_ADDRESS, type Hash } from '../../../src/crypto/primitives.js';
import { WIGGLE_MS } from '../../../src/consensus/clique/clique.js';
import { NONCE_AUTH, NONCE_DROP } from '../../../src/consensus/clique/snapshot.js';
import type { Header } from '../../../src/types/header.js';
import { testAccount } from '../../../tools/workload/accounts.js';
import { childHeader, expectCode, hexes, NOW, sortAddresses, TestChain } from './harness.js';

const signers = [testAccount('miner-0'), testAccount('miner-1'), testAccount('miner-2')].sort((a, b) => Buffer.compare(a.address, b.address));
const cand = [testAccount('miner-c0'), testAccount('miner-c1'), testAccount('miner-c2')];

/** A header as the worker hands it to prepare: number and parentHash set, the rest arbitrary. */
function draft(parent: Header, over: Partial<Header> = {}): Header {
  return childHeader(parent, {
    coinbase: testAccount('junk').address, nonce: new Uint8Array(8).fill(7), difficulty: 0n, time: 0n,
    extraData: new Uint8Array(5).fill(0xaa), mixDigest: new Uint8Array(32).fill(3) as Hash, ...over,
  });
}

test('prepare: vote among valid proposals only, difficulty, extraData, mixDigest, time; the sealed result verifies', () => {
  let r = 0;
  const c = new TestChain(signers, { engine: { random: () => r } });
  const proposals = new Map<string, boolean>([
    [addressToHex(cand[0]!.address), true], // valid: add a non-signer
    [addressToHex(cand[1]!.address), false], // invalid: drop a non-signer
    [addressToHex(signers[0]!.address), true], // invalid: add a signer
    [addressToHex(signers[2]!.address), false], // valid: drop a signer
  ]);
  const valid = sortAddresses([cand[0]!.address, signers[2]!.address]);
  const picked = new Set<string>();
  for (r of [0, 0.49, 0.5, 0.999]) {
    const h = draft(c.head);
    c.engine.prepare(c.chain, h, signers[1]!.address, proposals);
    picked.add(bytesToHex(h.coinbase));
    assert.deepEqual(h.coinbase, valid[Math.floor(r * 2)]);
    assert.deepEqual(h.nonce, bytesToHex(h.coinbase) === bytesToHex(cand[0]!.address) ? NONCE_AUTH : NONCE_DROP, 'add the candidate, drop the signer');
    assert.equal(h.difficulty, 2n, 'signers[1] is in turn at block 1');
    assert.equal(h.extraData.length, 97);
    assert.deepEqual(h.extraData.subarray(0, 32), concatBytes(new Uint8Array(5).fill(0xaa), new Uint8Array(27)), 'vanity kept, zero-padded');
    assert.deepEqual(h.extraData.subarray(32), new Uint8Array(65));
    assert.deepEqual(h.mixDigest, new Uint8Array(32));
    assert.equal(h.time, BigInt(NOW), 'parent is long past: now');
    c.engine.verifyHeader(c.chain, c.engine.seal(h, signers[1]!.key));
  }
  assert.equal(picked.size, 2);
  // No valid proposal: no vote.
  const none = draft(c.head);
  c.engine.prepare(c.chain, none, signers[0]!.address, new Map([[addressToHex(signers[0]!.address), true]]));
  assert.deepEqual(none.coinbase, ZERO_ADDRESS);
  assert.deepEqual(none.nonce, NONCE_DROP);
  assert.equal(none.difficulty, 1n, 'signers[0] is out of turn at block 1');
  c.engine.verifyHeader(c.chain, c.engine.seal(none, signers[0]!.key));
});

test('prepare: time = max(parent.time + period, now)', () => {
  let now = NOW;
  const c = new TestChain(signers, { period: 3n, engine: { now: () => now } });
  const h = draft(c.head);
  c.engine.prepare(c.chain, h, signers[1]!.address, new Map());
  assert.equal(h.time, BigInt(now));
  now = Number(c.genesis.time) + 1; // the parent is only 1 s old: wait for the period
  const early = draft(c.head);
  c.engine.prepare(c.chain, early, signers[1]!.address, new Map());
  assert.equal(early.time, c.genesis.time + 3n);
  const explicit = draft(c.head);
  c.engine.prepare(c.chain, explicit, signers[1]!.address, new Map(), c.genesis.time + 100n);
  assert.equal(explicit.time, c.genesis.time + 100n, 'the caller\'s clock when given');
  expectCode(() => c.engine.prepare(c.chain, draft(c.head, { parentHash: new Uint8Array(32).fill(1) as Hash }), signers[1]!.address, new Map()), 'unknown-ancestor');
  expectCode(() => c.engine.prepare(c.chain, { ...draft(c.head), number: 0n }, signers[1]!.address, new Map()), 'unknown-block');
});

test('prepare at a checkpoint: no vote, the signer list in extraData; the sealed result verifies', () => {
  const c = new TestChain(signers, { epoch: 3n });
  c.extend(c.nextSigner());
  c.extend(c.nextSigner());
  const by = c.nextSigner();
  const h = draft(c.head);
  c.engine.prepare(c.chain, h, by.address, new Map([[addressToHex(cand[0]!.address), true]]));
  assert.deepEqual(h.coinbase, ZERO_ADDRESS);
  assert.deepEqual(h.nonce, NONCE_DROP);
  assert.equal(h.extraData.length, 32 + 3 * 20 + 65);
  const listed = [0, 1, 2].map((i) => bytesToHex(h.extraData.subarray(32 + i * 20, 52 + i * 20)));
  assert.deepEqual(listed, hexes(sortAddresses(signers.map((s) => s.address))));
  c.engine.verifyHeader(c.chain, c.engine.seal(h, by.key));
});

test('proposals voted by prepare carry a new signer in through a real sealing round', () => {
  const c = new TestChain(signers);
  const proposals = new Map([[addressToHex(cand[2]!.address), true]]);
  for (let i = 0; i < 2; i++) {
    const by = c.nextSigner();
    const h = draft(c.head);
    c.engine.prepare(c.chain, h, by.address, proposals, c.head.time + 1n);
    const sealed = c.engine.seal(h, by.key);
    c.engine.verifyHeader(c.chain, sealed);
    c.chain.add(sealed);
    c.head = sealed;
  }
  assert.ok(c.snap().isSigner(cand[2]!.address));
  // Once it is a signer the proposal is no longer valid: no more votes.
  const h = draft(c.head);
  c.engine.prepare(c.chain, h, c.nextSigner().address, proposals, c.head.time + 1n);
  assert.deepEqual(h.coinbase, ZERO_ADDRESS);
});

test('sealDelay: until the slot in turn; out of turn plus a wiggle below (n/2+1)*500 ms', () => {
  let r = 0;
  const now = NOW;
  const c = new TestChain(signers, { engine: { random: () => r, now: () => now } });
  const slot = (over: Partial<Header>) => ({ ...draft(c.head), ...over });
  const inturn = signers[1]!;
  const outturn = signers[0]!;
  assert.deepEqual(c.engine.sealDelay(c.chain, slot({ time: BigInt(now) + 3n, difficulty: 2n }), inturn.address), { delayMs: 3000, inTurn: true });
  assert.deepEqual(c.engine.sealDelay(c.chain, slot({ time: BigInt(now) - 3n, difficulty: 2n }), inturn.address), { delayMs: 0, inTurn: true }, 'late: now');
  const wiggle = 2 * WIGGLE_MS; // 3 signers: 3/2+1 = 2
  for (r of [0, 0.5, 0.999999]) {
    const d = c.engine.sealDelay(c.chain, slot({ time: BigInt(now) + 3n, difficulty: 1n }), outturn.address);
    assert.equal(d.inTurn, false);
    assert.equal(d.delayMs, 3000 + Math.floor(r * wiggle));
    assert.ok(d.delayMs < 3000 + wiggle);
  }
  expectCode(() => c.engine.sealDelay(c.chain, slot({ difficulty: 2n }), testAccount('miner-outsider').address), 'unauthorized-signer');
  expectCode(() => c.engine.sealDelay(c.chain, { ...slot({}), number: 0n }, inturn.address), 'unknown-block');
  // After sealing block 1, signers[1] must wait one block (3 signers: 1 of any 2).
  c.extend(inturn);
  expectCode(() => c.engine.sealDelay(c.chain, draft(c.head), inturn.address), 'recently-signed');
  c.engine.sealDelay(c.chain, draft(c.head), signers[2]!.address);
  c.extend(signers[2]!);
  c.engine.sealDelay(c.chain, draft(c.head), inturn.address);
});

test('sealDelay is stricter than verification while number < limit (geth Seal: wait for others)', () => {
  // 5 signers: limit 3. After block 1 by A, block 2 by A would pass verifySeal
  // (number 2 < limit) but is not sealed: geth waits for others.
  const five = Array.from({ length: 5 }, (_, i) => testAccount(`miner-five-${i}`));
  const c = new TestChain(five);
  const a = c.nextSigner();
  c.extend(a);
  expectCode(() => c.engine.sealDelay(c.chain, draft(c.head), a.address), 'recently-signed');
});
