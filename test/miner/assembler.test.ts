/**
 * The miner worker packs the same txs in the same order with the parallel
 * executor on and off, applies go-ethereum's per-error policy, and what it
 * builds imports as a valid block elsewhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { asAddress } from '../../src/crypto/primitives.js';
import { utf8ToBytes } from '../../src/crypto/bytes.js';
import { Blockchain } from '../../src/core/chain/blockchain.js';
import { TxExecutor } from '../../src/core/executor/executor.js';
import { TxPool } from '../../src/core/txpool/txpool.js';
import { MinerWorker } from '../../src/miner/assembler.js';
import { SYSTEM_ACTION_ADDRESS } from '../../src/sysaction/addresses.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { ChainBuilder } from '../../tools/workload/chain-builder.js';
import { testAccount, testAccounts, transfer } from '../../tools/workload/accounts.js';
import { Rng } from '../../tools/workload/rng.js';

const ETHER = 10n ** 18n;

async function scenario(seed: number, gasLimit: bigint) {
  const signer = testAccount('miner-signer');
  const users = testAccounts(`miner-user-${seed}`, 30);
  const b = await ChainBuilder.create({ signers: [signer], gasLimit, alloc: [...users.map((u, i) => ({ address: u.address, balance: i === 0 ? 21000n * 3_000_000_000n : 100n * ETHER })), { address: signer.address, balance: 0n }] });
  const rng = new Rng(seed);
  const txs = [];
  for (let i = 0; i < 400; i++) {
    const from = rng.bool(0.3) ? users[1]! : rng.pick(users);
    const r = rng.int(20);
    const o = { type: rng.pick([0, 2] as const), gasPrice: 1_000_000_000n + rng.bigint(2_000_000_000n), maxFeePerGas: 3_000_000_000n, maxPriorityFeePerGas: rng.bigint(2_000_000_000n) };
    if (r === 0) txs.push(transfer(from, SYSTEM_ACTION_ADDRESS, 0n, 1337n, { ...o, data: utf8ToBytes('{"action":"NODE_REGISTER","payload":{"commission_bps":5}}'), gasLimit: 200_000n }));
    else if (r === 1) txs.push(transfer(from, signer.address, rng.bigint(ETHER), 1337n, o));
    else txs.push(transfer(from, rng.bool(0.4) ? users[2]!.address : asAddress(rng.bytes(20)), rng.bigint(ETHER), 1337n, { ...o, gasLimit: rng.bool(0.2) ? 90_000n : 21_000n }));
  }
  return { b, signer, txs };
}

async function build(b: ChainBuilder, signer: ReturnType<typeof testAccount>, txs: ReturnType<typeof transfer>[], exec: TxExecutor) {
  const pool = new TxPool(b.chain, { globalSlots: 10_000, accountSlots: 1000, accountQueue: 1000 });
  const errs = await pool.addRemotes(txs);
  assert.ok(errs.filter((e) => e === undefined).length > 300);
  const worker = new MinerWorker(b.chain, pool, exec, { signer: signer.address, gasTarget: b.chain.currentHeader().gasLimit, minTip: 0n, runMax: 64 });
  const built = await worker.build(b.chain.currentHeader(), b.chain.currentHeader().time + 1n);
  pool.stop();
  return built;
}

for (const [name, gasLimit] of [['roomy block', 30_000_000n], ['gas limit reached mid-block', 2_000_000n]] as const) {
  test(`same txs in the same order with parallel on and off (${name})`, async () => {
    const serial = new TxExecutor({});
    const parallel = new TxExecutor({ parallel: true, workers: 2, batchMax: 8, inlineBelow: 0, transferChunk: 4 });
    try {
      for (const seed of [1, 2, 3]) {
        const { b, signer, txs } = await scenario(seed, gasLimit);
        const s = await build(b, signer, txs, serial);
        const p = await build(b, signer, txs, parallel);
        const hashes = (x: typeof s) => x.block.transactions.map((t) => bytesToHex(t.hash()));
        assert.deepEqual(hashes(p), hashes(s), `seed ${seed}: order`);
        assert.ok(s.block.transactions.length > 10, `seed ${seed}: something was packed`);
        assert.equal(bytesToHex(p.block.header.stateRoot), bytesToHex(s.block.header.stateRoot), `seed ${seed}: state root`);
        assert.equal(p.block.header.gasUsed, s.block.header.gasUsed);
        if (gasLimit < 30_000_000n) assert.ok(s.block.header.gasUsed <= gasLimit && s.block.transactions.length < txs.length, 'the block filled up');
        // The sealed block is valid for any other node.
        const sealed = { ...s.block, header: b.chain.engine.seal(s.block.header, signer.key) };
        const other = await Blockchain.open({ db: new MemoryDatabase(), genesis: b.genesis });
        assert.equal(await other.insertBlock(sealed), 'canonical', `seed ${seed}: imports elsewhere`);
      }
    } finally {
      await serial.close();
      await parallel.close();
    }
  });
}
