/**
 * StateDB, as go-ethereum 1.10.25's core/state: cached state objects over the
 * account trie, a journal for snapshot/revert, `finalise` at the end of each
 * tx (EIP-158: touched accounts that are empty are deleted), `intermediateRoot`
 * writing only dirty accounts into the trie, `commit` of trie nodes and code
 * into the block's batch, and `copy` for the miner and shadow runs.
 * Synchronous: trie nodes are read with LevelDB's getSync.
 */
import { bytesKey, bytesToHex, equalBytes, hexToBytes } from '../../crypto/bytes.js';
import { bytesToBigint } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import { asAddress, asHash, type Address, type Hash } from '../../crypto/primitives.js';
import { decodeRlp, encodeRlp } from '../../crypto/rlp.js';
import type { WriteBatch } from '../database.js';
import { schema } from '../schema.js';
import { EMPTY_ROOT, type NodeSink, type SecureTrie } from '../trie/trie.js';
import { keyOf as nodeKeyOf } from '../trie/dirty-nodes.js';
import { decodeAccount, EMPTY_CODE_HASH, emptyAccount, encodeAccount, storageRootIn, type Account } from './account.js';
import { Journal, type JournalEntry } from './journal.js';
import type { StateDatabase } from './state-database.js';
import { copyDiff, emptyDiff, flatKey, type FlatState, type StateDiff } from '../snapshot/flat-state.js';
import { forEachCommittedNode, type AccountUpdate } from '../root-worker/root-codec.js';
import { RootWorkerError, type StateRootWorker } from '../root-worker/state-root-worker.js';

const ZERO_WORD = new Uint8Array(32);

/** Map key of an address: a flat one-byte string made natively (a hex string built pair by pair is a rope the Map must flatten and hash on every lookup). */
const keyOf = (a: Address) => bytesKey(a);

class StateObject {
  addrHash: Uint8Array | undefined;
  storageTrie: SecureTrie | undefined;
  /** Committed values (as in the trie at the start of the block). */
  origin = new Map<string, Uint8Array>();
  /** Written in the current tx. */
  dirty = new Map<string, Uint8Array>();
  /** Finalised in earlier txs of this block, not yet in the storage trie. */
  pending = new Map<string, Uint8Array>();
  code: Uint8Array | undefined;
  dirtyCode = false;
  deleted = false;

  readonly key: string;

  constructor(readonly address: Address, public data: Account) {
    this.key = keyOf(address);
  }

  empty(): boolean {
    return this.data.nonce === 0n && this.data.balance === 0n && equalBytes(this.data.codeHash, EMPTY_CODE_HASH);
  }

  hashOfAddress(): Uint8Array {
    this.addrHash ??= keccak256(this.address);
    return this.addrHash;
  }

  clone(): StateObject {
    const o = new StateObject(this.address, { ...this.data });
    o.addrHash = this.addrHash;
    o.storageTrie = this.storageTrie?.copy();
    o.origin = new Map(this.origin);
    o.dirty = new Map(this.dirty);
    o.pending = new Map(this.pending);
    o.code = this.code;
    o.dirtyCode = this.dirtyCode;
    o.deleted = this.deleted;
    return o;
  }
}

export interface AccountProof {
  address: Address;
  accountProof: Uint8Array[];
  balance: bigint;
  nonce: bigint;
  codeHash: Hash;
  storageHash: Hash;
  storageProof: { key: Hash; value: bigint; proof: Uint8Array[] }[];
}


/** The storage root of a committed account leaf, as a node key (what the leaf keeps alive under pruning); undefined for empty storage. */
function storageRootOf(account: Uint8Array): string | undefined {
  const r = storageRootIn(account);
  return equalBytes(r, EMPTY_ROOT) ? undefined : nodeKeyOf(r);
}

