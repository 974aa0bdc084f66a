/**
 * Staking handlers (execution.md §4). The executor has already moved the
 * tx's value to STAKING_ADDRESS (exactly once); handlers only record stake,
 * and pay out of STAKING_ADDRESS. Choices the spec leaves open:
 * - status: 0 = never registered, 1 = active (self stake ≥ 10^22), 2 = registered but inactive;
 * - NODE_REGISTER of a registered node fails; NODE_UPDATE/NODE_STAKE need registration;
 * - DELEGATE needs a registered node; a delegator's settled rewards live in the
 *   `pendingReward` field keyed by the delegator's address, which CLAIM_REWARD pays;
 * - actions that take no value (unstake, undelegate, claim) fail if value is attached.
 */
import { addressFromHex, type Address } from '../crypto/primitives.js';
import { STAKING_ADDRESS } from './addresses.js';
import { payloadAddress, payloadAmount } from './codec.js';
import { SysActionError } from './errors.js';
import { delegationSlot, networkStakeSlot, nodeSlot, readWord, writeWord, type ActionCtx } from './slots.js';

export const MIN_SELF_STAKE = 10n ** 22n;
export const UNLOCK_BLOCKS = 50_400n;
export const REWARD_PRECISION = 10n ** 18n;

export type StakingCtx = ActionCtx;

const S = STAKING_ADDRESS;
const get = (c: StakingCtx, slot: ReturnType<typeof nodeSlot>) => readWord(c.state, S, slot);
const set = (c: StakingCtx, slot: ReturnType<typeof nodeSlot>, v: bigint) => writeWord(c.state, S, slot, v);

function noValue(c: StakingCtx, action: string): void {
  if (c.value > 0n) throw new SysActionError('invalid-payload', `${action} takes no value`);
}

function requireRegistered(c: StakingCtx, node: Address): void {
  if (get(c, nodeSlot(node, 'status')) === 0n) throw new SysActionError('not-registered', 'node is not registered');
}

function addSelfStake(c: StakingCtx, node: Address, amount: bigint): void {
  if (amount === 0n) return;
  const self = get(c, nodeSlot(node, 'selfStake')) + amount;
  set(c, nodeSlot(node, 'selfStake'), self);
  set(c, nodeSlot(node, 'totalStake'), get(c, nodeSlot(node, 'totalStake')) + amount);
  set(c, networkStakeSlot(), get(c, networkStakeSlot()) + amount);
  set(c, nodeSlot(node, 'status'), self >= MIN_SELF_STAKE ? 1n : 2n);
}

export function nodeRegister(c: StakingCtx, update: boolean): void {
  const commission = payloadAmount(c.payload, 'commission_bps')!;
  const registered = get(c, nodeSlot(c.from, 'status')) !== 0n;
  if (update && !registered) throw new SysActionError('not-registered', 'node is not registered');
  if (!update && registered) throw new SysActionError('already-registered', 'node is already registered');
  set(c, nodeSlot(c.from, 'commission'), commission);
  if (!registered) set(c, nodeSlot(c.from, 'status'), 2n);
  addSelfStake(c, c.from, c.value);
}

export function nodeStake(c: StakingCtx): void {
  if (c.value === 0n) throw new SysActionError('zero-value', 'NODE_STAKE needs a value');
  requireRegistered(c, c.from);
  addSelfStake(c, c.from, c.value);
}

export function nodeUnstake(c: StakingCtx): void {
  noValue(c, 'NODE_UNSTAKE');
  requireRegistered(c, c.from);
  const amount = get(c, nodeSlot(c.from, 'selfStake'));
  if (amount === 0n) throw new SysActionError('no-stake', 'node has no self stake');
  set(c, nodeSlot(c.from, 'selfStake'), 0n);
  set(c, nodeSlot(c.from, 'totalStake'), get(c, nodeSlot(c.from, 'totalStake')) - amount);
  set(c, networkStakeSlot(), get(c, networkStakeSlot()) - amount);
  set(c, nodeSlot(c.from, 'unstakeUnlock'), c.blockNumber + UNLOCK_BLOCKS);
  set(c, nodeSlot(c.from, 'status'), 2n);
  c.state.subBalance(S, amount);
  c.state.addBalance(c.from, amount);
}

/** Moves a delegation's accrued reward into the delegator's pending reward and resets its debt. */
function settle(c: StakingCtx, delegator: Address, node: Address): void {
  const rps = get(c, nodeSlot(node, 'rewardPerShare'));
  const shares = get(c, delegationSlot(delegator, node, 'shares'));
  const debt = get(c, delegationSlot(delegator, node, 'rewardDebt'));
  if (shares > 0n && rps > debt) {
    const reward = (shares * (rps - debt)) / REWARD_PRECISION;
    set(c, nodeSlot(delegator, 'pendingReward'), get(c, nodeSlot(delegator, 'pendingReward')) + reward);
  }
  set(c, delegationSlot(delegator, node, 'rewardDebt'), rps);
}

export function delegate(c: StakingCtx): void {
  if (c.value === 0n) throw new SysActionError('zero-value', 'DELEGATE needs a value');
  const node = addressFromHex(payloadAddress(c.payload, 'node_address'));
  requireRegistered(c, node);
  settle(c, c.from, node);
  set(c, delegationSlot(c.from, node, 'shares'), get(c, delegationSlot(c.from, node, 'shares')) + c.value);
  set(c, nodeSlot(node, 'totalStake'), get(c, nodeSlot(node, 'totalStake')) + c.value);
  set(c, networkStakeSlot(), get(c, networkStakeSlot()) + c.value);
}

export function undelegate(c: StakingCtx): void {
  noValue(c, 'UNDELEGATE');
  const node = addressFromHex(payloadAddress(c.payload, 'node_address'));
  const shares = get(c, delegationSlot(c.from, node, 'shares'));
  if (shares === 0n) throw new SysActionError('no-shares', 'no delegation to undelegate');
  settle(c, c.from, node);
  const asked = payloadAmount(c.payload, 'shares') ?? 0n;
  const amount = asked === 0n || asked > shares ? shares : asked;
  set(c, delegationSlot(c.from, node, 'shares'), shares - amount);
  set(c, delegationSlot(c.from, node, 'undelegateUnlock'), c.blockNumber + UNLOCK_BLOCKS);
  set(c, nodeSlot(node, 'totalStake'), get(c, nodeSlot(node, 'totalStake')) - amount);
  set(c, networkStakeSlot(), get(c, networkStakeSlot()) - amount);
  c.state.subBalance(S, amount);
  c.state.addBalance(c.from, amount);
}

export function claimReward(c: StakingCtx): void {
  noValue(c, 'CLAIM_REWARD');
  const node = addressFromHex(payloadAddress(c.payload, 'node_address'));
  settle(c, c.from, node);
  const pending = get(c, nodeSlot(c.from, 'pendingReward'));
  if (pending === 0n) return;
  set(c, nodeSlot(c.from, 'pendingReward'), 0n);
  c.state.subBalance(S, pending);
  c.state.addBalance(c.from, pending);
}
