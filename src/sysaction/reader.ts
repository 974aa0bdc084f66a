/** Read-only views of staking and agent state, for RPC. */
import { asAddress, type Address, type Hash } from '../crypto/primitives.js';
import { bytesToBigint } from '../crypto/bytes.js';
import { AGENT_REGISTRY_ADDRESS, STAKING_ADDRESS } from './addresses.js';
import { agentSlot, delegationSlot, networkStakeSlot, nodeSlot, readWord, type NodeField, type SysActionState } from './slots.js';
import { REWARD_PRECISION } from './staking.js';

type Reader = Pick<SysActionState, 'getState'>;
const S = STAKING_ADDRESS;

export function readNodeRecord(s: Reader, node: Address): Record<NodeField, bigint> {
  const f = (k: NodeField) => readWord(s as SysActionState, S, nodeSlot(node, k));
  return {
    selfStake: f('selfStake'), totalStake: f('totalStake'), commission: f('commission'), status: f('status'),
    rewardPerShare: f('rewardPerShare'), pendingReward: f('pendingReward'), unstakeUnlock: f('unstakeUnlock'),
  };
}

export function readDelegation(s: Reader, delegator: Address, node: Address) {
  const f = (k: 'shares' | 'rewardDebt' | 'undelegateUnlock') => readWord(s as SysActionState, S, delegationSlot(delegator, node, k));
  return { shares: f('shares'), rewardDebt: f('rewardDebt'), undelegateUnlock: f('undelegateUnlock') };
}

export function readPendingReward(s: Reader, delegator: Address, node: Address): bigint {
  const d = readDelegation(s, delegator, node);
  const rps = readWord(s as SysActionState, S, nodeSlot(node, 'rewardPerShare'));
  const settled = readWord(s as SysActionState, S, nodeSlot(delegator, 'pendingReward'));
  return settled + (d.shares > 0n && rps > d.rewardDebt ? (d.shares * (rps - d.rewardDebt)) / REWARD_PRECISION : 0n);
}

export function readNetworkStake(s: Reader): bigint {
  return readWord(s as SysActionState, S, networkStakeSlot());
}

export function readAgentRecord(s: Reader, agentId: string): { owner: Address; status: bigint; manifestHash: Hash } | undefined {
  const owner = s.getState(AGENT_REGISTRY_ADDRESS, agentSlot(agentId, 'owner'));
  if (bytesToBigint(owner) === 0n) return undefined;
  return {
    owner: asAddress(owner.slice(12)),
    status: bytesToBigint(s.getState(AGENT_REGISTRY_ADDRESS, agentSlot(agentId, 'status'))),
    manifestHash: s.getState(AGENT_REGISTRY_ADDRESS, agentSlot(agentId, 'manifest_hash')) as Hash,
  };
}
