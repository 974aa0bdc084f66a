/**
 * A small LRU map (insertion order of a Map = recency) for the engine's
 * caches: recent snapshots and recovered seal signers. Bounded, so a long
 * sync never grows memory.
 */
export class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }

  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }

  get size(): number {
    return this.m.size;
  }
}
