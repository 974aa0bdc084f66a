/**
 * go-ethereum 1.10.25 consensus/clique/snapshot_test.go (TestClique), every
 * table case, on really sealed headers: signers voted in and out by
 * majority, one vote per signer per target, votes of dropped signers
 * discarded, no cascading changes, epoch checkpoints resetting votes, and the
 * failures (unauthorized signer, recently signed — also across a checkpoint
 * imported in a new batch, the Rinkeby split of geth issue 17593).
 *
 * Unlike geth's test (fakeDiff) the difficulty here is the real in-turn /
 * out-of-turn value, so every header also passes the full verifyHeader.
 * Each case is imported in geth's batches (in-flight parents), then again
 * one block per batch, and the final signers are recomputed by a cold engine
 * walking from the genesis in one apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clique } from '../../../src/consensus/clique/clique.js';
import type { CliqueErrorCode } from '../../../src/consensus/clique/errors.js';
import { headerHash, type Header } from '../../../src/types/header.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { Accounts, childHeader, expectCode, extraWith, hexes, makeGenesis, MemChain, NOW, sortAddresses, vote } from './harness.js';

interface TesterVote {
  signer: string;
  voted?: string;
  auth?: boolean;
  checkpoint?: string[];
  newbatch?: boolean;
}

interface CliqueCase {
  name: string;
  epoch?: bigint;
  signers: string[];
  votes: TesterVote[];
  results?: string[];
  failure?: CliqueErrorCode;
}

const cases: CliqueCase[] = [
  { name: 'single signer, no votes cast', signers: ['A'], votes: [{ signer: 'A' }], results: ['A'] },
  {
    name: 'single signer, voting to add two others (only accept first, second needs 2 votes)',
    signers: ['A'],
    votes: [{ signer: 'A', voted: 'B', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  {
    name: 'two signers, voting to add three others (only accept first two, third needs 3 votes already)',
    signers: ['A', 'B'],
    votes: [
      { signer: 'A', voted: 'C', auth: true }, { signer: 'B', voted: 'C', auth: true }, { signer: 'A', voted: 'D', auth: true },
      { signer: 'B', voted: 'D', auth: true }, { signer: 'C' }, { signer: 'A', voted: 'E', auth: true }, { signer: 'B', voted: 'E', auth: true },
    ],
    results: ['A', 'B', 'C', 'D'],
  },
  { name: 'single signer, dropping itself', signers: ['A'], votes: [{ signer: 'A', voted: 'A', auth: false }], results: [] },
  {
    name: 'two signers, actually needing mutual consent to drop either of them (not fulfilled)',
    signers: ['A', 'B'], votes: [{ signer: 'A', voted: 'B', auth: false }], results: ['A', 'B'],
  },
  {
    name: 'two signers, actually needing mutual consent to drop either of them (fulfilled)',
    signers: ['A', 'B'], votes: [{ signer: 'A', voted: 'B', auth: false }, { signer: 'B', voted: 'B', auth: false }], results: ['A'],
  },
  {
    name: 'three signers, two of them deciding to drop the third',
    signers: ['A', 'B', 'C'], votes: [{ signer: 'A', voted: 'C', auth: false }, { signer: 'B', voted: 'C', auth: false }], results: ['A', 'B'],
  },
  {
    name: 'four signers, consensus of two not being enough to drop anyone',
    signers: ['A', 'B', 'C', 'D'], votes: [{ signer: 'A', voted: 'C', auth: false }, { signer: 'B', voted: 'C', auth: false }], results: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'four signers, consensus of three already being enough to drop someone',
    signers: ['A', 'B', 'C', 'D'],
    votes: [{ signer: 'A', voted: 'D', auth: false }, { signer: 'B', voted: 'D', auth: false }, { signer: 'C', voted: 'D', auth: false }],
    results: ['A', 'B', 'C'],
  },
  {
    name: 'authorizations are counted once per signer per target',
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  {
    name: 'authorizing multiple accounts concurrently is permitted',
    signers: ['A', 'B'],
    votes: [
      { signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', voted: 'D', auth: true }, { signer: 'B' }, { signer: 'A' },
      { signer: 'B', voted: 'D', auth: true }, { signer: 'A' }, { signer: 'B', voted: 'C', auth: true },
    ],
    results: ['A', 'B', 'C', 'D'],
  },
  {
    name: 'deauthorizations are counted once per signer per target',
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'B', auth: false }, { signer: 'B' }, { signer: 'A', voted: 'B', auth: false }, { signer: 'B' }, { signer: 'A', voted: 'B', auth: false }],
    results: ['A', 'B'],
  },
  {
    name: 'deauthorizing multiple accounts concurrently is permitted',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false }, { signer: 'B' }, { signer: 'C' }, { signer: 'A', voted: 'D', auth: false }, { signer: 'B' },
      { signer: 'C' }, { signer: 'A' }, { signer: 'B', voted: 'D', auth: false }, { signer: 'C', voted: 'D', auth: false }, { signer: 'A' },
      { signer: 'B', voted: 'C', auth: false },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'votes from deauthorized signers are discarded immediately (deauth votes)',
    signers: ['A', 'B', 'C'],
    votes: [
      { signer: 'C', voted: 'B', auth: false }, { signer: 'A', voted: 'C', auth: false }, { signer: 'B', voted: 'C', auth: false },
      { signer: 'A', voted: 'B', auth: false },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'votes from deauthorized signers are discarded immediately (auth votes)',
    signers: ['A', 'B', 'C'],
    votes: [
      { signer: 'C', voted: 'D', auth: true }, { signer: 'A', voted: 'C', auth: false }, { signer: 'B', voted: 'C', auth: false },
      { signer: 'A', voted: 'D', auth: true },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'cascading changes are not allowed, only the account being voted on may change',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false }, { signer: 'B' }, { signer: 'C' }, { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false }, { signer: 'C' }, { signer: 'A' }, { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false },
    ],
    results: ['A', 'B', 'C'],
  },
  {
    name: 'changes reaching consensus out of bounds (via a deauth) execute on touch',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false }, { signer: 'B' }, { signer: 'C' }, { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false }, { signer: 'C' }, { signer: 'A' }, { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false }, { signer: 'A' }, { signer: 'C', voted: 'C', auth: true },
    ],
    results: ['A', 'B'],
  },
  {
    name: 'changes reaching consensus out of bounds (via a deauth) may go out of consensus on first touch',
    signers: ['A', 'B', 'C', 'D'],
    votes: [
      { signer: 'A', voted: 'C', auth: false }, { signer: 'B' }, { signer: 'C' }, { signer: 'A', voted: 'D', auth: false },
      { signer: 'B', voted: 'C', auth: false }, { signer: 'C' }, { signer: 'A' }, { signer: 'B', voted: 'D', auth: false },
      { signer: 'C', voted: 'D', auth: false }, { signer: 'A' }, { signer: 'B', voted: 'C', auth: true },
    ],
    results: ['A', 'B', 'C'],
  },
  {
    // A signer quickly added, removed and re-added while one of the original
    // voters is dropped: a stale cached vote would change the outcome.
    name: "pending votes don't survive authorization status changes",
    signers: ['A', 'B', 'C', 'D', 'E'],
    votes: [
      { signer: 'A', voted: 'F', auth: true }, // authorize F, 3 votes needed
      { signer: 'B', voted: 'F', auth: true },
      { signer: 'C', voted: 'F', auth: true },
      { signer: 'D', voted: 'F', auth: false }, // deauthorize F, 4 votes needed (leave A's previous vote "unchanged")
      { signer: 'E', voted: 'F', auth: false },
      { signer: 'B', voted: 'F', auth: false },
      { signer: 'C', voted: 'F', auth: false },
      { signer: 'D', voted: 'F', auth: true }, // almost authorize F, 2/3 votes needed
      { signer: 'E', voted: 'F', auth: true },
      { signer: 'B', voted: 'A', auth: false }, // deauthorize A, 3 votes needed
      { signer: 'C', voted: 'A', auth: false },
      { signer: 'D', voted: 'A', auth: false },
      { signer: 'B', voted: 'F', auth: true }, // finish authorizing F, 3/3 votes needed
    ],
    results: ['B', 'C', 'D', 'E', 'F'],
  },
  {
    name: 'epoch transitions reset all votes to allow chain checkpointing',
    epoch: 3n,
    signers: ['A', 'B'],
    votes: [{ signer: 'A', voted: 'C', auth: true }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B'] }, { signer: 'B', voted: 'C', auth: true }],
    results: ['A', 'B'],
  },
  { name: 'an unauthorized signer should not be able to sign blocks', signers: ['A'], votes: [{ signer: 'B' }], failure: 'unauthorized-signer' },
  {
    name: 'an authorized signer that signed recently should not be able to sign again',
    signers: ['A', 'B'], votes: [{ signer: 'A' }, { signer: 'A' }], failure: 'recently-signed',
  },
  {
    name: 'recent signatures should not reset on checkpoint blocks imported in a batch',
    epoch: 3n,
    signers: ['A', 'B', 'C'],
    votes: [{ signer: 'A' }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B', 'C'] }, { signer: 'A' }],
    failure: 'recently-signed',
  },
  {
    name: 'recent signatures should not reset on checkpoint blocks imported in a new batch (geth issue 17593)',
    epoch: 3n,
    signers: ['A', 'B', 'C'],
    votes: [{ signer: 'A' }, { signer: 'B' }, { signer: 'A', checkpoint: ['A', 'B', 'C'] }, { signer: 'A', newbatch: true }],
    failure: 'recently-signed',
  },
];

const accounts = new Accounts('vote');
const engineFor = (epoch: bigint) => new Clique({ period: 1n, epoch }, new MemoryDatabase(), { now: () => NOW });

/** Seals the case's blocks; difficulty from a separate builder engine's view of the parent. */
function buildCase(tt: CliqueCase): { genesis: Header; headers: Header[] } {
  // Epoch 0 in the table means "default", as geth's New() turns it into 30000.
  const builder = engineFor(tt.epoch ?? 0n);
  const chain = new MemChain();
  const genesis = makeGenesis(tt.signers.map((s) => accounts.address(s)));
  chain.add(genesis);
  const headers: Header[] = [];
  let parent = genesis;
  for (const v of tt.votes) {
    const number = parent.number + 1n;
    const signer = accounts.get(v.signer);
    const snap = builder.snapshot(chain, parent.number, headerHash(parent));
    const h = builder.seal(childHeader(parent, {
      ...vote(accounts.address(v.voted ?? ''), v.auth ?? false),
      extraData: v.checkpoint ? extraWith(sortAddresses(v.checkpoint.map((s) => accounts.address(s)))) : new Uint8Array(97),
      difficulty: snap.inturn(number, signer.address) ? 2n : 1n,
    }), signer.key);
    chain.add(h);
    headers.push(h);
    parent = h;
  }
  return { genesis, headers };
}

