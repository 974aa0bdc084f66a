/** The `clique_*` namespace: block signers, signer snapshots, and this node's signer votes (through the miner). */
import { addressToHex, hashToHex, type Address } from '../../crypto/primitives.js';
import { headerHash } from '../../types/header.js';
import type { NodeBackend } from '../backend.js';
import { RpcError } from '../errors.js';
import { parseAddress, parseBool } from '../hex.js';
import { resolveHeader } from './block-tag.js';
import type { NamespaceMethods } from './namespace.js';

export function cliqueMethods(b: NodeBackend): NamespaceMethods {
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
