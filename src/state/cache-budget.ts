/**
 * How `--cache` (MB) is shared among the state's in-memory caches, after
 * go-ethereum's split (--cache.gc 25 %, --cache.trie 15 %, --cache.snapshot
 * 10 %; its 50 % for the database is LevelDB's own, left at its defaults
 * here). Budgets are bytes of memory, entry overhead included, so the same
 * `--cache` holds the same memory whatever the mix of node sizes.
 */
export const DEFAULT_CACHE_MB = 1024;

export interface CacheBudget {
  /** Unflushed trie nodes under `--gcmode full` (their own cost model: dirty-nodes.ts). */
  dirtyBytes: number;
  /** Clean trie nodes read or flushed, and (in parallel mode) the state-root worker's copy of them. */
  trieCleanBytes: number;
  /** Flat-state accounts and slots read from the disk layer. */
  flatBytes: number;
}

export function cacheBudget(cacheMB: number = DEFAULT_CACHE_MB): CacheBudget {
  const mb = Math.max(16, cacheMB) * 1024 * 1024;
  return { dirtyBytes: Math.floor(mb * 0.25), trieCleanBytes: Math.floor(mb * 0.15), flatBytes: Math.floor(mb * 0.1) };
}

/**
 * Heap bytes a cached entry costs beyond its value: the Map entry, the key
 * string and the Uint8Array object with its backing store (measured: ~270
 * bytes for 200k 32-byte keys with 100-byte values).
 */
const ENTRY_OVERHEAD = 270;

/** The weight of one cache entry (key → encoding, or null for a known absence). */
export function entryBytes(_key: string, value: Uint8Array | null): number {
  return ENTRY_OVERHEAD + (value ? value.length : 0);
}
