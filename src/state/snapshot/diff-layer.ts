/**
 * One block's changes over its parent layer, in memory. Reads fall through to
 * the parent for what this block did not touch; a destructed account's slots
 * read as unset below the block that deleted it.
 */
import type { Hash } from '../../crypto/primitives.js';
import type { DiskLayer } from './disk-layer.js';
import { flatKey, StaleFlatStateError, type FlatState, type StateDiff } from './flat-state.js';

export type FlatLayer = DiffLayer | DiskLayer;

export class DiffLayer implements FlatState {
  stale = false;

  constructor(public parent: FlatLayer, readonly root: Hash, readonly diff: StateDiff) {}

  /** Layers between this one and the disk layer, this one included. */
  depth(): number {
    let n = 0;
    for (let l: FlatLayer = this; l instanceof DiffLayer; l = l.parent) n++;
    return n;
  }

  account(addrHash: Uint8Array): Uint8Array | null {
    if (this.stale) throw new StaleFlatStateError(this.root);
    const k = flatKey(addrHash);
    let l: FlatLayer = this;
    while (l instanceof DiffLayer) {
      const v = l.diff.accounts.get(k);
      if (v !== undefined) return v;
      l = l.parent;
    }
    return l.accountByKey(k);
  }

  storage(addrHash: Uint8Array, slotHash: Uint8Array): Uint8Array | null {
    if (this.stale) throw new StaleFlatStateError(this.root);
    const ak = flatKey(addrHash);
    const sk = flatKey(slotHash);
    let l: FlatLayer = this;
    while (l instanceof DiffLayer) {
      const v = l.diff.storage.get(ak)?.get(sk);
      if (v !== undefined) return v;
      if (l.diff.destructs.has(ak)) return null;
      l = l.parent;
    }
    return l.storageByKey(ak, sk);
  }
}
