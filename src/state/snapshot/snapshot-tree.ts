/**
 * The flat state's layers (go-ethereum's snapshot tree): a disk layer, and
 * one diff layer per recent block state on top, found by state root. Blocks
 * add diffs; the head keeps `maxLayers` diffs in memory and older ones on its
 * chain are flattened into the disk layer inside the block's own write batch
 * (entries and the root marker together, so the disk layer is never half a
 * block). Layers off the head's chain below the disk layer are dropped.
 * Missing or stale on start (an unclean stop, or an older database), the flat
 * state is rebuilt from the head's trie.
 */
import { equalBytes, keyBytes as latin1 } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import { logger } from '../../util/log.js';
import type { KeyValueStore, WriteBatch } from '../database.js';
import { schema } from '../schema.js';
import { trieLeaves } from '../trie/leaves.js';
import { storageRootIn } from '../statedb/account.js';
import { EMPTY_ROOT, type NodeSource } from '../trie/trie.js';
import { cacheBudget } from '../cache-budget.js';
import { DiffLayer, type FlatLayer } from './diff-layer.js';
import { DiskLayer, DiskStore } from './disk-layer.js';
import { flatKey, type FlatState, type StateDiff } from './flat-state.js';

const log = logger('state');

/** Writes per batch while the flat state is rebuilt: bounded memory for any state size. */
const GENERATE_BATCH = 20_000;

export interface SnapshotTreeOptions {
  /** Diff layers kept in memory under the head (reorgs within them keep the flat state). */
  maxLayers?: number;
  /** Bytes of disk-layer entries cached in memory (default: the flat share of the default `--cache`). */
  cachedBytes?: number;
}


export class SnapshotTree {
  private readonly layers = new Map<string, FlatLayer>();
  private disk: DiskLayer | undefined;
  private readonly store: DiskStore;
  readonly maxLayers: number;
  /** Times the flat state was rebuilt from a trie (on start, after a deep reorg). */
  generated = 0;

  constructor(private readonly kv: KeyValueStore, opts: SnapshotTreeOptions = {}) {
    this.maxLayers = opts.maxLayers ?? 16;
    this.store = new DiskStore(kv, opts.cachedBytes ?? cacheBudget().flatBytes);
  }

  /** The root the disk layer holds; undefined before open() (reads then walk the trie). */
  get diskRoot(): Hash | undefined {
    return this.disk?.root;
  }

  get layerCount(): number {
    return this.layers.size;
  }

  /** The flat state of `root`, when the tree has it. */
  reader(root: Hash): FlatState | undefined {
    return this.layers.get(flatKey(root));
  }

  /**
   * Starts serving reads for `headRoot`: the disk layer if it holds that root,
   * else the flat state rebuilt from the head's trie (read through `source`).
   */
  async open(headRoot: Hash, source: NodeSource): Promise<void> {
    const marker = this.kv.get(schema.flatStateRoot);
    if (marker && equalBytes(marker, headRoot)) {
      this.setDisk(new DiskLayer(asHash(marker), this.store));
      return;
    }
    await this.generate(headRoot, source);
  }

  /** A block's changes on top of its parent's state; ignored when the tree has no layer for the parent. */
  update(root: Hash, parentRoot: Hash, diff: StateDiff): void {
    // An empty block under clique changes nothing: same root, same layer.
    if (equalBytes(root, parentRoot)) return;
    const k = flatKey(root);
    if (this.layers.has(k)) return;
    const parent = this.layers.get(flatKey(parentRoot));
    if (parent && !parent.stale) this.layers.set(k, new DiffLayer(parent, root, diff));
  }

  /**
   * The head moved to `headRoot`: flattens the diffs more than `maxLayers`
   * below it into the disk layer, through `batch` (call written() once the
   * batch is on disk). Returns false when the head has no layer (the flat
   * state must then be rebuilt: a reorg below the disk layer).
   */
  async cap(batch: WriteBatch, headRoot: Hash, maxLayers = this.maxLayers): Promise<boolean> {
    const head = this.layers.get(flatKey(headRoot));
    if (!head || head.stale) return false;
    const chain: DiffLayer[] = [];
    for (let l: FlatLayer = head; l instanceof DiffLayer; l = l.parent) chain.push(l);
    if (chain.length <= maxLayers) return true;
    for (const d of chain.slice(maxLayers).reverse()) await this.flatten(batch, d);
    this.dropUnreachable();
    return true;
  }

  /** The batch given to cap() is on disk. */
  written(): void {
    this.store.written();
  }

