/**
 * The gossip items (block or tx hashes) already handled, so a copy relayed by
 * another peer is ignored instead of validated again. Bounded: past the cap
 * the oldest entry goes (a re-validated old item is only wasted work).
 */
const MAX_SEEN = 100_000;

export class SeenSet {
  private readonly set = new Set<string>();

  has(h: string): boolean {
    return this.set.has(h);
  }

  add(h: string): void {
    this.set.add(h);
    if (this.set.size > MAX_SEEN) this.set.delete(this.set.values().next().value as string);
  }

  delete(h: string): void {
    this.set.delete(h);
  }
}
