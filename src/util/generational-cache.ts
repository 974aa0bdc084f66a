/**
 * A bounded cache of two generations of plain Maps: a hit in the old one is
 * promoted; when the young one fills it becomes the old one. O(1) without the
 * delete/re-insert churn of an exact LRU, which profiled as the hottest
 * function of an import when trie nodes used one.
 */
export class GenerationalCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;

  constructor(maxEntries: number) {
    this.generation = Math.max(1, Math.floor(maxEntries / 2));
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
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  delete(k: string): void {
    this.young.delete(k);
    this.old.delete(k);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}
