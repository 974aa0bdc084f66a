/**
 * The flat state (go-ethereum's snapshot): accounts and storage slots keyed by
 * their hashes, read in one lookup instead of a trie walk. A FlatState answers
 * for exactly one state root; it goes stale when the tree it belongs to
 * flattens or drops it, and a reader must then fall back to the trie.
 */
import type { Hash } from '../../crypto/primitives.js';

/** Map key of a hash: a native one-byte string. */
export { bytesKey as flatKey } from '../../crypto/bytes.js';

export interface FlatState {
  readonly root: Hash;
  readonly stale: boolean;
  /** The account's RLP as in the trie, or null when the state has no such account. */
  account(addrHash: Uint8Array): Uint8Array | null;
  /** The slot's RLP value as in the storage trie, or null when unset. */
  storage(addrHash: Uint8Array, slotHash: Uint8Array): Uint8Array | null;
}

/**
 * What one block changed, keyed by flatKey: accounts (null: deleted), the
 * accounts whose storage was wiped (deleted; a later re-creation starts
 * empty), and slots written (null: zeroed), per account.
 */
export interface StateDiff {
  accounts: Map<string, Uint8Array | null>;
  destructs: Set<string>;
  storage: Map<string, Map<string, Uint8Array | null>>;
}

export function emptyDiff(): StateDiff {
  return { accounts: new Map(), destructs: new Set(), storage: new Map() };
}

export function copyDiff(d: StateDiff): StateDiff {
  const storage = new Map<string, Map<string, Uint8Array | null>>();
  for (const [k, slots] of d.storage) storage.set(k, new Map(slots));
  return { accounts: new Map(d.accounts), destructs: new Set(d.destructs), storage };
}

/** A read of a layer that was flattened into the disk layer or dropped with its branch. */
export class StaleFlatStateError extends Error {
  override name = 'StaleFlatStateError';
  constructor(root: Hash) {
    super(`flat state ${Buffer.from(root).toString('hex')} is stale`);
  }
}