export class StateDB {
  private trie: SecureTrie;
  private objects = new Map<string, StateObject>();
  /**
   * Addresses the trie was asked for and does not have. Safe to keep: the trie
   * only gains accounts through objects in `objects`, which is checked first.
   * Saves a second trie walk for every new recipient (classification, then credit).
   */
  private absent = new Set<string>();
  /** Finalised but not yet written into the account trie. */
  private pendingObjects = new Set<string>();
  /** Storage tries changed since the last commit. */
  private storageToCommit = new Set<string>();
  private journal = new Journal();
  private revisions: { id: number; length: number }[] = [];
  private nextRevision = 0;
  /** The flat state of the root this StateDB started from: reads in one lookup; the trie is then only for hashing and proofs. */
  private flat: FlatState | undefined;
  private originRoot: Hash;
  /** Changes since the last commit, as the flat state records them. */
  private flatDiff: StateDiff = emptyDiff();
  private committed: { parentRoot: Hash; root: Hash; diff: StateDiff } | undefined;
  /**
   * A root the state-root worker computed: the updates it applied are not in
   * `trie`; its committed nodes go to the store at commit. Any other use of
   * the trie first applies the updates here (applyOffThread).
   */
  private offThread: { root: Hash; nodes: Uint8Array; updates: AccountUpdate[] } | undefined;

  /** `trie`: an already open account trie (copy() hands its own copy over instead of reopening the root). */
  constructor(root: Hash, readonly db: StateDatabase, trie?: SecureTrie) {
    this.trie = trie ?? db.openTrie(root);
    this.originRoot = root;
    this.flat = trie ? undefined : db.flat?.reader(root);
  }

  /** The flat reader while it is valid; a stale one (flattened or dropped by the tree) is let go, and reads walk the trie. */
  private flatReader(): FlatState | undefined {
    const f = this.flat;
    if (f && f.stale) this.flat = undefined;
    return this.flat;
  }

  /** What the last commit changed, for the flat state: its parent root, root and diff. */
  committedChanges(): { parentRoot: Hash; root: Hash; diff: StateDiff } | undefined {
    return this.committed;
  }

  // --- objects ---

  private getObject(a: Address): StateObject | undefined {
    const key = keyOf(a);
    const cached = this.objects.get(key);
    if (cached) return cached.deleted ? undefined : cached;
    if (this.absent.has(key)) return undefined;
    const flat = this.flatReader();
    let addrHash: Uint8Array | undefined;
    let enc: Uint8Array | undefined;
    if (flat) {
      addrHash = keccak256(a);
      enc = flat.account(addrHash) ?? undefined;
    } else {
      enc = this.trie.get(a);
    }
    if (!enc) {
      this.absent.add(key);
      return undefined;
    }
    const obj = new StateObject(asAddress(a.slice()), decodeAccount(enc));
    obj.addrHash = addrHash;
    this.objects.set(key, obj);
    return obj;
  }

  private getOrNewObject(a: Address): StateObject {
    return this.getObject(a) ?? this.createObject(a);
  }

  private createObject(a: Address): StateObject {
    const key = keyOf(a);
    const prev = this.objects.get(key);
    const obj = new StateObject(asAddress(a.slice()), emptyAccount());
    if (prev) this.journal.append({ kind: 'reset', key, prev });
    else this.journal.append({ kind: 'create', key });
    this.objects.set(key, obj);
    return obj;
  }

  exist(a: Address): boolean {
    return this.getObject(a) !== undefined;
  }

  empty(a: Address): boolean {
    const o = this.getObject(a);
    return !o || o.empty();
  }

  getBalance(a: Address): bigint {
    return this.getObject(a)?.data.balance ?? 0n;
  }

  getNonce(a: Address): bigint {
    return this.getObject(a)?.data.nonce ?? 0n;
  }

  getCodeHash(a: Address): Hash {
    const o = this.getObject(a);
    return o ? o.data.codeHash : (ZERO_WORD as Hash);
  }

  getCode(a: Address): Uint8Array {
    const o = this.getObject(a);
    if (!o || equalBytes(o.data.codeHash, EMPTY_CODE_HASH)) return new Uint8Array(0);
    o.code ??= this.db.code(o.data.codeHash) ?? new Uint8Array(0);
    return o.code;
  }

  getCodeSize(a: Address): number {
    const o = this.getObject(a);
    if (!o || equalBytes(o.data.codeHash, EMPTY_CODE_HASH)) return 0;
    return this.getCode(a).length;
  }

  // --- writes ---

  addBalance(a: Address, v: bigint): void {
    const o = this.getOrNewObject(a);
    if (v === 0n) {
      // A zero credit still "touches" the account, so EIP-158 can delete it if empty.
      if (o.empty()) this.journal.append({ kind: 'touch', key: keyOf(a) });
      return;
    }
    this.setBalanceOf(o, o.data.balance + v);
  }

