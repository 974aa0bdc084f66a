/**
 * A small LRU map (a Map's insertion order is the recency order) for the
 * bounded caches of the chain store and the consensus engine, so a long sync
 * never grows memory.
 */
export class Lru<K, V> {
  private readonly m = new Map<K, V>();
  constructor(private readonly max: number) {}

  get(k: K): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }

  set(k: K, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as K);
  }

  delete(k: K): void {
    this.m.delete(k);
  }

  get size(): number {
    return this.m.size;
  }
}
