/**
 * System-action payloads: UTF-8 JSON `{"action": KIND, "payload": {...}}`.
 * Decoding is strict (invalid UTF-8, non-objects, unknown kinds and badly
 * typed fields are errors) and needs no state, so the txpool can fast-reject
 * malformed actions with the same checks the handlers rely on.
 */
import { bytesToUtf8 } from '../crypto/bytes.js';
import { SysActionError } from './errors.js';

export interface SysAction {
  action: string;
  payload: Record<string, unknown>;
}

export const ACTIONS = [
  'NODE_REGISTER', 'NODE_UPDATE', 'NODE_STAKE', 'NODE_UNSTAKE', 'DELEGATE', 'UNDELEGATE', 'CLAIM_REWARD',
  'AGENT_REGISTER', 'AGENT_UPDATE', 'AGENT_HEARTBEAT',
] as const;
export const MAX_SYSACTION_BYTES = 64 * 1024;

export function decodeSysAction(data: Uint8Array): SysAction {
  if (data.length > MAX_SYSACTION_BYTES) throw new SysActionError('malformed-json', 'system action too large');
  let text: string;
  try {
    text = bytesToUtf8(data);
  } catch {
    throw new SysActionError('malformed-json', 'system action is not valid UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SysActionError('malformed-json', `system action is not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new SysActionError('malformed-json', 'system action must be a JSON object');
  const { action, payload } = doc as Record<string, unknown>;
  if (typeof action !== 'string') throw new SysActionError('malformed-json', 'system action needs a string "action"');
  const p = payload ?? {};
  if (typeof p !== 'object' || Array.isArray(p) || p === null) throw new SysActionError('invalid-payload', '"payload" must be an object');
  return { action, payload: p as Record<string, unknown> };
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

export function payloadAddress(p: Record<string, unknown>, field: string): string {
  const v = p[field];
  if (typeof v !== 'string' || !ADDRESS_RE.test(v)) throw new SysActionError('invalid-payload', `${field} must be a 0x-prefixed 20-byte hex address`);
  return v;
}

/** Amounts come as decimal strings or safe JSON integers. */
export function payloadAmount(p: Record<string, unknown>, field: string): bigint | undefined {
  const v = p[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^[0-9]{1,78}$/.test(v)) return BigInt(v);
  throw new SysActionError('invalid-payload', `${field} must be a non-negative integer (decimal string or safe JSON integer)`);
}

export function payloadString(p: Record<string, unknown>, field: string, required: boolean, max = 1024): string | undefined {
  const v = p[field];
  if (v === undefined || v === null) {
    if (required) throw new SysActionError('invalid-payload', `${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string' || v.length > max) throw new SysActionError('invalid-payload', `${field} must be a string of at most ${max} characters`);
  if (required && v.length === 0) throw new SysActionError('invalid-payload', `${field} must not be empty`);
  return v;
}

/** The static checks each kind's payload must pass (shared by the pool's fast reject and the handlers). */
export function checkPayload(kind: string, p: Record<string, unknown>): void {
  switch (kind) {
    case 'NODE_REGISTER':
    case 'NODE_UPDATE': {
      const c = payloadAmount(p, 'commission_bps');
      if (c === undefined) throw new SysActionError('invalid-payload', 'commission_bps is required');
      if (c > 5000n) throw new SysActionError('commission-too-high', 'commission_bps must be at most 5000');
      return;
    }
    case 'NODE_STAKE':
    case 'NODE_UNSTAKE':
      return;
    case 'DELEGATE':
    case 'CLAIM_REWARD':
      payloadAddress(p, 'node_address');
      return;
    case 'UNDELEGATE':
      payloadAddress(p, 'node_address');
      payloadAmount(p, 'shares');
      return;
    case 'AGENT_REGISTER':
    case 'AGENT_UPDATE':
      payloadString(p, 'agent_id', true, 256);
      for (const f of ['name', 'description', 'category']) payloadString(p, f, false);
      if (p.tags !== undefined && (!Array.isArray(p.tags) || p.tags.some((t) => typeof t !== 'string'))) throw new SysActionError('invalid-payload', 'tags must be a list of strings');
      if (p.manifest !== undefined && (typeof p.manifest !== 'object' || p.manifest === null || Array.isArray(p.manifest))) throw new SysActionError('invalid-payload', 'manifest must be an object');
      return;
    case 'AGENT_HEARTBEAT':
      payloadString(p, 'agent_id', true, 256);
      return;
    default:
      throw new SysActionError('unknown-action', `unknown system action ${JSON.stringify(kind).slice(0, 64)}`);
  }
}

export function validateSysActionShape(data: Uint8Array): void {
  const a = decodeSysAction(data);
  checkPayload(a.action, a.payload);
}
