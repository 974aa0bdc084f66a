/**
 * Strict RLP for untrusted input: canonical encodings only (no single byte
 * below 0x80 wrapped as a string, no leading zeros in lengths, long form only
 * for long payloads), no trailing bytes, integers without leading zeros and
 * within their field's bit width, and exact field counts.
 */
import { bytesToBigint } from './bytes.js';

export type RlpItem = Uint8Array | RlpItem[];
export type NestedList = RlpItem[];

export class RlpError extends Error {
  override name = 'RlpError';
}

/** Decodes one item starting at `pos`; returns it and the end offset. */
function decodeAt(b: Uint8Array, pos: number, depth: number): [RlpItem, number] {
  if (depth > 64) throw new RlpError('rlp: nesting too deep');
  if (pos >= b.length) throw new RlpError('rlp: unexpected end of input');
  const p = b[pos]!;
  if (p < 0x80) return [b.subarray(pos, pos + 1), pos + 1];
  if (p <= 0xb7) {
    const len = p - 0x80;
    const end = pos + 1 + len;
    if (end > b.length) throw new RlpError('rlp: value size exceeds available input length');
    if (len === 1 && b[pos + 1]! < 0x80) throw new RlpError('rlp: non-canonical size information (single byte below 128 must be encoded as itself)');
    return [b.subarray(pos + 1, end), end];
  }
  if (p <= 0xbf) {
    const ll = p - 0xb7;
    const len = readLength(b, pos + 1, ll);
    if (len < 56) throw new RlpError('rlp: non-canonical size information (long form for a short string)');
    const start = pos + 1 + ll;
    const end = start + len;
    if (end > b.length) throw new RlpError('rlp: value size exceeds available input length');
    return [b.subarray(start, end), end];
  }
  let start: number, end: number;
  if (p <= 0xf7) {
    start = pos + 1;
    end = start + (p - 0xc0);
  } else {
    const ll = p - 0xf7;
    const len = readLength(b, pos + 1, ll);
    if (len < 56) throw new RlpError('rlp: non-canonical size information (long form for a short list)');
    start = pos + 1 + ll;
    end = start + len;
  }
  if (end > b.length) throw new RlpError('rlp: list size exceeds available input length');
  const items: RlpItem[] = [];
  let q = start;
  while (q < end) {
    const [item, next] = decodeAt(b, q, depth + 1);
    if (next > end) throw new RlpError('rlp: list element exceeds list size');
    items.push(item);
    q = next;
  }
  return [items, end];
}

function readLength(b: Uint8Array, pos: number, ll: number): number {
  if (pos + ll > b.length) throw new RlpError('rlp: unexpected end of input in size');
  if (b[pos] === 0) throw new RlpError('rlp: non-canonical size information (leading zero in size)');
  if (ll > 6) throw new RlpError('rlp: size too large');
  let n = 0;
  for (let i = 0; i < ll; i++) n = n * 256 + b[pos + i]!;
  return n;
}

/** Decodes exactly one item that fills `bytes`. */
export function decodeRlp(bytes: Uint8Array): RlpItem {
  const [item, end] = decodeAt(bytes, 0, 0);
  if (end !== bytes.length) throw new RlpError(`rlp: ${bytes.length - end} trailing bytes after the value`);
  return item;
}

/** Decodes one item at the start of `bytes`; returns it and its encoded length (for streams). */
export function decodeRlpPrefix(bytes: Uint8Array): [RlpItem, number] {
  return decodeAt(bytes, 0, 0);
}

/**
 * Canonical RLP in two passes, measure then write into one buffer: the
 * library's encoder concatenates per level, which showed as a tenth of the
 * miner's block write in profiles. `@ethereumjs/rlp` stays the reference the
 * tests compare against.
 */
export function encodeRlp(item: RlpItem): Uint8Array {
  const payloads: number[] = [];
  const out = new Uint8Array(measure(item, payloads));
  write(item, out, 0, payloads, { next: 0 });
  return out;
}

const lengthOfLength = (n: number): number => (n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4);
const headerSize = (payload: number): number => (payload < 56 ? 1 : 1 + lengthOfLength(payload));

/** Encoded size of `item`; list payload sizes are pushed in pre-order for `write`. */
function measure(item: RlpItem, payloads: number[]): number {
  if (item instanceof Uint8Array) return item.length === 1 && item[0]! < 0x80 ? 1 : headerSize(item.length) + item.length;
  const slot = payloads.length;
  payloads.push(0);
  let payload = 0;
  for (const x of item) payload += measure(x, payloads);
  payloads[slot] = payload;
  return headerSize(payload) + payload;
}

function writeHeader(out: Uint8Array, o: number, payload: number, short: number): number {
  if (payload < 56) {
    out[o] = short + payload;
    return o + 1;
  }
  const n = lengthOfLength(payload);
  out[o++] = short + 55 + n;
  for (let k = n - 1; k >= 0; k--) out[o++] = (payload >>> (8 * k)) & 0xff;
  return o;
}

function write(item: RlpItem, out: Uint8Array, o: number, payloads: number[], cursor: { next: number }): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[o] = item[0]!;
      return o + 1;
    }
    o = writeHeader(out, o, item.length, 0x80);
    out.set(item, o);
    return o + item.length;
  }
  o = writeHeader(out, o, payloads[cursor.next++]!, 0xc0);
  for (const x of item) o = write(x, out, o, payloads, cursor);
  return o;
}

export function expectList(x: RlpItem, n: number | number[], what: string): NestedList {
  if (!Array.isArray(x)) throw new RlpError(`${what}: expected a list, got a string`);
  const ok = Array.isArray(n) ? n.includes(x.length) : x.length === n;
  if (!ok) throw new RlpError(`${what}: expected ${Array.isArray(n) ? n.join(' or ') : n} fields, got ${x.length}`);
  return x;
}

export function expectBytes(x: RlpItem | undefined, what: string, len?: number): Uint8Array {
  if (x === undefined || Array.isArray(x)) throw new RlpError(`${what}: expected a string, got a list`);
  if (len !== undefined && x.length !== len) throw new RlpError(`${what}: expected ${len} bytes, got ${x.length}`);
  return x;
}

export function decodeUint(x: RlpItem | undefined, maxBits: number, field: string): bigint {
  const b = expectBytes(x, field);
  if (b.length > 0 && b[0] === 0) throw new RlpError(`${field}: integer with leading zero bytes`);
  if (b.length > Math.ceil(maxBits / 8)) throw new RlpError(`${field}: integer exceeds ${maxBits} bits`);
  const v = bytesToBigint(b);
  if (v >> BigInt(maxBits) !== 0n) throw new RlpError(`${field}: integer exceeds ${maxBits} bits`);
  return v;
}
