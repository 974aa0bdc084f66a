/**
 * The smaller namespaces: `txpool_*` (pool status and content), `clique_*`
 * (signers, snapshots, votes) and the GTOS staking/agent read methods.
 */
import { addressToHex, hashToHex, type Address } from '../../crypto/primitives.js';
import { headerHash } from '../../types/header.js';
import type { Transaction } from '../../types/transaction.js';
import { readAgentRecord, readDelegation, readNetworkStake, readNodeRecord, readPendingReward } from '../../sysaction/reader.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import { formatTx } from '../format.js';
import { parseAddress, parseBool, toQuantity } from '../hex.js';
import { resolveHeader } from './block-tag.js';

type Handler = (params: unknown[]) => unknown;
type Methods = Record<string, { fn: Handler; min?: number; max?: number }>;

export function txpoolMethods(b: NodeBackend): Methods {
  const dump = (m: Map<string, Transaction[]>) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [acct, txs] of m) {
      const byNonce: Record<string, unknown> = {};
      for (const tx of txs) byNonce[tx.nonce.toString()] = formatTx(tx, tx.cachedSender() ?? tx.sender(b.chain.config.chainId));
      out[acct] = byNonce;
    }
    return out;
  };
  return {
    status: { fn: () => {
      const s = b.pool.status();
      return { pending: toQuantity(s.pending), queued: toQuantity(s.queued) };
    }, max: 0 },
    content: { fn: () => {
      const c = b.pool.content();
      return { pending: dump(c.pending), queued: dump(c.queued) };
    }, max: 0 },
  };
}

export function cliqueMethods(b: NodeBackend): Methods {
  const chain = b.chain;
  const snapshotAt = (tag: unknown) => {
    const h = resolveHeader(b, tag);
    return chain.engine.snapshot(chain.headerReader, h.number, headerHash(h));
  };
  return {
    getSigner: { fn: ([tag]) => {
      const h = resolveHeader(b, tag);
      if (h.number === 0n) throw new RpcError(-32000, 'the genesis block has no signer');
      return addressToHex(chain.engine.author(h));
    }, min: 0, max: 1 },
    getSigners: { fn: ([tag]) => snapshotAt(tag).signers.map((s: Address) => addressToHex(s)), min: 0, max: 1 },
    getSnapshot: { fn: ([tag]) => {
      const s = snapshotAt(tag);
      return {
        number: Number(s.number),
        hash: hashToHex(s.hash),
        signers: Object.fromEntries(s.signers.map((a: Address) => [addressToHex(a), {}])),
        recents: Object.fromEntries([...s.recents].map(([n, a]: [bigint, Address]) => [n.toString(), addressToHex(a)])),
      };
    }, min: 0, max: 1 },
    proposals: { fn: () => Object.fromEntries(b.miner?.getProposals() ?? []), max: 0 },
    propose: { fn: ([a, auth]) => {
      if (!b.miner) throw new RpcError(-32000, 'this node does not seal blocks');
      b.miner.propose(addressToHex(parseAddress(a, 'address')), parseBool(auth, 'auth'));
      return null;
    }, min: 2, max: 2 },
    discard: { fn: ([a]) => {
      if (!b.miner) throw new RpcError(-32000, 'this node does not seal blocks');
      b.miner.discard(addressToHex(parseAddress(a, 'address')));
      return null;
    }, min: 1, max: 1 },
  };
}

export function stakingMethods(b: NodeBackend): Methods {
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

export function agentMethods(b: NodeBackend): Methods {
  return {
    getAgent: { fn: ([id, tag]) => {
      if (typeof id !== 'string' || id.length === 0 || id.length > 256) throw new InvalidParamsError('agentId: expected a non-empty string');
      const r = readAgentRecord(b.chain.stateAt(resolveHeader(b, tag).stateRoot), id);
      if (!r) return null;
      return { owner: addressToHex(r.owner), status: toQuantity(r.status), manifestHash: hashToHex(r.manifestHash) };
    }, min: 1, max: 2 },
  };
}

export function adminMethods(b: NodeBackend): Methods {
  return {
    peers: { fn: () => b.p2p?.peers() ?? [], max: 0 },
    nodeInfo: { fn: () => b.p2p?.nodeInfo() ?? { name: b.clientVersion, protocols: {} }, max: 0 },
    addPeer: { fn: async ([addr]) => {
      if (typeof addr !== 'string') throw new InvalidParamsError('expected a multiaddr string');
      if (!b.p2p) throw new RpcError(-32000, 'p2p is not running');
      return b.p2p.addPeer(addr);
    }, min: 1, max: 1 },
    removePeer: { fn: async ([peer]) => {
      if (typeof peer !== 'string') throw new InvalidParamsError('expected a peer id or a multiaddr with /p2p/<id>');
      if (!b.p2p) throw new RpcError(-32000, 'p2p is not running');
      return b.p2p.removePeer(peer);
    }, min: 1, max: 1 },
  };
}