  subBalance(a: Address, v: bigint): void {
    const o = this.getOrNewObject(a);
    if (v === 0n) {
      if (o.empty()) this.journal.append({ kind: 'touch', key: keyOf(a) });
      return;
    }
    if (o.data.balance < v) throw new RangeError('balance underflow');
    this.setBalanceOf(o, o.data.balance - v);
  }

  setBalance(a: Address, v: bigint): void {
    this.setBalanceOf(this.getOrNewObject(a), v);
  }

  private setBalanceOf(o: StateObject, v: bigint): void {
    this.journal.append({ kind: 'balance', key: o.key, prev: o.data.balance });
    o.data.balance = v;
  }

  setNonce(a: Address, n: bigint): void {
    const o = this.getOrNewObject(a);
    this.journal.append({ kind: 'nonce', key: keyOf(a), prev: o.data.nonce });
    o.data.nonce = n;
  }

  setCode(a: Address, code: Uint8Array): void {
    const o = this.getOrNewObject(a);
    this.journal.append({ kind: 'code', key: keyOf(a), prevCode: o.code, prevHash: o.data.codeHash });
    o.code = code;
    o.data.codeHash = asHash(keccak256(code));
    o.dirtyCode = true;
  }

  // --- storage ---

  private storageTrieOf(o: StateObject): SecureTrie {
    o.storageTrie ??= this.db.openStorageTrie(o.data.storageRoot);
    return o.storageTrie;
  }

  private committedState(o: StateObject, slotKey: string, slot: Uint8Array): Uint8Array {
    const hit = o.origin.get(slotKey);
    if (hit) return hit;
    let enc: Uint8Array | undefined;
    if (o.storageTrie) enc = o.storageTrie.get(slot);
    else if (!equalBytes(o.data.storageRoot, EMPTY_ROOT)) {
      // No storage trie open: the object's storage is still the start state's, which the flat state has.
      const flat = this.flatReader();
      enc = flat ? flat.storage(o.hashOfAddress(), keccak256(slot)) ?? undefined : this.storageTrieOf(o).get(slot);
    }
    let word = ZERO_WORD;
    if (enc) {
      const v = decodeRlp(enc) as Uint8Array;
      word = new Uint8Array(32);
      word.set(v, 32 - v.length);
    }
    o.origin.set(slotKey, word);
    return word;
  }

  getState(a: Address, slot: Hash): Uint8Array {
    const o = this.getObject(a);
    if (!o) return ZERO_WORD;
    const k = bytesToHex(slot, false);
    return o.dirty.get(k) ?? o.pending.get(k) ?? this.committedState(o, k, slot);
  }

  setState(a: Address, slot: Hash, value: Uint8Array): void {
    if (value.length !== 32) throw new RangeError('storage values are 32-byte words');
    const o = this.getOrNewObject(a);
    const k = bytesToHex(slot, false);
    const prev = this.getState(a, slot);
    if (equalBytes(prev, value)) return;
    this.journal.append({ kind: 'storage', key: keyOf(a), slot: k, prev: o.dirty.get(k) });
    o.dirty.set(k, value.slice());
  }

  // --- snapshots ---

  snapshot(): number {
    const id = this.nextRevision++;
    this.revisions.push({ id, length: this.journal.entries.length });
    return id;
  }

  revertToSnapshot(id: number): void {
    const idx = this.revisions.findIndex((r) => r.id === id);
    if (idx < 0) throw new RangeError(`revision id ${id} cannot be reverted`);
    const length = this.revisions[idx]!.length;
    this.journal.revert(length, (e) => this.undo(e));
    this.revisions.length = idx;
  }

  private undo(e: JournalEntry): void {
    const o = this.objects.get(e.key);
    switch (e.kind) {
      case 'create':
        this.objects.delete(e.key);
        break;
      case 'reset':
        this.objects.set(e.key, e.prev as StateObject);
        break;
      case 'balance':
        o!.data.balance = e.prev;
        break;
      case 'nonce':
        o!.data.nonce = e.prev;
        break;
      case 'storage':
        if (e.prev === undefined) o!.dirty.delete(e.slot);
        else o!.dirty.set(e.slot, e.prev);
        break;
      case 'code':
        o!.code = e.prevCode;
        o!.data.codeHash = e.prevHash;
        break;
      case 'touch':
        break;
    }
  }

