/**
 * Byte helpers shared by every layer: hex at the edges, big-endian integers,
 * concatenation and comparison. Nothing here knows about the chain.
 */

export type Bytes = Uint8Array;

const HEX = '0123456789abcdef';
const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(HEX[i >> 4]! + HEX[i & 15]!);

export class HexError extends Error {
  override name = 'HexError';
}

export function bytesToHex(b: Uint8Array, prefix = true): string {
  let s = prefix ? '0x' : '';
  for (let i = 0; i < b.length; i++) s += HEX_PAIRS[b[i]!];
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Strict: optional 0x, even length, hex digits only. */
export function hexToBytes(hex: string): Uint8Array {
  let s = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (s.length % 2 !== 0) throw new HexError(`odd-length hex string: ${hex.slice(0, 20)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new HexError(`invalid hex string: ${hex.slice(0, 20)}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bytes as a Map key: a flat one-byte-per-char string made natively (a hex string built pair by pair is a rope to flatten on every lookup). */
export function bytesKey(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** The bytes of a bytesKey. */
export function keyBytes(k: string): Uint8Array {
  return new Uint8Array(Buffer.from(k, 'latin1'));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Minimal big-endian encoding (0 → empty), as RLP wants integers. */
export function bigintToBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('negative integer');
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return hexToBytes(hex);
}

/** Fixed-width big-endian encoding, left-padded. */
export function bigintToBytesPadded(v: bigint, width: number): Uint8Array {
  const raw = bigintToBytes(v);
  if (raw.length > width) throw new RangeError(`integer does not fit ${width} bytes`);
  const out = new Uint8Array(width);
  out.set(raw, width - raw.length);
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  if (b.length <= 6) {
    let n = 0;
    for (let i = 0; i < b.length; i++) n = n * 256 + b[i]!;
    return BigInt(n);
  }
  return BigInt(bytesToHex(b));
}

/** The largest 256-bit unsigned integer: the bound of every fee field. */
export const MAX_256 = (1n << 256n) - 1n;

export function utf8ToBytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function bytesToUtf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}
