/**
 * Which Host headers the HTTP RPC server answers (`--http.vhosts`), with the
 * rules of go-ethereum's virtualHostHandler. The check defeats DNS rebinding:
 * a web page whose name now resolves to 127.0.0.1 still sends its own name.
 */
import { isIP } from 'node:net';

/** The host part of a Host header, as Go's net.SplitHostPort leaves it (whole header when it has no single port). */
function hostPart(header: string): string {
  if (header.startsWith('[')) {
    // "[::1]:8545" or "[::1]": an IPv6 literal either way, so the brackets go.
    const end = header.indexOf(']');
    return end > 0 ? header.slice(1, end) : header;
  }
  const i = header.lastIndexOf(':');
  // Several colons and no brackets: Go's "too many colons" error, where geth keeps the header as is.
  if (i < 0 || header.indexOf(':') !== i) return header;
  return header.slice(0, i);
}

export class VirtualHosts {
  private readonly any: boolean;
  private readonly names: ReadonlySet<string>;

  constructor(vhosts: readonly string[]) {
    const names = new Set(vhosts.map((v) => v.trim().toLowerCase()).filter(Boolean));
    this.any = names.has('*');
    this.names = names;
  }

  /**
   * geth's order: no Host at all passes (no browser sends such a request), an
   * IP literal passes (rebinding needs a name), then "*" or a listed name.
   */
  allows(hostHeader: string | undefined): boolean {
    if (!hostHeader) return true;
    const host = hostPart(hostHeader);
    if (isIP(host) !== 0) return true;
    return this.any || this.names.has(host.toLowerCase());
  }
}
