/**
 * Randomized block contents for executor equivalence tests. Each scenario
 * builds a pre-state and a tx list from a seed; the serial reference and the
 * parallel executor must then agree byte for byte.
 */
import { Rng } from '../../../tools/workload/rng.js';
import { testAccount, transfer, type TestAccount } from '../../../tools/workload/accounts.js';
import { asAddress, type Address } from '../../../src/crypto/primitives.js';
import { utf8ToBytes } from '../../../src/crypto/bytes.js';
import type { Transaction } from '../../../src/types/transaction.js';
import type { ChainConfig } from '../../../src/types/chain-config.js';
import type { BlockContext } from '../../../src/core/execution/state-transition.js';
import { StateDB } from '../../../src/state/statedb/statedb.js';
import { StateDatabase } from '../../../src/state/statedb/state-database.js';
import { MemoryDatabase } from '../../../src/state/database.js';
import { EMPTY_ROOT } from '../../../src/state/trie/trie.js';
import { SYSTEM_ACTION_ADDRESS } from '../../../src/sysaction/addresses.js';

export const CHAIN_ID = 1337n;
export const ETHER = 10n ** 18n;

export interface BlockCase {
  state: StateDB;
  ctx: BlockContext;
  txs: Transaction[];
  senders: Address[];
  gasLimit: bigint;
}

export type ScenarioName =
  | 'no-overlap' | 'hot-recipient-50' | 'hot-recipient-100' | 'hot-sender' | 'recipient-later-sends'
  | 'author-sends-mid-run' | 'author-recipient' | 'zero-value-new' | 'data-and-code' | 'unaffordable'
  | 'gas-edge-fits' | 'gas-edge-overflows' | 'sysactions-interleaved' | 'mixed-types' | 'nonce-gap' | 'random-mix';

export const SCENARIOS: ScenarioName[] = [
  'no-overlap', 'hot-recipient-50', 'hot-recipient-100', 'hot-sender', 'recipient-later-sends',
  'author-sends-mid-run', 'author-recipient', 'zero-value-new', 'data-and-code', 'unaffordable',
  'gas-edge-fits', 'gas-edge-overflows', 'sysactions-interleaved', 'mixed-types', 'nonce-gap', 'random-mix',
];

const CODE_ADDR = asAddress(new Uint8Array(20).fill(0xcc));

function freshAddress(rng: Rng): Address {
  return asAddress(rng.bytes(20));
}