  /** Whether the head is covered and the disk layer is enabled (false before open or during a rebuild). */
  get enabled(): boolean {
    return this.disk !== undefined;
  }

  /** Rebuilds the disk layer from the trie of `root`: every account and slot, then the marker. */
  async generate(root: Hash, source: NodeSource): Promise<void> {
    const started = performance.now();
    for (const l of this.layers.values()) l.stale = true;
    this.layers.clear();
    this.disk = undefined;
    this.store.accounts.clear();
    this.store.slots.clear();
    let batch = this.kv.batch();
    batch.del(schema.flatStateRoot);
    await batch.write();
    batch = this.kv.batch();
    const flush = async () => {
      if (batch.size < GENERATE_BATCH) return;
      await batch.write();
      batch = this.kv.batch();
    };
    for (const prefix of [schema.flatAccountPrefix, schema.flatStoragePrefix()]) {
      for await (const [k] of this.kv.iterate(prefix)) {
        batch.del(k);
        await flush();
      }
    }
    let accounts = 0, slots = 0;
    for (const [addrHash, account] of trieLeaves(source, root)) {
      batch.put(schema.flatAccount(addrHash), account);
      accounts++;
      const storageRoot = storageRootIn(account);
      if (!equalBytes(storageRoot, EMPTY_ROOT)) {
        for (const [slotHash, value] of trieLeaves(source, storageRoot)) {
          batch.put(schema.flatStorage(addrHash, slotHash), value);
          slots++;
        }
      }
      await flush();
    }
    batch.put(schema.flatStateRoot, root);
    await batch.write();
    this.setDisk(new DiskLayer(root, this.store));
    this.generated++;
    log.info('Generated the flat state', { accounts, slots, ms: Math.round(performance.now() - started) });
  }

  private setDisk(d: DiskLayer): void {
    if (this.disk) {
      this.disk.stale = true;
      this.layers.delete(flatKey(this.disk.root));
    }
    this.disk = d;
    this.layers.set(flatKey(d.root), d);
  }

  /** One diff into the disk layer (the diff's parent is the disk layer). */
  private async flatten(batch: WriteBatch, d: DiffLayer): Promise<void> {
    const s = this.store;
    for (const ak of d.diff.destructs) {
      const addrHash = latin1(ak);
      for await (const [k] of this.kv.iterate(schema.flatStoragePrefix(addrHash))) batch.del(k);
      // Slots queued by an earlier flatten into this same batch are not on disk for the iteration to find.
      for (const k of [...s.pendingSlots.keys()]) {
        if (k.startsWith(ak)) {
          batch.del(schema.flatStorage(addrHash, latin1(k.slice(ak.length))));
          s.pendingSlots.delete(k);
        }
      }
      s.pendingWipes.add(ak);
      s.slots.clear();
    }
    for (const [k, v] of d.diff.accounts) {
      const key = schema.flatAccount(latin1(k));
      if (v) batch.put(key, v);
      else batch.del(key);
      s.pendingAccounts.set(k, v);
      s.accounts.set(k, v);
    }
    for (const [ak, slots] of d.diff.storage) {
      const addrHash = latin1(ak);
      for (const [sk, v] of slots) {
        const key = schema.flatStorage(addrHash, latin1(sk));
        if (v) batch.put(key, v);
        else batch.del(key);
        s.pendingSlots.set(ak + sk, v);
        s.slots.set(ak + sk, v);
      }
    }
    batch.put(schema.flatStateRoot, d.root);
    d.stale = true;
    this.layers.delete(flatKey(d.root));
    this.setDisk(new DiskLayer(d.root, s));
  }

  /** Re-points children of the flattened diff at the new disk layer; drops layers whose chain no longer reaches it. */
  private dropUnreachable(): void {
    const disk = this.disk!;
    for (const [k, l] of this.layers) {
      if (!(l instanceof DiffLayer)) continue;
      let x: DiffLayer = l;
      let ok = false;
      for (;;) {
        const p: FlatLayer = x.parent;
        if (p === disk) {
          ok = true;
          break;
        }
        if (p.stale) {
          // The flattened layer itself: its children now sit on the disk layer.
          if (p instanceof DiffLayer && equalBytes(p.root, disk.root)) {
            x.parent = disk;
            ok = true;
          }
          break;
        }
        if (!(p instanceof DiffLayer)) break;
        x = p;
      }
      if (!ok) {
        l.stale = true;
        this.layers.delete(k);
      }
    }
  }
}