  // --- finalisation and roots ---

  /** End of a tx: EIP-158 deletion of dirtied empty accounts; storage writes become pending. */
  finalise(deleteEmptyObjects: boolean): void {
    for (const key of this.journal.dirties.keys()) {
      const o = this.objects.get(key);
      // An account touched and then reverted away (a failed create) has no object: nothing to do.
      if (!o) continue;
      if (deleteEmptyObjects && o.empty()) {
        o.deleted = true;
        // Its slots go with it (a re-creation starts with empty storage).
        if (o.storageTrie || o.pending.size > 0 || o.dirty.size > 0 || !equalBytes(o.data.storageRoot, EMPTY_ROOT)) {
          const hk = flatKey(o.hashOfAddress());
          this.flatDiff.destructs.add(hk);
          this.flatDiff.storage.delete(hk);
        }
      } else {
        for (const [k, v] of o.dirty) o.pending.set(k, v);
        o.dirty.clear();
      }
      this.pendingObjects.add(key);
    }
    this.journal.reset();
    this.revisions = [];
  }

  /**
   * Finalises, brings every changed storage trie to its new root, records the
   * flat diff, and returns the account trie's updates (RLP, or empty to delete).
   */
  private accountUpdates(deleteEmptyObjects: boolean): AccountUpdate[] {
    this.finalise(deleteEmptyObjects);
    const updates: AccountUpdate[] = [];
    for (const key of this.pendingObjects) {
      const o = this.objects.get(key)!;
      const addrHash = o.hashOfAddress();
      const hk = flatKey(addrHash);
      if (o.deleted) {
        updates.push({ addrHash, value: new Uint8Array(0) });
        this.flatDiff.accounts.set(hk, null);
        continue;
      }
      if (o.pending.size > 0) {
        const st = this.storageTrieOf(o);
        let slots = this.flatDiff.storage.get(hk);
        if (!slots) this.flatDiff.storage.set(hk, (slots = new Map()));
        for (const [k, v] of o.pending) {
          const slotHash = keccak256(hexToBytes(k));
          o.origin.set(k, v);
          // Values are stored as rlp(trimmed word); a zero word deletes the slot.
          let i = 0;
          while (i < 32 && v[i] === 0) i++;
          const value = i === 32 ? new Uint8Array(0) : encodeRlp(v.subarray(i));
          st.putHashed(slotHash, value);
          slots.set(flatKey(slotHash), value.length > 0 ? value : null);
        }
        o.pending.clear();
        o.data.storageRoot = st.hash();
        this.storageToCommit.add(key);
      }
      const enc = encodeAccount(o.data);
      updates.push({ addrHash, value: enc });
      this.flatDiff.accounts.set(hk, enc);
    }
    this.pendingObjects.clear();
    return updates;
  }

  /** The updates of an off-thread root, applied to the trie here (a proof or a further change needs them in it). */
  private applyOffThread(): void {
    const off = this.offThread;
    if (!off) return;
    this.offThread = undefined;
    for (const u of off.updates) this.trie.putHashed(u.addrHash, u.value);
  }

  intermediateRoot(deleteEmptyObjects: boolean): Hash {
    const updates = this.accountUpdates(deleteEmptyObjects);
    if (this.offThread) {
      if (updates.length === 0) return this.offThread.root;
      this.applyOffThread();
    }
    for (const u of updates) this.trie.putHashed(u.addrHash, u.value);
    return this.trie.hash();
  }

  /**
   * intermediateRoot with the account trie's work (walking, encoding,
   * hashing) on the state-root worker. The synchronous part (finalise,
   * storage roots) runs before the first await, so the caller can do other
   * work meanwhile. A failed worker costs time, never the result: the root is
   * then computed here.
   */
  async intermediateRootOffThread(worker: StateRootWorker, deleteEmptyObjects: boolean): Promise<Hash> {
    const updates = this.accountUpdates(deleteEmptyObjects);
    this.applyOffThread();
    if (updates.length === 0) return this.trie.hash();
    try {
      const r = await worker.compute(this.trie.hash(), updates);
      this.offThread = { root: r.root, nodes: r.nodes, updates };
      return r.root;
    } catch (e) {
      if (!(e instanceof RootWorkerError)) throw e;
      for (const u of updates) this.trie.putHashed(u.addrHash, u.value);
      return this.trie.hash();
    }
  }

