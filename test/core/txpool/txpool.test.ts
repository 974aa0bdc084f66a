/**
 * The txpool's admission rules, pending/queued promotion, replacement bump,
 * limits with eviction, and reset on a new head.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressToHex, asAddress } from '../../../src/crypto/primitives.js';
import { utf8ToBytes } from '../../../src/crypto/bytes.js';
import { TxPool } from '../../../src/core/txpool/txpool.js';
import { Transaction } from '../../../src/types/transaction.js';
import { isPoolRejection, TxPoolError } from '../../../src/core/txpool/errors.js';
import { SYSTEM_ACTION_ADDRESS } from '../../../src/sysaction/addresses.js';
import { ChainBuilder } from '../../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../../tools/workload/accounts.js';

const ETHER = 10n ** 18n;
const CHAIN = 1337n;

async function setup(config = {}) {
  const signer = testAccount('pool-signer');
  const users = testAccounts('pool-user', 6);
  const poor = testAccount('pool-poor');
  const b = await ChainBuilder.create({ signers: [signer], alloc: [...users.map((u) => ({ address: u.address, balance: 100n * ETHER })), { address: poor.address, balance: 21000n }] });
  const pool = new TxPool(b.chain, config);
  return { b, pool, users, poor };
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: Error) => isPoolRejection(e) && e.code === code, `expected ${code}`);
}

test('admission rejects each invalid shape with its typed reason', async () => {
  const { pool, users, poor } = await setup();
  const [a] = users;
  const to = users[1]!.address;
  await rejects(pool.addRemotes([transfer(a!, to, 1n, CHAIN, { chainId: 5n, nonce: 0n })]).then((r) => { if (r[0]) throw r[0]; }), 'wrong-chain');
  await rejects(pool.addLocal(transfer(a!, null, 1n, CHAIN, { nonce: 0n, gasLimit: 100000n })), 'contract-creation');
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 0n, data: Uint8Array.of(1), gasLimit: 30000n })), 'data-not-allowed');
  await rejects(pool.addLocal(transfer(a!, SYSTEM_ACTION_ADDRESS, 0n, CHAIN, { nonce: 0n, data: utf8ToBytes('{"action":"NOPE"}'), gasLimit: 200000n })), 'bad-system-action');
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 0n, gasLimit: 20999n })), 'intrinsic-gas');
  await rejects(pool.addLocal(transfer(poor, to, 1n, CHAIN, { nonce: 0n })), 'insufficient-funds');
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 0n, gasLimit: 40_000_000n })), 'gas-limit');
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 0n, type: 2, maxFeePerGas: 10n, maxPriorityFeePerGas: 11n })), 'tip-above-fee-cap');
  const [remoteUnder] = await pool.addRemotes([transfer(a!, to, 1n, CHAIN, { nonce: 0n, type: 2, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 0n })]);
  assert.equal(remoteUnder?.code, 'underpriced');
  const ok = transfer(a!, to, 1n, CHAIN, { nonce: 0n });
  await pool.addLocal(ok);
  await rejects(pool.addLocal(ok), 'already-known');
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 300n, data: new Uint8Array(200_000), gasLimit: 29_000_000n })), 'oversized');
  assert.deepEqual(pool.status(), { pending: 1, queued: 0 });
});

test('nonce gaps queue, filling them promotes; replacement needs a 10% bump', async () => {
  const { pool, users } = await setup();
  const [a, b] = users;
  await pool.addLocal(transfer(a!, b!.address, 1n, CHAIN, { nonce: 2n }));
  await pool.addLocal(transfer(a!, b!.address, 1n, CHAIN, { nonce: 1n }));
  assert.deepEqual(pool.status(), { pending: 0, queued: 2 });
  await pool.addLocal(transfer(a!, b!.address, 1n, CHAIN, { nonce: 0n }));
  assert.deepEqual(pool.status(), { pending: 3, queued: 0 });
  assert.equal(pool.nonce(a!.address), 3n);
  const base = { nonce: 1n, type: 2 as const, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
  await rejects(pool.addLocal(transfer(a!, b!.address, 2n, CHAIN, { ...base, maxFeePerGas: 2_190_000_000n, maxPriorityFeePerGas: 1_090_000_000n })), 'replace-underpriced');
  await pool.addLocal(transfer(a!, b!.address, 2n, CHAIN, { ...base, maxFeePerGas: 2_200_000_000n, maxPriorityFeePerGas: 1_100_000_000n }));
  assert.deepEqual(pool.status(), { pending: 3, queued: 0 });
  const list = pool.pendingByAccount().get(a!.address.reduce((s, x) => s + x.toString(16).padStart(2, '0'), '0x'))!;
  assert.equal(list.txs[1]!.value, 2n, 'the replacement took the slot');
});

test('a full pool evicts the cheapest remote tx, and refuses one no better than it', async () => {
  const { pool, users } = await setup({ globalSlots: 2, globalQueue: 1 });
  const to = asAddress(new Uint8Array(20).fill(7));
  const tip = (n: bigint) => ({ type: 2 as const, maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: n });
  const r1 = await pool.addRemotes([
    transfer(users[0]!, to, 1n, CHAIN, { nonce: 0n, ...tip(2n) }),
    transfer(users[1]!, to, 1n, CHAIN, { nonce: 0n, ...tip(3n) }),
    transfer(users[2]!, to, 1n, CHAIN, { nonce: 0n, ...tip(4n) }),
  ]);
  assert.deepEqual(r1, [undefined, undefined, undefined]);
  const [cheap] = await pool.addRemotes([transfer(users[3]!, to, 1n, CHAIN, { nonce: 0n, ...tip(1n) })]);
  assert.equal(cheap?.code, 'underpriced');
  const [rich] = await pool.addRemotes([transfer(users[4]!, to, 1n, CHAIN, { nonce: 0n, ...tip(9n) })]);
  assert.equal(rich, undefined);
  assert.equal(pool.status().pending + pool.status().queued, 3);
  assert.equal(pool.pendingByAccount().size, 3);
});

test('reset on a new head drops included txs and keeps the rest', async () => {
  const { b, pool, users } = await setup();
  const [a, c] = users;
  const t0 = transfer(a!, c!.address, 1n, CHAIN, { nonce: 0n });
  const t1 = transfer(a!, c!.address, 1n, CHAIN, { nonce: 1n });
  await pool.addLocal(t0);
  await pool.addLocal(t1);
  a!.nonce = 0n;
  await b.addBlock([t0]);
  await pool.reset();
  assert.deepEqual(pool.status(), { pending: 1, queued: 0 });
  assert.equal(pool.has(t0.hash()), false);
  assert.equal(pool.has(t1.hash()), true);
  pool.stop();
});

test('journal: locals are appended, reloaded in one admission pass, rewritten at stop; a failed rewrite never throws', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gtos-journal-'));
  try {
    const { b, users } = await setup();
    const journalPath = join(dir, 'transactions.rlp');
    let batches = 0;
    const pool = new TxPool(b.chain, {}, {
      journalPath,
      recoverSenders: async (txs, chainId) => { batches++; return txs.map((t) => t.sender(chainId)); },
    });
    const to = users[5]!.address;
    const txs = users.slice(0, 4).flatMap((u) => Array.from({ length: 10 }, () => transfer(u, to, 1n, CHAIN)));
    txs.push(transfer(users[4]!, to, 1n, CHAIN, { nonce: 7n })); // gapped: queued, still journaled
    const bad = transfer(users[4]!, to, 1n, CHAIN, { chainId: 5n, nonce: 0n });
    const results = await Promise.allSettled([...txs, bad].map((t) => pool.addLocal(t)));
    assert.ok(results.slice(0, -1).every((r) => r.status === 'fulfilled'));
    const last = results.at(-1)!;
    assert.ok(last.status === 'rejected' && (last.reason as TxPoolError).code === 'wrong-chain', 'the bad one gets its own typed error');
    assert.deepEqual(pool.status(), { pending: 40, queued: 1 });
    const written = readFileSync(journalPath).length;
    assert.equal(written, txs.reduce((n, t) => { const l = t.encode().length; return n + l + (l < 56 ? 1 : l < 256 ? 2 : 3); }, 0), 'all 41 appended');
    pool.stop();
    // A restart loads all of them back as locals.
    const reloadBatches = batches;
    const again = new TxPool(b.chain, {}, {
      journalPath,
      recoverSenders: async (ts, chainId) => { batches++; return ts.map((t) => t.sender(chainId)); },
    });
    assert.deepEqual(await again.loadJournal(), { loaded: 41, dropped: 0 });
    assert.equal(batches - reloadBatches, 1, 'the journal is admitted in one pass');
    assert.deepEqual(again.status(), { pending: 40, queued: 1 });
    again.stop();
    // A rewrite into a directory that is gone fails, is logged, and does not throw.
    const gone = new TxPool(b.chain, {}, { journalPath: join(dir, 'missing', 'transactions.rlp') });
    assert.equal(gone.journalRotate(), false);
    assert.doesNotThrow(() => gone.stop());
    assert.equal(existsSync(join(dir, 'missing')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('locals are bounded: queue limits hold for nonce-gapped locals, localSlots caps the rest, replacements pass', async () => {
  const { pool, users } = await setup({ accountQueue: 3, globalQueue: 5, localSlots: 8 });
  const [a, b, c, d] = users;
  const to = users[5]!.address;
  // Per account: 3 gapped locals fit, the 4th is refused.
  for (const n of [10n, 11n, 12n]) await pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: n }));
  await rejects(pool.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 13n })), 'account-limit');
  // A remote queue is dropped to make room for a local one; once only locals are queued, the queue is full.
  const [remoteErr] = await pool.addRemotes([transfer(b!, to, 1n, CHAIN, { nonce: 5n })]);
  assert.equal(remoteErr, undefined);
  await pool.addLocal(transfer(c!, to, 1n, CHAIN, { nonce: 7n }));
  assert.equal(pool.status().queued, 5);
  await pool.addLocal(transfer(c!, to, 1n, CHAIN, { nonce: 8n }));
  assert.deepEqual(pool.status(), { pending: 0, queued: 5 }, 'the remote queue made room');
  await rejects(pool.addLocal(transfer(d!, to, 1n, CHAIN, { nonce: 9n })), 'pool-full');
  // Executable locals count against localSlots (8): 5 queued + 3 pending fit, the next is refused.
  for (const n of [0n, 1n, 2n]) await pool.addLocal(transfer(d!, to, 1n, CHAIN, { nonce: n }));
  assert.deepEqual(pool.status(), { pending: 3, queued: 5 });
  await rejects(pool.addLocal(transfer(d!, to, 1n, CHAIN, { nonce: 3n })), 'pool-full');
  // A replacement takes its predecessor's slot.
  await pool.addLocal(transfer(d!, to, 1n, CHAIN, { nonce: 2n, maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n }));
  assert.deepEqual(pool.status(), { pending: 3, queued: 5 });
  pool.stop();
});

test('--txpool.locals senders are local from any source; with nolocals the journal comes back as remote txs', async () => {
  const { b, users } = await setup();
  const [a, z] = users;
  const to = users[5]!.address;
  const pool = new TxPool(b.chain, { priceLimit: 5_000_000_000n, locals: [addressToHex(a!.address).toUpperCase().replace('0X', '0x')] });
  const cheap = (u: typeof a) => transfer(u!, to, 1n, CHAIN, { nonce: 0n, maxPriorityFeePerGas: 1n });
  const [fromLocal, fromOther] = await pool.addRemotes([cheap(a), cheap(z)]);
  assert.equal(fromLocal, undefined, 'a configured local sender skips the price floor even via gossip');
  assert.equal(fromOther?.code, 'underpriced');
  pool.stop();

  const dir = mkdtempSync(join(tmpdir(), 'gtos-pool-nolocals-'));
  try {
    const journalPath = join(dir, 'transactions.rlp');
    const first = new TxPool(b.chain, {}, { journalPath });
    await first.addLocal(transfer(a!, to, 1n, CHAIN, { nonce: 1n, maxPriorityFeePerGas: 1n }));
    first.stop();
    const again = new TxPool(b.chain, { noLocals: true, priceLimit: 5_000_000_000n }, { journalPath });
    assert.deepEqual(await again.loadJournal(), { loaded: 0, dropped: 1 }, 'as a remote tx it is under the price floor');
    again.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a block\'s decoded copies of pooled txs get the pool\'s senders; others are left to recovery', async () => {
  const { pool, users } = await setup();
  const [a, c, d] = users;
  const pooled = [transfer(a!, c!.address, 1n, CHAIN, { nonce: 0n }), transfer(c!, d!.address, 2n, CHAIN, { nonce: 0n, type: 2 })];
  for (const tx of pooled) await pool.addRemotes([tx]);
  const outside = transfer(d!, a!.address, 3n, CHAIN, { nonce: 0n });
  // As a block body arrives: fresh objects from the wire, no sender yet.
  const copies = [...pooled, outside].map((tx) => Transaction.decode(tx.encode()));
  assert.ok(copies.every((tx) => tx.cachedSender() === undefined));
  assert.equal(pool.installKnownSenders(copies), 2);
  assert.equal(addressToHex(copies[0]!.cachedSender()!), addressToHex(a!.address));
  assert.equal(addressToHex(copies[1]!.cachedSender()!), addressToHex(c!.address));
  assert.equal(copies[2]!.cachedSender(), undefined, 'a tx the pool does not hold is recovered by the import');
  assert.equal(pool.installKnownSenders(copies), 0, 'senders already set are left alone');
  pool.stop();
});
