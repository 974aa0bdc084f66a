/**
 * Agent registry handlers (execution.md §4). Choices the spec leaves open:
 * AGENT_REGISTER by the current owner acts as an update; a heartbeat writes the
 * block number into a `last_heartbeat` field; the manifest hash is sha256 of
 * the manifest with `sig`/`sig_alg` removed, serialised as JSON with object
 * keys sorted recursively (a canonical form any client can reproduce).
 */
import { createHash } from 'node:crypto';
import { bigintToBytesPadded, bytesToBigint, equalBytes } from '../crypto/bytes.js';
import type { Address } from '../crypto/primitives.js';
import { AGENT_REGISTRY_ADDRESS } from './addresses.js';
import { payloadString } from './codec.js';
import { SysActionError } from './errors.js';
import { agentSlot, writeWord, type ActionCtx } from './slots.js';

export type AgentCtx = ActionCtx;

const A = AGENT_REGISTRY_ADDRESS;

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function manifestHash(manifest: Record<string, unknown>): Uint8Array {
  const { sig: _sig, sig_alg: _alg, ...rest } = manifest;
  return new Uint8Array(createHash('sha256').update(canonicalJson(rest)).digest());
}

function ownerOf(c: AgentCtx, id: string): Uint8Array {
  return c.state.getState(A, agentSlot(id, 'owner'));
}

function ownerWord(a: Address): Uint8Array {
  const w = new Uint8Array(32);
  w.set(a, 12);
  return w;
}

function noValue(c: AgentCtx): void {
  if (c.value > 0n) throw new SysActionError('invalid-payload', 'agent actions take no value');
}

export function agentRegister(c: AgentCtx, update: boolean): void {
  noValue(c);
  const id = payloadString(c.payload, 'agent_id', true, 256)!;
  const owner = ownerOf(c, id);
  const exists = bytesToBigint(owner) !== 0n;
  if (update && !exists) throw new SysActionError('not-registered', `agent ${JSON.stringify(id)} is not registered`);
  if (exists && !equalBytes(owner, ownerWord(c.from))) throw new SysActionError('not-owner', `agent ${JSON.stringify(id)} belongs to another account`);
  c.state.setState(A, agentSlot(id, 'owner'), ownerWord(c.from));
  writeWord(c.state, A, agentSlot(id, 'status'), 1n);
  const manifest = c.payload.manifest as Record<string, unknown> | undefined;
  if (manifest) c.state.setState(A, agentSlot(id, 'manifest_hash'), manifestHash(manifest));
}

export function agentHeartbeat(c: AgentCtx): void {
  noValue(c);
  const id = payloadString(c.payload, 'agent_id', true, 256)!;
  const owner = ownerOf(c, id);
  if (bytesToBigint(owner) === 0n) throw new SysActionError('not-registered', `agent ${JSON.stringify(id)} is not registered`);
  if (!equalBytes(owner, ownerWord(c.from))) throw new SysActionError('not-owner', 'only the owner may send heartbeats');
  c.state.setState(A, agentSlot(id, 'last_heartbeat'), bigintToBytesPadded(c.blockNumber, 32));
}
