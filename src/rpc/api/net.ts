/** The `net_*` namespace: network id, listening, peer count. */
import type { NodeBackend } from '../backend.js';
import { toQuantity } from '../hex.js';
import type { NamespaceMethods } from './namespace.js';

export function netMethods(b: NodeBackend): NamespaceMethods {
  return {
    version: { fn: () => b.networkId.toString(), max: 0 },
    listening: { fn: () => true, max: 0 },
    peerCount: { fn: () => toQuantity(b.p2p?.peerCount() ?? 0), max: 0 },
  };
}