  commit(batch: WriteBatch, deleteEmptyObjects: boolean): Hash {
    const root = this.intermediateRoot(deleteEmptyObjects);
    const dirty = this.db.dirty;
    const sink: NodeSink | undefined = dirty && { wantsKeys: true, node: (_h, enc, key, children) => dirty.insert(key, enc, children) };
    for (const key of this.storageToCommit) {
      const o = this.objects.get(key);
      if (o && !o.deleted && o.storageTrie) {
        if (sink) o.storageTrie.commitTo(sink);
        else o.storageTrie.commit(batch);
      }
    }
    this.storageToCommit.clear();
    for (const o of this.objects.values()) {
      if (o.dirtyCode && !o.deleted && o.code) {
        batch.put(schema.code(o.data.codeHash), o.code);
        o.dirtyCode = false;
      }
    }
    const off = this.offThread;
    if (off) {
      // The worker's nodes, copied out of its message (a view would keep the whole message alive); the dirty cache copies into its slabs itself.
      this.offThread = undefined;
      if (dirty) forEachCommittedNode(off.nodes, (n) => dirty.insert(nodeKeyOf(n.hash), n.enc, n.refs.map(nodeKeyOf)));
      else {
        forEachCommittedNode(off.nodes, (n) => {
          const enc = n.enc.slice();
          batch.put(schema.trieNode(n.hash), enc);
          this.db.nodes.cache(n.hash, enc);
        });
      }
      // Reads of this root now come from the store, where its nodes just went.
      this.trie = this.db.openTrie(root);
    } else {
      if (sink) this.trie.commitTo(sink, storageRootOf);
      else this.trie.commit(batch, (h, enc) => this.db.nodes.cache(h, enc));
      this.trie.collapse();
      this.db.remember(root, this.trie);
    }
    this.committed = { parentRoot: this.originRoot, root, diff: this.flatDiff };
    // From here this StateDB is the state of `root`, which the flat reader (of the start root) does not describe.
    this.flatDiff = emptyDiff();
    this.originRoot = root;
    this.flat = undefined;
    // Deleted objects are gone from the trie now; forget them so a re-creation starts fresh.
    for (const [k, o] of this.objects) if (o.deleted) this.objects.delete(k);
    return root;
  }

  /** An independent copy (shadow execution runs the parallel path on one): every field set through the constructor's defaults, then typed. */
  copy(): StateDB {
    const c = new StateDB(EMPTY_ROOT, this.db, this.trie.copy());
    for (const [k, o] of this.objects) c.objects.set(k, o.clone());
    c.pendingObjects = new Set(this.pendingObjects);
    c.absent = new Set(this.absent);
    c.storageToCommit = new Set(this.storageToCommit);
    // Copies are taken between txs; carry over the dirtied set so a later finalise treats them alike.
    for (const [k, n] of this.journal.dirties) c.journal.dirties.set(k, n);
    c.nextRevision = this.nextRevision;
    c.flat = this.flat;
    c.originRoot = this.originRoot;
    c.flatDiff = copyDiff(this.flatDiff);
    c.offThread = this.offThread;
    return c;
  }

  getProof(a: Address, slots: Hash[]): AccountProof {
    this.intermediateRoot(true);
    this.applyOffThread();
    const o = this.getObject(a);
    const data = o?.data ?? emptyAccount();
    const storageProof = slots.map((slot) => {
      const value = o ? bytesToBigint(this.getState(a, slot)) : 0n;
      const proof = o && !equalBytes(data.storageRoot, EMPTY_ROOT) ? this.storageTrieOf(o).prove(slot) : [];
      return { key: slot, value, proof };
    });
    return {
      address: a, accountProof: this.trie.prove(a), balance: data.balance, nonce: data.nonce,
      codeHash: o ? data.codeHash : EMPTY_CODE_HASH, storageHash: data.storageRoot, storageProof,
    };
  }
}

