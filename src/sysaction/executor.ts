/**
 * Runs one system action (execution.md §4): snapshot, move the attached value
 * to STAKING_ADDRESS, decode and dispatch; on any failure revert to the
 * snapshot (the value stays with the sender). Gas is the state transition's.
 */
import type { Address } from '../crypto/primitives.js';
import { STAKING_ADDRESS } from './addresses.js';
import { agentHeartbeat, agentRegister } from './agent.js';
import { checkPayload, decodeSysAction } from './codec.js';
import { SysActionError } from './errors.js';
import type { SysActionState } from './slots.js';
import { claimReward, delegate, nodeRegister, nodeStake, nodeUnstake, undelegate } from './staking.js';

export interface SysActionContext {
  state: SysActionState;
  from: Address;
  value: bigint;
  blockNumber: bigint;
  data: Uint8Array;
}

export type SysActionResult = { ok: true } | { ok: false; error: SysActionError };

export function executeSysAction(ctx: SysActionContext): SysActionResult {
  const snap = ctx.state.snapshot();
  try {
    if (ctx.value > 0n) {
      ctx.state.subBalance(ctx.from, ctx.value);
      ctx.state.addBalance(STAKING_ADDRESS, ctx.value);
    }
    const a = decodeSysAction(ctx.data);
    checkPayload(a.action, a.payload);
    const c = { state: ctx.state, from: ctx.from, value: ctx.value, blockNumber: ctx.blockNumber, payload: a.payload };
    switch (a.action) {
      case 'NODE_REGISTER': nodeRegister(c, false); break;
      case 'NODE_UPDATE': nodeRegister(c, true); break;
      case 'NODE_STAKE': nodeStake(c); break;
      case 'NODE_UNSTAKE': nodeUnstake(c); break;
      case 'DELEGATE': delegate(c); break;
      case 'UNDELEGATE': undelegate(c); break;
      case 'CLAIM_REWARD': claimReward(c); break;
      case 'AGENT_REGISTER': agentRegister(c, false); break;
      case 'AGENT_UPDATE': agentRegister(c, true); break;
      case 'AGENT_HEARTBEAT': agentHeartbeat(c); break;
      default: throw new SysActionError('unknown-action', 'unknown system action');
    }
    return { ok: true };
  } catch (e) {
    ctx.state.revertToSnapshot(snap);
    if (e instanceof SysActionError) return { ok: false, error: e };
    // A payout the staking account cannot cover, or any other surprise, is a failed action too.
    return { ok: false, error: new SysActionError('invalid-payload', (e as Error).message) };
  }
}