export function buildCase(seed: number, scenario: ScenarioName, nTx = 60): BlockCase {
  const rng = new Rng(seed * 1000 + SCENARIOS.indexOf(scenario));
  const txGas = rng.bool() ? 21000n : 3000n;
  const config: ChainConfig = { chainId: CHAIN_ID, clique: { period: 1n, epoch: 30000n }, txGas, raw: {} };
  const nAcc = 24;
  const accounts: TestAccount[] = Array.from({ length: nAcc }, (_, i) => testAccount(`exec-${seed % 5}-${i}`));
  const author = testAccount(`author-${seed % 3}`);
  const state = new StateDB(EMPTY_ROOT, new StateDatabase(new MemoryDatabase()));
  for (const a of accounts) state.addBalance(a.address, 100n * ETHER + rng.bigint(ETHER));
  // Sometimes the author starts empty: its zero-fee touches must then be deleted identically.
  if (rng.bool()) state.addBalance(author.address, 5n * ETHER);
  state.setCode(CODE_ADDR, new Uint8Array([0x60, 0x00]));
  state.addBalance(CODE_ADDR, 1n);
  const poor = testAccount(`poor-${seed}`);
  state.addBalance(poor.address, 21000n * 2_000_000_000n); // enough for exactly one plain 21000-gas tx at 2 gwei
  state.intermediateRoot(true);
  const baseFee = rng.pick([1_000_000_000n, 7n, 1_500_000_000n]);
  const ctx: BlockContext = { author: author.address, number: BigInt(1 + rng.int(1000)), time: 1000n, baseFee, config };

  const txs: Transaction[] = [];
  const senders: Address[] = [];
  const add = (from: TestAccount, to: Address | null, value: bigint, o: Parameters<typeof transfer>[4] = {}) => {
    const gl = o.gasLimit ?? (o.data && o.data.length > 0 ? txGas + 100_000n + BigInt(o.data.length) * 16n : txGas);
    const tx = transfer(from, to, value, CHAIN_ID, { type: rng.pick([0, 1, 2] as const), gasLimit: gl, ...o });
    txs.push(tx);
    senders.push(from.address);
  };
  const someone = () => rng.pick(accounts);
  const val = () => rng.bigint(ETHER);
  let gasLimit = 30_000_000n;

  switch (scenario) {
    case 'no-overlap':
      for (let i = 0; i < Math.min(nTx, nAcc); i++) add(accounts[i]!, freshAddress(rng), val() + 1n);
      break;
    case 'hot-recipient-50':
    case 'hot-recipient-100': {
      const hot = freshAddress(rng);
      const p = scenario === 'hot-recipient-50' ? 0.5 : 1;
      for (let i = 0; i < nTx; i++) add(someone(), rng.bool(p) ? hot : freshAddress(rng), val());
      break;
    }
    case 'hot-sender': {
      const s = accounts[0]!;
      for (let i = 0; i < nTx; i++) add(s, rng.bool() ? freshAddress(rng) : someone().address, val());
      break;
    }
    case 'recipient-later-sends':
      for (let i = 0; i < nTx; i++) {
        const a = someone(), b = someone();
        add(a, b.address, val());
        if (rng.bool(0.5)) add(b, someone().address, val());
      }
      break;
    case 'author-sends-mid-run':
      // The author has only what the fees of earlier txs give it: sending needs them credited first.
      for (let i = 0; i < nTx; i++) {
        add(someone(), freshAddress(rng), val());
        if (i === Math.floor(nTx / 2) || rng.bool(0.05)) add(author, freshAddress(rng), 1n, { gasPrice: baseFee, maxFeePerGas: baseFee, maxPriorityFeePerGas: 0n });
      }
      break;
    case 'author-recipient':
      for (let i = 0; i < nTx; i++) add(someone(), rng.bool(0.3) ? author.address : freshAddress(rng), val());
      break;
    case 'zero-value-new':
      for (let i = 0; i < nTx; i++) add(someone(), rng.bool(0.6) ? freshAddress(rng) : someone().address, rng.bool(0.7) ? 0n : val());
      break;
    case 'data-and-code':
      for (let i = 0; i < nTx; i++) {
        const r = rng.int(4);
        if (r === 0) add(someone(), freshAddress(rng), val(), { data: rng.bytes(1 + rng.int(40)) });
        else if (r === 1) add(someone(), CODE_ADDR, val());
        else if (r === 2) add(someone(), null, val(), { gasLimit: txGas + 10_000n });
        else add(someone(), freshAddress(rng), val());
      }
      break;
    case 'unaffordable':
      for (let i = 0; i < nTx; i++) {
        if (i === Math.floor(nTx * rng.int(100) / 100)) add(poor, freshAddress(rng), 1n + rng.bigint(ETHER), { gasPrice: 2_000_000_000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n });
        else add(someone(), freshAddress(rng), val());
      }
      break;
    case 'gas-edge-fits':
    case 'gas-edge-overflows': {
      // Every tx declares 100k gas but uses txGas: the declared sum is far above
      // the block limit, yet each fits at its turn — until the limit is 1 short.
      const big = 100_000n;
      for (let i = 0; i < nTx; i++) add(someone(), freshAddress(rng), val(), { gasLimit: big });
      gasLimit = txGas * BigInt(nTx - 1) + big - (scenario === 'gas-edge-overflows' ? 1n : 0n);
      break;
    }
    case 'sysactions-interleaved':
      for (let i = 0; i < nTx; i++) {
        if (rng.bool(0.2)) {
          const kind = rng.pick(['register', 'bad-json', 'unknown', 'stake']);
          const json =
            kind === 'register' ? '{"action":"NODE_REGISTER","payload":{"commission_bps":100}}'
              : kind === 'stake' ? '{"action":"NODE_STAKE","payload":{}}'
                : kind === 'unknown' ? '{"action":"NOPE","payload":{}}' : '{"action":';
          add(someone(), SYSTEM_ACTION_ADDRESS, rng.bool() ? 0n : ETHER, { data: utf8ToBytes(json), gasLimit: 400_000n });
        } else add(someone(), rng.bool() ? freshAddress(rng) : someone().address, val());
      }
      break;
    case 'mixed-types':
      for (let i = 0; i < nTx; i++) {
        const type = rng.pick([0, 1, 2] as const);
        const tip = rng.bigint(3_000_000_000n);
        const cap = baseFee + rng.bigint(3_000_000_000n);
        add(someone(), freshAddress(rng), val(), { type, gasPrice: baseFee + rng.bigint(2_000_000_000n), maxFeePerGas: cap, maxPriorityFeePerGas: tip < cap ? tip : cap });
      }
      break;
    case 'nonce-gap': {
      for (let i = 0; i < nTx; i++) add(someone(), freshAddress(rng), val());
      const s = someone();
      const k = rng.int(txs.length);
      const bad = transfer(s, freshAddress(rng), 1n, CHAIN_ID, { nonce: s.nonce + 5n });
      txs.splice(k, 0, bad);
      senders.splice(k, 0, s.address);
      break;
    }
    case 'random-mix':
      for (let i = 0; i < nTx; i++) {
        const r = rng.int(10);
        if (r < 5) add(someone(), rng.bool(0.3) ? accounts[0]!.address : freshAddress(rng), val());
        else if (r < 7) add(someone(), someone().address, rng.bool(0.2) ? 0n : val());
        else if (r === 7) add(someone(), author.address, val());
        else if (r === 8) add(someone(), SYSTEM_ACTION_ADDRESS, 0n, { data: utf8ToBytes('{"action":"NODE_REGISTER","payload":{"commission_bps":7}}'), gasLimit: 300_000n });
        else add(someone(), freshAddress(rng), 0n, { gasLimit: 50_000n + rng.bigint(50_000n) });
      }
      break;
  }
  return { state, ctx, txs, senders, gasLimit };
}
