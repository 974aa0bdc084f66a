/**
 * Which browser origins may call the RPC server (`--http.corsdomain`), with
 * the matching rules of go-ethereum's rs/cors: case-insensitive, "*" allows
 * every origin, and one "*" inside an entry ("http://*.example.com") matches
 * any run of characters there. An empty list allows no cross-origin caller.
 */

interface Pattern {
  prefix: string;
  suffix: string;
}

export class CorsPolicy {
  private readonly any: boolean;
  private readonly exact = new Set<string>();
  private readonly patterns: Pattern[] = [];

  constructor(domains: readonly string[] = []) {
    let any = false;
    for (const raw of domains) {
      const d = raw.trim().toLowerCase();
      if (d === '') continue;
      if (d === '*') any = true;
      else if (d.includes('*')) {
        const i = d.indexOf('*');
        this.patterns.push({ prefix: d.slice(0, i), suffix: d.slice(i + 1) });
      } else this.exact.add(d);
    }
    this.any = any;
  }

  get enabled(): boolean {
    return this.any || this.exact.size > 0 || this.patterns.length > 0;
  }

  /** The Access-Control-Allow-Origin value for this origin, or undefined when it is not allowed. */
  allowOrigin(origin: string | undefined): string | undefined {
    if (!origin) return undefined;
    if (this.any) return '*';
    const o = origin.toLowerCase();
    if (this.exact.has(o)) return origin;
    for (const p of this.patterns) {
      if (o.length >= p.prefix.length + p.suffix.length && o.startsWith(p.prefix) && o.endsWith(p.suffix)) return origin;
    }
    return undefined;
  }
}
