/** The GTOS `staking_*` read namespace: node records, delegations, pending rewards and the network's total stake, at a block. */
import { readDelegation, readNetworkStake, readNodeRecord, readPendingReward } from '../../sysaction/reader.js';
import type { NodeBackend } from '../backend.js';
import { parseAddress, toQuantity } from '../hex.js';
import { resolveHeader } from './block-tag.js';
import type { NamespaceMethods } from './namespace.js';

export function stakingMethods(b: NodeBackend): NamespaceMethods {
  const st = (tag: unknown) => b.chain.stateAt(resolveHeader(b, tag).stateRoot);
  return {
    getNode: { fn: ([node, tag]) => {
      const r = readNodeRecord(st(tag), parseAddress(node, 'node'));
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toQuantity(v as bigint)]));
    }, min: 1, max: 2 },
    getDelegation: { fn: ([d, node, tag]) => {
      const r = readDelegation(st(tag), parseAddress(d, 'delegator'), parseAddress(node, 'node'));
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toQuantity(v as bigint)]));
    }, min: 2, max: 3 },
    getPendingReward: { fn: ([d, node, tag]) => toQuantity(readPendingReward(st(tag), parseAddress(d, 'delegator'), parseAddress(node, 'node'))), min: 2, max: 3 },
    getNetworkStake: { fn: ([tag]) => toQuantity(readNetworkStake(st(tag))), min: 0, max: 1 },
  };
}
