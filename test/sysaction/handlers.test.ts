/**
 * execution.md §4 handlers through executeSysAction on a real StateDB: each
 * action's storage effects (slots computed here independently), value moved
 * exactly once, and every failure reverting everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bigintToBytesPadded, bytesToBigint, concatBytes, utf8ToBytes } from '../../src/crypto/bytes.js';
import { keccak256 } from '../../src/crypto/keccak.js';
import { addressToHex, ZERO_ADDRESS, type Address, type Hash } from '../../src/crypto/primitives.js';
import { StateDB } from '../../src/state/statedb/statedb.js';
import { StateDatabase } from '../../src/state/statedb/state-database.js';
import { MemoryDatabase } from '../../src/state/database.js';
import { EMPTY_ROOT } from '../../src/state/trie/trie.js';
import { AGENT_REGISTRY_ADDRESS, STAKING_ADDRESS } from '../../src/sysaction/addresses.js';
import { executeSysAction } from '../../src/sysaction/executor.js';
import { validateSysActionShape } from '../../src/sysaction/codec.js';
import { readPendingReward } from '../../src/sysaction/reader.js';
import { testAccount } from '../../tools/workload/accounts.js';

const E = 10n ** 18n;
const nodeSlot = (a: Address, f: string) => keccak256(concatBytes(a, utf8ToBytes(f))) as Hash;
const delSlot = (d: Address, n: Address, f: string) => keccak256(concatBytes(d, n, utf8ToBytes(f))) as Hash;
const agentSlot = (id: string, f: string) => keccak256(concatBytes(utf8ToBytes(id), Uint8Array.of(0), utf8ToBytes(f))) as Hash;
const NET = keccak256(concatBytes(ZERO_ADDRESS, utf8ToBytes('networkStake'))) as Hash;

function setup() {
  const state = new StateDB(EMPTY_ROOT, new StateDatabase(new MemoryDatabase()));
  const node = testAccount('sa-node').address;
  const del = testAccount('sa-del').address;
  for (const a of [node, del]) state.addBalance(a, 100_000n * E);
  return { state, node, del };
}

const word = (s: StateDB, c: Address, slot: Hash) => bytesToBigint(s.getState(c, slot));
const run = (s: StateDB, from: Address, value: bigint, o: unknown, number = 100n) =>
  executeSysAction({ state: s, from, value, blockNumber: number, data: typeof o === 'string' ? utf8ToBytes(o) : utf8ToBytes(JSON.stringify(o)) });

test('NODE_REGISTER with value stakes it once; activation at exactly 10^22 self stake', () => {
  const { state, node } = setup();
  const b0 = state.getBalance(node);
  assert.deepEqual(run(state, node, 9_999n * E, { action: 'NODE_REGISTER', payload: { commission_bps: 500 } }), { ok: true });
  assert.equal(state.getBalance(node), b0 - 9_999n * E, 'debited exactly once');
  assert.equal(state.getBalance(STAKING_ADDRESS), 9_999n * E);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'commission')), 500n);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'selfStake')), 9_999n * E);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'status')), 2n, 'registered, not yet active');
  assert.deepEqual(run(state, node, E, { action: 'NODE_STAKE', payload: {} }), { ok: true });
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'status')), 1n, 'active at exactly 10^22');
  assert.equal(word(state, STAKING_ADDRESS, NET), 10_000n * E);
});

test('NODE_UNSTAKE returns all self stake and sets the unlock block', () => {
  const { state, node } = setup();
  run(state, node, 10_000n * E, { action: 'NODE_REGISTER', payload: { commission_bps: 0 } });
  const b = state.getBalance(node);
  assert.deepEqual(run(state, node, 0n, { action: 'NODE_UNSTAKE', payload: {} }, 777n), { ok: true });
  assert.equal(state.getBalance(node), b + 10_000n * E);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'unstakeUnlock')), 777n + 50_400n);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'status')), 2n);
  assert.equal(word(state, STAKING_ADDRESS, NET), 0n);
});

test('DELEGATE, reward settlement, CLAIM_REWARD and UNDELEGATE', () => {
  const { state, node, del } = setup();
  run(state, node, 10_000n * E, { action: 'NODE_REGISTER', payload: { commission_bps: 100 } });
  assert.deepEqual(run(state, del, 50n * E, { action: 'DELEGATE', payload: { node_address: addressToHex(node) } }), { ok: true });
  assert.equal(word(state, STAKING_ADDRESS, delSlot(del, node, 'shares')), 50n * E);
  assert.equal(word(state, STAKING_ADDRESS, nodeSlot(node, 'totalStake')), 10_050n * E);
  // A reward accrues: rewardPerShare rises by 0.1 (precision 10^18), funded into the staking account.
  state.setState(STAKING_ADDRESS, nodeSlot(node, 'rewardPerShare'), bigintToBytesPadded(10n ** 17n, 32));
  state.addBalance(STAKING_ADDRESS, 5n * E);
  assert.equal(readPendingReward(state, del, node), 5n * E);
  const b = state.getBalance(del);
  assert.deepEqual(run(state, del, 0n, { action: 'CLAIM_REWARD', payload: { node_address: addressToHex(node) } }), { ok: true });
  assert.equal(state.getBalance(del), b + 5n * E);
  assert.equal(readPendingReward(state, del, node), 0n);
  assert.deepEqual(run(state, del, 0n, { action: 'UNDELEGATE', payload: { node_address: addressToHex(node), shares: (20n * E).toString() } }, 9n), { ok: true });
  assert.equal(word(state, STAKING_ADDRESS, delSlot(del, node, 'shares')), 30n * E);
  assert.equal(word(state, STAKING_ADDRESS, delSlot(del, node, 'undelegateUnlock')), 9n + 50_400n);
  assert.deepEqual(run(state, del, 0n, { action: 'UNDELEGATE', payload: { node_address: addressToHex(node), shares: (999n * E).toString() } }), { ok: true });
  assert.equal(word(state, STAKING_ADDRESS, delSlot(del, node, 'shares')), 0n, 'too many shares means all');
});

test('agents: register with manifest hash, update and heartbeat only by the owner', () => {
  const { state, node, del } = setup();
  const manifest = { b: 2, a: { y: 1, x: [1, 2] }, sig: 'ignored', sig_alg: 'ignored' };
  assert.deepEqual(run(state, node, 0n, { action: 'AGENT_REGISTER', payload: { agent_id: 'bot-1', name: 'Bot', manifest } }), { ok: true });
  const owner = state.getState(AGENT_REGISTRY_ADDRESS, agentSlot('bot-1', 'owner'));
  assert.equal(addressToHex(owner.slice(12) as Address), addressToHex(node));
  assert.equal(word(state, AGENT_REGISTRY_ADDRESS, agentSlot('bot-1', 'status')), 1n);
  const canonical = '{"a":{"x":[1,2],"y":1},"b":2}';
  assert.deepEqual(state.getState(AGENT_REGISTRY_ADDRESS, agentSlot('bot-1', 'manifest_hash')), new Uint8Array(createHash('sha256').update(canonical).digest()));
  assert.equal(run(state, del, 0n, { action: 'AGENT_UPDATE', payload: { agent_id: 'bot-1' } }).ok, false);
  assert.equal(run(state, del, 0n, { action: 'AGENT_HEARTBEAT', payload: { agent_id: 'bot-1' } }).ok, false);
  assert.deepEqual(run(state, node, 0n, { action: 'AGENT_HEARTBEAT', payload: { agent_id: 'bot-1' } }, 55n), { ok: true });
  assert.equal(word(state, AGENT_REGISTRY_ADDRESS, agentSlot('bot-1', 'last_heartbeat')), 55n);
});

test('every failure reverts everything and leaves the value with the sender', () => {
  const cases: [string, unknown, bigint][] = [
    ['malformed json', '{"action":', E],
    ['not an object', '[1,2]', E],
    ['unknown action', { action: 'MINT', payload: {} }, E],
    ['commission too high', { action: 'NODE_REGISTER', payload: { commission_bps: 5001 } }, E],
    ['zero-value stake', { action: 'NODE_STAKE', payload: {} }, 0n],
    ['stake unregistered', { action: 'NODE_STAKE', payload: {} }, E],
    ['delegate to unregistered', { action: 'DELEGATE', payload: { node_address: addressToHex(testAccount('nobody').address) } }, E],
    ['undelegate without shares', { action: 'UNDELEGATE', payload: { node_address: addressToHex(testAccount('nobody').address) } }, 0n],
    ['bad address', { action: 'DELEGATE', payload: { node_address: '0x12' } }, E],
    ['value on an agent action', { action: 'AGENT_REGISTER', payload: { agent_id: 'x' } }, E],
  ];
  for (const [name, payload, value] of cases) {
    const { state, node } = setup();
    state.intermediateRoot(true);
    const root = state.intermediateRoot(true);
    const res = run(state, node, value, payload);
    assert.equal(res.ok, false, name);
    assert.deepEqual(state.intermediateRoot(true), root, `${name}: state unchanged`);
  }
  const { state, node } = setup();
  const bad = executeSysAction({ state, from: node, value: E, blockNumber: 1n, data: Uint8Array.of(0xff, 0xfe) });
  assert.equal(bad.ok, false, 'invalid UTF-8');
});

test('validateSysActionShape fast-rejects the same malformed cases without state', () => {
  const ok = (o: unknown) => validateSysActionShape(utf8ToBytes(JSON.stringify(o)));
  ok({ action: 'NODE_REGISTER', payload: { commission_bps: 10 } });
  ok({ action: 'AGENT_HEARTBEAT', payload: { agent_id: 'a' } });
  for (const bad of ['{"action":', '[]', '{"action":"X","payload":{}}', '{"action":"NODE_REGISTER","payload":{"commission_bps":6000}}', '{"action":"DELEGATE","payload":{"node_address":"zz"}}', '{"action":"AGENT_REGISTER","payload":{}}']) {
    assert.throws(() => validateSysActionShape(utf8ToBytes(bad)), bad);
  }
});
