/**
 * The seal: seal → author round trip, what the seal hash covers (everything
 * but the 65 seal bytes, baseFee included when present), the r ‖ s ‖ v
 * layout with v = 0/1, and agreement with another implementation:
 * @ethereumjs/block's cliqueSigHash/cliqueSigner on the same headers, and the
 * ethereumjs-made foreign chain fixture (40 blocks, 3 signers, votes,
 * out-of-turn blocks) verified header by header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliqueSigHash, cliqueSigner, createBlockHeader } from '@ethereumjs/block';
import { createCommonFromGethGenesis, type Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { bigintToBytes, bytesToBigint, bytesToHex, concatBytes } from '../../../src/crypto/bytes.js';
import { keccak256 } from '../../../src/crypto/keccak.js';
import { hashFromHex, type Hash } from '../../../src/crypto/primitives.js';
import { privateKeyToAddress, SECP256K1_HALF_N } from '../../../src/crypto/secp256k1.js';
import { Clique } from '../../../src/consensus/clique/clique.js';
import { recoverSealer, sealHash, sealHeader } from '../../../src/consensus/clique/seal.js';
import { NONCE_AUTH } from '../../../src/consensus/clique/snapshot.js';
import { headerHash, type Header } from '../../../src/types/header.js';
import { readBlockStream } from '../../../src/types/block.js';
import { genesisHeader, loadGenesisFile } from '../../../src/core/chain/genesis.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { testAccount } from '../../../tools/workload/accounts.js';
import { Rng } from '../../../tools/workload/rng.js';
import { repoPath } from '../../util/paths.js';
import { childHeader, expectCode, makeGenesis, MemChain, NOW } from './harness.js';

const signer = testAccount('seal-0');

function cliqueCommon(london: boolean): Common {
  const forks = ['homesteadBlock', 'eip150Block', 'eip155Block', 'eip158Block', 'byzantiumBlock', 'constantinopleBlock', 'petersburgBlock', 'istanbulBlock', 'berlinBlock'];
  const config: Record<string, unknown> = { chainId: 4242, clique: { period: 1, epoch: 30000 } };
  for (const f of forks) config[f] = 0;
  if (london) config.londonBlock = 0;
  const genesis = { config, nonce: '0x0', timestamp: '0x0', extraData: '0x' + '00'.repeat(97), gasLimit: '0x1c9c380', difficulty: '0x1', mixHash: '0x' + '00'.repeat(32), coinbase: '0x' + '00'.repeat(20), alloc: {} };
  return createCommonFromGethGenesis(genesis as never, { chain: 'clique-seal-test' });
}

function toEthereumjs(h: Header, common: Common) {
  return createBlockHeader({
    parentHash: h.parentHash, uncleHash: h.uncleHash, coinbase: h.coinbase, stateRoot: h.stateRoot, transactionsTrie: h.txRoot,
    receiptTrie: h.receiptRoot, logsBloom: h.logsBloom, difficulty: h.difficulty, number: h.number, gasLimit: h.gasLimit,
    gasUsed: h.gasUsed, timestamp: h.time, extraData: h.extraData, mixHash: h.mixDigest, nonce: h.nonce, baseFeePerGas: h.baseFee,
  }, { common, skipConsensusFormatValidation: true });
}

test('seal → author round trip; the seal is r ‖ s ‖ v with low s and v = 0/1', () => {
  const engine = new Clique({ period: 1n, epoch: 30000n }, new MemoryDatabase(), { now: () => NOW });
  const g = makeGenesis([signer.address]);
  const rng = new Rng(7);
  for (let i = 0; i < 20; i++) {
    const key = rng.privateKey();
    const unsealed = childHeader(g, { extraData: concatBytes(rng.bytes(32), new Uint8Array(65)), gasUsed: rng.bigint(1_000_000n), time: g.time + 1n + BigInt(i) });
    const sealed = engine.seal(unsealed, key);
    assert.deepEqual(unsealed.extraData.subarray(32), new Uint8Array(65), 'the input is not modified');
    assert.equal(sealed.extraData.length, 97);
    assert.deepEqual(sealed.extraData.subarray(0, 32), unsealed.extraData.subarray(0, 32), 'vanity kept');
    const sig = sealed.extraData.subarray(32);
    assert.ok(sig[64] === 0 || sig[64] === 1, 'v is the recovery id');
    assert.ok(bytesToBigint(sig.subarray(32, 64)) <= SECP256K1_HALF_N, 'low s');
    assert.deepEqual(engine.sealHash(sealed), engine.sealHash(unsealed), 'the seal bytes are not covered');
    assert.deepEqual(recoverSealer(sealed), privateKeyToAddress(key));
    assert.deepEqual(engine.author(sealed), privateKeyToAddress(key));
    assert.deepEqual(engine.author(sealed), privateKeyToAddress(key), 'cached');
  }
  expectCode(() => engine.seal(g, signer.key), 'unknown-block');
  expectCode(() => sealHash({ ...g, extraData: new Uint8Array(64) }), 'missing-signature');
  expectCode(() => engine.author({ ...g, extraData: new Uint8Array(64) }), 'missing-signature');
});

test('the seal hash covers every field but the seal, baseFee only when present (geth encodeSigHeader)', () => {
  const g = makeGenesis([signer.address]);
  const base = sealHeader(childHeader(g, { coinbase: signer.address, nonce: NONCE_AUTH.slice() }), signer.key);
  const h0 = sealHash(base);
  const changes: Partial<Header>[] = [
    { parentHash: new Uint8Array(32).fill(1) as Hash }, { uncleHash: new Uint8Array(32).fill(1) as Hash }, { coinbase: testAccount('seal-1').address },
    { stateRoot: new Uint8Array(32).fill(2) as Hash }, { txRoot: new Uint8Array(32).fill(3) as Hash }, { receiptRoot: new Uint8Array(32).fill(4) as Hash },
    { logsBloom: new Uint8Array(256).fill(1) }, { difficulty: 1n }, { number: 2n }, { gasLimit: base.gasLimit + 1n }, { gasUsed: 1n },
    { time: base.time + 1n }, { extraData: concatBytes(new Uint8Array(32).fill(9), base.extraData.subarray(32)) },
    { mixDigest: new Uint8Array(32).fill(5) as Hash }, { nonce: new Uint8Array(8) }, { baseFee: base.baseFee! + 1n }, { baseFee: undefined },
  ];
  for (const [i, ch] of changes.entries()) assert.notDeepEqual(sealHash({ ...base, ...ch }), h0, `change ${i} ${Object.keys(ch)[0]}`);
  // Exactly keccak(rlp(fields without the seal)), by hand with @ethereumjs/rlp.
  const fields = (h: Header) => [h.parentHash, h.uncleHash, h.coinbase, h.stateRoot, h.txRoot, h.receiptRoot, h.logsBloom, bigintToBytes(h.difficulty),
    bigintToBytes(h.number), bigintToBytes(h.gasLimit), bigintToBytes(h.gasUsed), bigintToBytes(h.time), h.extraData.subarray(0, h.extraData.length - 65),
    h.mixDigest, h.nonce];
  assert.deepEqual(sealHash(base), keccak256(RLP.encode([...fields(base), bigintToBytes(base.baseFee!)])));
  const legacy = { ...base, baseFee: undefined };
  assert.deepEqual(sealHash(legacy), keccak256(RLP.encode(fields(legacy))));
});

test('seal hash and signer agree with @ethereumjs/block (cliqueSigHash, cliqueSigner), London and pre-London', () => {
  const rng = new Rng(11);
  for (const london of [true, false]) {
    const common = cliqueCommon(london);
    const g = makeGenesis([signer.address], london ? {} : { baseFee: undefined });
    for (let i = 0; i < 10; i++) {
      const key = rng.privateKey();
      const h = sealHeader(childHeader(g, {
        coinbase: rng.bool() ? testAccount(`seal-c${i}`).address : g.coinbase,
        nonce: rng.bool() ? NONCE_AUTH.slice() : new Uint8Array(8),
        gasUsed: rng.bigint(30_000_000n), time: g.time + rng.bigint(1000n) + 1n, difficulty: rng.bool() ? 1n : 2n,
        extraData: concatBytes(rng.bytes(32), new Uint8Array(65)),
        baseFee: london ? 1n + rng.bigint(10n ** 12n) : undefined,
      }), key);
      const ej = toEthereumjs(h, common);
      assert.equal(bytesToHex(ej.hash()), bytesToHex(headerHash(h)), 'block hash');
      assert.equal(bytesToHex(cliqueSigHash(ej)), bytesToHex(sealHash(h)), `seal hash (london=${london})`);
      assert.equal(cliqueSigner(ej).toString(), bytesToHex(recoverSealer(h)), 'signer');
      assert.equal(bytesToHex(recoverSealer(h)), bytesToHex(privateKeyToAddress(key)));
    }
  }
});

test('the ethereumjs-made foreign chain verifies header by header: signers, turns, votes', () => {
  const dir = repoPath('test/fixtures/foreign-chain');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
    genesisHash: string; genesisStateRoot: string; genesisSigners: string[]; finalSigners: string[]; epoch: number; period: number;
    blocks: { number: number; hash: string; signer: string; difficulty: number; coinbase: string; nonce: string }[];
  };
  const genesis = loadGenesisFile(join(dir, 'genesis.json'));
  const g = genesisHeader(genesis, hashFromHex(expected.genesisStateRoot));
  assert.equal(bytesToHex(headerHash(g)), expected.genesisHash);
  const chain = new MemChain();
  chain.add(g);
  const blocks = [...readBlockStream(new Uint8Array(readFileSync(join(dir, 'chain.rlp'))))].map((b) => b.block);
  // The clock at the head's time: no header is from the future, and the last one is exactly "now".
  const now = () => Number(blocks[blocks.length - 1]!.header.time);
  const engine = new Clique(genesis.config.clique, new MemoryDatabase(), { now });
  assert.deepEqual(engine.snapshot(chain, 0n, headerHash(g)).signersHex(), expected.genesisSigners);
  assert.equal(blocks.length, expected.blocks.length);
  // One batch with in-flight parents, as a sync imports it...
  engine.verifyHeaders(chain, blocks.map((b) => b.header));
  for (const [i, b] of blocks.entries()) {
    const want = expected.blocks[i]!;
    assert.equal(bytesToHex(headerHash(b.header)), want.hash);
    assert.equal(bytesToHex(engine.author(b.header)), want.signer, `block ${want.number} signer`);
    assert.equal(Number(b.header.difficulty), want.difficulty);
    chain.add(b.header);
  }
  const head = blocks[blocks.length - 1]!.header;
  const snap = engine.snapshot(chain, head.number, headerHash(head));
  assert.deepEqual(snap.signersHex(), expected.finalSigners);
  // Block 30's lone drop vote is still pending.
  const drops = expected.blocks.filter((b) => b.number > 15 && b.coinbase !== '0x' + '00'.repeat(20));
  assert.equal(snap.votes.length, drops.length);
  // ...and one by one from the chain with a cold engine.
  const cold = new Clique(genesis.config.clique, new MemoryDatabase(), { now });
  const replay = new MemChain();
  replay.add(g);
  for (const b of blocks) {
    cold.verifyHeader(replay, b.header);
    replay.add(b.header);
  }
  assert.deepEqual(cold.snapshot(replay, head.number, headerHash(head)).toJSON(), snap.toJSON());
  // A tampered block (re-sealed by a non-signer) is rejected.
  const forged = sealHeader({ ...blocks[0]!.header }, testAccount('seal-forger').key);
  const fresh = new Clique(genesis.config.clique, new MemoryDatabase(), { now });
  const only = new MemChain();
  only.add(g);
  expectCode(() => fresh.verifyHeader(only, forged), 'unauthorized-signer');
});
