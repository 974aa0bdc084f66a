/**
 * Peers we refuse for a while: ones that failed the handshake, served invalid
 * blocks or broken sync responses, or whose gossip score fell past the
 * disconnect threshold. The host's connection gater consults it on every dial
 * and every inbound connection; entries expire.
 */
export class BanList {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  ban(peer: string, ms: number): void {
    this.until.set(peer, Math.max(this.until.get(peer) ?? 0, this.now() + ms));
  }

  unban(peer: string): void {
    this.until.delete(peer);
  }

  isBanned(peer: string): boolean {
    const t = this.until.get(peer);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(peer);
    return false;
  }

  get size(): number {
    return this.until.size;
  }
}
