/**
 * The bottom of the flat state: accounts and slots in LevelDB under
 * schema.flatAccount / schema.flatStorage, for the root named by
 * schema.flatStateRoot, behind a bounded cache. Flattening a diff makes a new
 * DiskLayer (the old one goes stale, as its root is no longer what the disk
 * holds); between the batch being queued and written, its values are read
 * from `pending`, so no read sees the disk half a block behind.
 */
import { keyBytes as latin1 } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import { entryBytes } from '../cache-budget.js';
import { GenerationalCache } from '../../util/generational-cache.js';
import type { KeyValueReader } from '../database.js';
import { schema } from '../schema.js';
import { StaleFlatStateError, flatKey, type FlatState } from './flat-state.js';


/** What every disk layer of one tree shares: the reader, the caches and the values queued but not yet written. */
export class DiskStore {
  readonly accounts: GenerationalCache<Uint8Array | null>;
  readonly slots: GenerationalCache<Uint8Array | null>;
  /** Queued for the disk, not yet written: account key → value, account key + slot key → value. */
  readonly pendingAccounts = new Map<string, Uint8Array | null>();
  readonly pendingSlots = new Map<string, Uint8Array | null>();
  /** Accounts whose slots the queued batch deletes (slots not in pendingSlots read as unset). */
  readonly pendingWipes = new Set<string>();

  /** `cachedBytes` is shared 7:1 between accounts and slots (transfers touch accounts; slots are system actions'). */
  constructor(readonly kv: KeyValueReader, cachedBytes: number) {
    this.accounts = new GenerationalCache(Number.MAX_SAFE_INTEGER, { maxBytes: Math.floor((cachedBytes * 7) / 8), weigh: entryBytes });
    this.slots = new GenerationalCache(Number.MAX_SAFE_INTEGER, { maxBytes: Math.max(2, cachedBytes >> 3), weigh: entryBytes });
  }

  account(k: string): Uint8Array | null {
    const p = this.pendingAccounts.get(k);
    if (p !== undefined) return p;
    let v = this.accounts.get(k);
    if (v === undefined) {
      v = this.kv.get(schema.flatAccount(latin1(k))) ?? null;
      this.accounts.set(k, v);
    }
    return v;
  }

  slot(ak: string, sk: string): Uint8Array | null {
    const k = ak + sk;
    const p = this.pendingSlots.get(k);
    if (p !== undefined) return p;
    if (this.pendingWipes.has(ak)) return null;
    let v = this.slots.get(k);
    if (v === undefined) {
      v = this.kv.get(schema.flatStorage(latin1(ak), latin1(sk))) ?? null;
      this.slots.set(k, v);
    }
    return v;
  }

  /** The queued batch is on disk: its values now come from there (the caches hold them too). */
  written(): void {
    this.pendingAccounts.clear();
    this.pendingSlots.clear();
    this.pendingWipes.clear();
  }
}

export class DiskLayer implements FlatState {
  stale = false;

  constructor(readonly root: Hash, readonly store: DiskStore) {}

  accountByKey(k: string): Uint8Array | null {
    if (this.stale) throw new StaleFlatStateError(this.root);
    return this.store.account(k);
  }

  storageByKey(ak: string, sk: string): Uint8Array | null {
    if (this.stale) throw new StaleFlatStateError(this.root);
    return this.store.slot(ak, sk);
  }

  account(addrHash: Uint8Array): Uint8Array | null {
    return this.accountByKey(flatKey(addrHash));
  }

  storage(addrHash: Uint8Array, slotHash: Uint8Array): Uint8Array | null {
    return this.storageByKey(flatKey(addrHash), flatKey(slotHash));
  }
}
