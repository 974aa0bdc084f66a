/**
 * A bounded cache of two generations of plain Maps: a hit in the old one is
 * promoted; when the young one fills it becomes the old one. O(1) without the
 * delete/re-insert churn of an exact LRU, which profiled as the hottest
 * function of an import when trie nodes used one.
 *
 * Bounded by entries, and with `weigh` also by bytes: a generation turns when
 * it holds half of either, so the cache holds at most about the whole budget.
 * Node caches are sized in bytes from `--cache`, as go-ethereum's are; an
 * entry count would hold ten times more memory for a state of branch nodes
 * than for one of leaves.
 */
export class GenerationalCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private youngBytes = 0;
  private readonly generation: number;
  private readonly generationBytes: number;

  constructor(maxEntries: number, private readonly budget?: { maxBytes: number; weigh: (key: string, v: V) => number }) {
    this.generation = Math.max(1, Math.floor(maxEntries / 2));
    this.generationBytes = budget ? Math.max(1, Math.floor(budget.maxBytes / 2)) : Infinity;
  }

  get(k: string): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }

  set(k: string, v: V): void {
    this.young.set(k, v);
    if (this.budget) this.youngBytes += this.budget.weigh(k, v);
    if (this.young.size >= this.generation || this.youngBytes >= this.generationBytes) {
      this.old = this.young;
      this.young = new Map();
      this.youngBytes = 0;
    }
  }

  delete(k: string): void {
    this.young.delete(k);
    this.old.delete(k);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.youngBytes = 0;
  }

  /** Entries held in both generations (tests, metrics). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
