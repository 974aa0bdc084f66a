/**
 * Range sync without the network: the request codec and its bounds, what a
 * server answers (clamped counts, byte cap, reverse walks over side branches),
 * and the Syncer against a peer chain served in-process: catching up 150
 * blocks, finding the common ancestor deep below a fork and reorging to the
 * heavier branch (dropped txs reported), and blaming a peer that serves
 * invalid blocks, broken chains, garbage or too many items.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress, asHash } from '../../src/crypto/primitives.js';
import { Blockchain, type NewHeadEvent } from '../../src/core/chain/blockchain.js';
import { decodeBlock, encodeBlock } from '../../src/types/block.js';
import { decodeHeader, headerHash } from '../../src/types/header.js';
import { MemoryDatabase } from '../../src/state/database.js';
import {
  decodeRequest, encodeRequest, MAX_BLOCKS_PER_RESPONSE, MAX_HEADERS_PER_RESPONSE, MAX_REQUEST_BYTES, SyncProtocolError,
} from '../../src/network/reqresp/messages.js';
import { serveRange } from '../../src/network/reqresp/server.js';
import { PeerFaultError, Syncer, type RangeFetcher } from '../../src/sync/syncer.js';
import type { Status } from '../../src/network/peers/status.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { encodeRlp } from '../../src/crypto/rlp.js';

const E = 10n ** 18n;
const signer = testAccount('sync-signer');
const users = testAccounts('sync-user', 3);
const spec = { signers: [signer], alloc: users.map((u) => ({ address: u.address, balance: 1000n * E })) };
const to = (i: number) => asAddress(new Uint8Array(20).fill(i));

function statusOf(chain: Blockchain): Status {
  return { networkId: 1337n, genesisHash: chain.genesisHash, headHash: chain.currentHash(), headNumber: chain.currentHeader().number, td: chain.currentTd() };
}

async function builderWith(n: number, txEvery = 10): Promise<ChainBuilder> {
  for (const u of users) u.nonce = 0n;
  const b = await ChainBuilder.create(spec);
  for (let i = 1; i <= n; i++) await b.addBlock(i % txEvery === 0 ? [transfer(users[i % 3]!, to(i % 200), 1n, 1337n)] : []);
  return b;
}

test('request codec: round trip, and malformed or oversized requests are typed errors', () => {
  const byNumber = { origin: { number: 12345n }, count: 64, reverse: false, bodies: true };
  assert.deepEqual(decodeRequest(encodeRequest(byNumber)), byNumber);
  const byHash = { origin: { hash: asHash(new Uint8Array(32).fill(7)) }, count: 3, reverse: true, bodies: false };
  assert.deepEqual(decodeRequest(encodeRequest(byHash)), byHash);
  const bad: [Uint8Array, RegExp][] = [
    [new Uint8Array(MAX_REQUEST_BYTES + 1), /exceeds/],
    [Uint8Array.of(0xc3, 1, 2), /malformed/],
    [encodeRlp([Uint8Array.of(2), Uint8Array.of(1), Uint8Array.of(1), new Uint8Array(0), new Uint8Array(0)]), /unknown origin kind/],
    [encodeRlp([Uint8Array.of(1), new Uint8Array(31), Uint8Array.of(1), new Uint8Array(0), new Uint8Array(0)]), /malformed/],
    [encodeRlp([new Uint8Array(0), Uint8Array.of(1), new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]), /count must be positive/],
    [encodeRlp([new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(0)]), /reverse must be 0 or 1/],
    [encodeRlp([new Uint8Array(0), new Uint8Array(9).fill(1), Uint8Array.of(1), new Uint8Array(0), new Uint8Array(0)]), /malformed/],
  ];
  for (const [bytes, re] of bad) assert.throws(() => decodeRequest(bytes), (e: Error) => e instanceof SyncProtocolError && re.test(e.message), re.source);
});

test('serving: counts are clamped, walks stop at the chain ends, reverse walks follow side branches', async () => {
  const b = await builderWith(140);
  const chain = b.chain;
  const all = serveRange(chain, { origin: { number: 0n }, count: 1_000_000, reverse: false, bodies: true });
  assert.equal(all.length, MAX_BLOCKS_PER_RESPONSE);
  assert.equal(decodeBlock(all[5]!).header.number, 5n);
  assert.equal(serveRange(chain, { origin: { number: 0n }, count: 1_000_000, reverse: false, bodies: false }).length, 141);
  assert.ok(141 < MAX_HEADERS_PER_RESPONSE);
  assert.equal(serveRange(chain, { origin: { number: 138n }, count: 10, reverse: false, bodies: false }).length, 3);
  assert.deepEqual(serveRange(chain, { origin: { number: 141n }, count: 10, reverse: false, bodies: false }), []);
  assert.deepEqual(serveRange(chain, { origin: { hash: asHash(new Uint8Array(32)) }, count: 10, reverse: true, bodies: false }), []);
  const down = serveRange(chain, { origin: { number: 3n }, count: 10, reverse: true, bodies: false }).map((f) => decodeHeader(f).number);
  assert.deepEqual(down, [3n, 2n, 1n, 0n]);
  // A side block: reverse by hash walks it back into the canonical chain; forward stops at it.
  const side = b.makeBlock(chain.getHeaderByNumber(100n)!, [], { timeDelta: 5n });
  assert.equal(await chain.insertBlock(side), 'side');
  const sideHash = headerHash(side.header);
  const back = serveRange(chain, { origin: { hash: sideHash }, count: 3, reverse: true, bodies: false }).map(decodeHeader);
  assert.deepEqual(back.map((h) => h.number), [101n, 100n, 99n]);
  assert.equal(bytesToHex(headerHash(back[1]!)), bytesToHex(chain.store.canonicalHash(100n)!));
  assert.equal(serveRange(chain, { origin: { hash: sideHash }, count: 3, reverse: false, bodies: false }).length, 1);
});

test('syncer: catches up 150 blocks in chunks through the normal insert path', async () => {
  const peer = await builderWith(150);
  const local = await Blockchain.open({ db: new MemoryDatabase(), genesis: peer.genesis });
  const requests: string[] = [];
  const fetch: RangeFetcher = async (_p, req) => {
    requests.push(`${'number' in req.origin ? req.origin.number : 'hash'}:${req.count}:${req.bodies ? 'b' : 'h'}`);
    return serveRange(peer.chain, req);
  };
  const prefetched: bigint[] = [];
  const syncer = new Syncer(local, fetch, { chunk: 32, prefetch: (bs) => prefetched.push(bs[0]!.header.number) });
  const progress: bigint[] = [];
  syncer.on('progress', (p) => progress.push(p.currentBlock));
  const r = await syncer.maybeSync('peer', statusOf(peer.chain));
  assert.ok(r);
  assert.equal(r.imported, 150);
  assert.equal(r.ancestor, 0n);
  assert.equal(bytesToHex(local.currentHash()), bytesToHex(peer.chain.currentHash()));
  assert.equal(bytesToHex(local.currentHeader().stateRoot), bytesToHex(peer.chain.currentHeader().stateRoot));
  assert.deepEqual(prefetched, [1n, 33n, 65n, 97n, 129n]);
  assert.equal(progress.at(-1), 150n);
  assert.equal(syncer.progress, undefined, 'progress clears when done');
  assert.deepEqual(requests.slice(0, 2), ['0:1:h', '1:32:b'], 'ancestor span from genesis, then blocks');
  // Nothing to do when the peer is not heavier.
  assert.equal(await syncer.maybeSync('peer', statusOf(peer.chain)), undefined);
});

test('syncer: a fork far below the head is found by binary search; the heavier branch wins and dropped txs are reported', async () => {
  const peer = await builderWith(100);
  const localBuilder = await ChainBuilder.create(spec);
  const local = localBuilder.chain;
  await local.insertChain(peer.blocks.slice(0, 20));
  // Our own branch from block 20: 91 blocks the peer does not have.
  let parent = local.currentHeader();
  for (let i = 0; i < 90; i++) {
    const blk = localBuilder.makeBlock(parent, [], { timeDelta: 3n });
    await local.insertBlock(blk);
    parent = blk.header;
  }
  assert.equal(local.currentHeader().number, 110n);
  await local.insertBlock(localBuilder.makeBlock(parent, [], { timeDelta: 3n }));
  // The peer's chain grows past ours: more blocks, so more total difficulty.
  for (let i = 101; i <= 130; i++) await peer.addBlock([]);
  assert.ok(peer.chain.currentTd() > local.currentTd());
  const fetched: string[] = [];
  const syncer = new Syncer(local, async (_p, req) => {
    fetched.push(`${'number' in req.origin ? req.origin.number : 'h'}:${req.count}`);
    return serveRange(peer.chain, req);
  }, { chunk: 64, ancestorSpan: 16 });
  const heads: NewHeadEvent[] = [];
  local.on('head', (ev: NewHeadEvent) => heads.push(ev));
  const r = await syncer.maybeSync('peer', statusOf(peer.chain));
  assert.equal(r!.ancestor, 20n);
  assert.equal(bytesToHex(local.currentHash()), bytesToHex(peer.chain.currentHash()));
  assert.equal(bytesToHex(local.store.canonicalHash(50n)!), bytesToHex(peer.chain.store.canonicalHash(50n)!));
  // The switch happened in one head event that named the blocks it added (from 21 on).
  const reorg = heads.find((h) => h.added.length > 1)!;
  assert.equal(reorg.added[0]!.header.number, 21n);
  assert.ok(fetched.length > 3 && fetched.length < 20, `a span then a binary search, not a linear walk: ${fetched.join(' ')}`);
});

test('syncer: dropped txs of the losing branch are handed back', async () => {
  const peer = await builderWith(10, 1000);
  const localBuilder = await ChainBuilder.create(spec);
  const local = localBuilder.chain;
  await local.insertChain(peer.blocks.slice(0, 5));
  const tx = transfer(users[0]!, to(9), 3n, 1337n, { nonce: 0n });
  const fork = localBuilder.makeBlock(local.currentHeader(), [tx], { timeDelta: 2n });
  assert.equal(await local.insertBlock(fork), 'canonical');
  const heads: NewHeadEvent[] = [];
  local.on('head', (ev: NewHeadEvent) => heads.push(ev));
  await new Syncer(local, async (_p, req) => serveRange(peer.chain, req)).maybeSync('peer', statusOf(peer.chain));
  assert.equal(bytesToHex(local.currentHash()), bytesToHex(peer.chain.currentHash()));
  const dropped = heads.flatMap((h) => h.dropped).map((t) => bytesToHex(t.hash()));
  assert.deepEqual(dropped, [bytesToHex(tx.hash())]);
});

test('syncer: answers cut short by the byte limit do not end the sync; it runs to the announced head', async () => {
  const peer = await builderWith(60, 2);
  const local = (await ChainBuilder.create(spec)).chain;
  const counts: number[] = [];
  // ~3 blocks per answer where 64 were asked: the server's soft limit, as a big-block chain hits it.
  const res = await new Syncer(local, async (_p, req) => {
    const frames = serveRange(peer.chain, req, 2_000);
    if (req.bodies) counts.push(frames.length);
    return frames;
  }).maybeSync('peer', statusOf(peer.chain));
  assert.equal(local.currentHeader().number, 60n);
  assert.equal(bytesToHex(local.currentHash()), bytesToHex(peer.chain.currentHash()));
  assert.equal(res?.imported, 60);
  assert.ok(counts.length >= 10 && counts.every((c) => c < 64), `short answers: ${counts.join(',')}`);
});

test('syncer: peers that serve invalid blocks, broken chains, garbage or too much are blamed; nothing bad is written', async () => {
  const peer = await builderWith(40);
  const good = (req: Parameters<RangeFetcher>[1]) => serveRange(peer.chain, req);
  const cases: [string, RangeFetcher, RegExp][] = [
    ['bad state root', async (_p, req) => {
      const frames = good(req);
      if (!req.bodies) return frames;
      const blocks = frames.map(decodeBlock);
      const i = blocks.findIndex((b) => b.header.number === 7n);
      if (i >= 0) blocks[i] = { ...blocks[i]!, header: peer.chain.engine.seal({ ...blocks[i]!.header, stateRoot: blocks[i]!.header.txRoot }, signer.key) };
      // Later blocks no longer link up, so stop the response after the bad one.
      return (i >= 0 ? blocks.slice(0, i + 1) : blocks).map(encodeBlock);
    }, /served invalid block 7/],
    ['bad seal', async (_p, req) => {
      const frames = good(req);
      if (!req.bodies) return frames;
      const blocks = frames.map(decodeBlock);
      blocks[0] = { ...blocks[0]!, header: peer.chain.engine.seal(blocks[0]!.header, testAccount('intruder').key) };
      return blocks.slice(0, 1).map(encodeBlock);
    }, /served invalid block 1/],
    ['broken chain', async (_p, req) => {
      const frames = good(req);
      return req.bodies ? [frames[0]!, frames[2]!] : frames;
    }, /answered block 3 where 2 was asked/],
    ['garbage frame', async (_p, req) => (req.bodies ? [Uint8Array.of(0xc1, 0xff)] : good(req)), /malformed block/],
    ['garbage header', async () => [Uint8Array.of(0x80)], /malformed header/],
    ['too many', async (_p, req) => [...good(req), ...good(req)], /answered \d+ items to a request for/],
  ];
  for (const [name, fetch, re] of cases) {
    const local = await Blockchain.open({ db: new MemoryDatabase(), genesis: peer.genesis });
    const err = await new Syncer(local, fetch, { chunk: 16 }).maybeSync('evil', statusOf(peer.chain)).then(() => undefined, (e: Error) => e);
    assert.ok(err instanceof PeerFaultError, `${name}: ${err}`);
    assert.equal(err.peer, 'evil');
    assert.match(err.message, re, name);
    assert.ok(local.currentHeader().number < 40n, name);
    assert.ok(peer.chain.getHeader(local.currentHash()), `${name}: only the peer's valid blocks were written`);
  }
});
