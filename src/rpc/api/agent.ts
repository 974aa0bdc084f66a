/** The GTOS `agent_*` read namespace: an agent's registry record (owner, status, manifest hash) at a block. */
import { addressToHex, hashToHex } from '../../crypto/primitives.js';
import { readAgentRecord } from '../../sysaction/reader.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError } from '../errors.js';
import { toQuantity } from '../hex.js';
import { resolveHeader } from './block-tag.js';
import type { NamespaceMethods } from './namespace.js';

export function agentMethods(b: NodeBackend): NamespaceMethods {
  return {
    getAgent: { fn: ([id, tag]) => {
      if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new InvalidParamsError('agentId: expected a non-empty string');
      const r = readAgentRecord(b.chain.stateAt(resolveHeader(b, tag).stateRoot), id);
      if (!r) return null;
      return { owner: addressToHex(r.owner), status: toQuantity(r.status), manifestHash: hashToHex(r.manifestHash) };
    }, min: 1, max: 2 },
  };
}
