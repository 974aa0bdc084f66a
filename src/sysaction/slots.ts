/**
 * Storage layout of the system contracts (execution.md §4): slot keys and
 * 32-byte big-endian words, read and written through the narrow state
 * interface the handlers need.
 */
import { bigintToBytesPadded, bytesToBigint, concatBytes, utf8ToBytes } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/keccak.js';
import { ZERO_ADDRESS, type Address, type Hash } from '../crypto/primitives.js';

/** What system actions need from the StateDB. */
export interface SysActionState {
  getBalance(a: Address): bigint;
  addBalance(a: Address, v: bigint): void;
  subBalance(a: Address, v: bigint): void;
  getState(a: Address, slot: Hash): Uint8Array;
  setState(a: Address, slot: Hash, value: Uint8Array): void;
  snapshot(): number;
  revertToSnapshot(id: number): void;
}

export type NodeField = 'selfStake' | 'totalStake' | 'commission' | 'status' | 'rewardPerShare' | 'pendingReward' | 'unstakeUnlock';
export type DelegationField = 'shares' | 'rewardDebt' | 'undelegateUnlock';
export type AgentField = 'owner' | 'status' | 'manifest_hash' | 'last_heartbeat';

export const nodeSlot = (addr: Address, field: NodeField): Hash => keccak256(concatBytes(addr, utf8ToBytes(field))) as Hash;
export const delegationSlot = (delegator: Address, node: Address, field: DelegationField): Hash =>
  keccak256(concatBytes(delegator, node, utf8ToBytes(field))) as Hash;
export const networkStakeSlot = (): Hash => keccak256(concatBytes(ZERO_ADDRESS, utf8ToBytes('networkStake'))) as Hash;
export const agentSlot = (agentId: string, field: AgentField): Hash =>
  keccak256(concatBytes(utf8ToBytes(agentId), new Uint8Array([0]), utf8ToBytes(field))) as Hash;

export function readWord(s: SysActionState, contract: Address, slot: Hash): bigint {
  return bytesToBigint(s.getState(contract, slot));
}

export function writeWord(s: SysActionState, contract: Address, slot: Hash, v: bigint): void {
  s.setState(contract, slot, bigintToBytesPadded(v, 32));
}

/** What a handler sees: the state, the sender, the value already moved to the staking account, the block, the payload. */
export interface ActionCtx {
  state: SysActionState;
  from: Address;
  value: bigint;
  blockNumber: bigint;
  payload: Record<string, unknown>;
}
