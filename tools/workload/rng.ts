/**
 * Seeded PRNG (xorshift128+) for reproducible randomized tests: every failure
 * message prints the seed so the case can be replayed.
 */
export class Rng {
  private s0: bigint;
  private s1: bigint;
  constructor(readonly seed: number) {
    const mask = (1n << 64n) - 1n;
    let x = BigInt(seed) * 0x9e3779b97f4a7c15n + 0x2545f4914f6cdd1dn;
    const mix = () => {
      x = (x + 0x9e3779b97f4a7c15n) & mask;
      let z = x;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
      return z ^ (z >> 31n);
    };
    this.s0 = mix();
    this.s1 = mix() | 1n;
  }

  private next64(): bigint {
    const mask = (1n << 64n) - 1n;
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 = (s1 ^ (s1 << 23n)) & mask;
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.s1 + s0) & mask;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (n <= 0) return 0;
    return Number(this.next64() % BigInt(n));
  }

  /** Uniform-ish bigint in [0, n]. */
  bigint(n: bigint): bigint {
    if (n <= 0n) return 0n;
    let v = 0n;
    for (let bits = 0n; (1n << bits) <= n * 2n; bits += 64n) v = (v << 64n) | this.next64();
    return v % (n + 1n);
  }

  bool(p = 0.5): boolean {
    return this.int(1_000_000) < p * 1_000_000;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  privateKey(): Uint8Array {
    for (;;) {
      const k = this.bytes(32);
      if (k.some((b) => b !== 0) && k[0]! < 0xff) return k;
    }
  }
}