/** Imports the batches; returns the importing engine and chain, or checks the expected failure. */
function importCase(tt: CliqueCase, genesis: Header, batches: Header[][]) {
  const engine = engineFor(tt.epoch ?? 0n);
  const chain = new MemChain();
  chain.add(genesis);
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!;
    const verify = () => engine.verifyHeaders(chain, batch);
    if (i === batches.length - 1 && tt.failure) {
      expectCode(verify, tt.failure, tt.name);
      return undefined;
    }
    verify();
    for (const h of batch) chain.add(h);
  }
  return { engine, chain };
}

for (const [i, tt] of cases.entries()) {
  test(`clique voting ${i}: ${tt.name}`, () => {
    const { genesis, headers } = buildCase(tt);
    // geth's batches: a new one wherever a vote says newbatch.
    const batches: Header[][] = [[]];
    tt.votes.forEach((v, j) => {
      if (v.newbatch) batches.push([]);
      batches[batches.length - 1]!.push(headers[j]!);
    });
    const imported = importCase(tt, genesis, batches);
    if (tt.failure) {
      // The same failure one block per batch (headers from the chain, not in flight).
      importCase(tt, genesis, headers.map((h) => [h]));
      return;
    }
    assert.ok(imported);
    const head = headers[headers.length - 1]!;
    const want = hexes(sortAddresses(tt.results!.map((s) => accounts.address(s))));
    const snap = imported.engine.snapshot(imported.chain, head.number, headerHash(head));
    assert.deepEqual(snap.signersHex(), want, 'signers after import');
    assert.equal(snap.number, head.number);
    assert.deepEqual(snap.hash, headerHash(head));

    const single = importCase(tt, genesis, headers.map((h) => [h]))!;
    assert.deepEqual(single.engine.snapshot(single.chain, head.number, headerHash(head)).toJSON(), snap.toJSON(), 'one block per batch');

    // A cold engine applies the whole chain at once from the genesis.
    const cold = engineFor(tt.epoch ?? 0n);
    assert.deepEqual(cold.snapshot(imported.chain, head.number, headerHash(head)).toJSON(), snap.toJSON(), 'cold walk from genesis');
  });
}
