/**
 * The state-root worker's wire formats, one packed buffer per message (moved,
 * not copied): account updates (addrHash, account RLP or nothing for a
 * deletion), lists of node hashes, node encodings, and the committed nodes
 * with the hashes they reference (what the dirty-node cache counts).
 */

export interface AccountUpdate {
  addrHash: Uint8Array;
  /** The account RLP; empty deletes the account. */
  value: Uint8Array;
}

export interface CommittedNode {
  hash: Uint8Array;
  enc: Uint8Array;
  /** Hashed children, and for an account leaf its storage root: what the node keeps alive under pruning. */
  refs: Uint8Array[];
}

class Writer {
  private buf: Uint8Array;
  private view: DataView;
  o = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  private need(n: number): void {
    if (this.o + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.o + n));
    next.set(this.buf.subarray(0, this.o));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.need(4);
    this.view.setUint32(this.o, v);
    this.o += 4;
  }
  u8(v: number): void {
    this.need(1);
    this.buf[this.o++] = v;
  }
  bytes(b: Uint8Array): void {
    this.need(b.length);
    this.buf.set(b, this.o);
    this.o += b.length;
  }
  done(): Uint8Array {
    // A fresh buffer of the exact size, so the whole ArrayBuffer can be transferred.
    return this.buf.slice(0, this.o);
  }
}

class Reader {
  private readonly view: DataView;
  o = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  u32(): number {
    const v = this.view.getUint32(this.o);
    this.o += 4;
    return v;
  }
  u8(): number {
    return this.buf[this.o++]!;
  }
  bytes(n: number): Uint8Array {
    if (this.o + n > this.buf.length) throw new RangeError('truncated state-root message');
    const b = this.buf.subarray(this.o, this.o + n);
    this.o += n;
    return b;
  }
}

export function packUpdates(updates: readonly AccountUpdate[]): Uint8Array {
  const w = new Writer(4 + updates.length * 120);
  w.u32(updates.length);
  for (const u of updates) {
    w.bytes(u.addrHash);
    w.u32(u.value.length);
    w.bytes(u.value);
  }
  return w.done();
}

export function unpackUpdates(b: Uint8Array): AccountUpdate[] {
  const r = new Reader(b);
  const n = r.u32();
  const out: AccountUpdate[] = [];
  for (let i = 0; i < n; i++) {
    const addrHash = r.bytes(32);
    out.push({ addrHash, value: r.bytes(r.u32()) });
  }
  return out;
}

export function packHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const w = new Writer(4 + hashes.length * 32);
  w.u32(hashes.length);
  for (const h of hashes) w.bytes(h);
  return w.done();
}

export function unpackHashes(b: Uint8Array): Uint8Array[] {
  const r = new Reader(b);
  const n = r.u32();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(32));
  return out;
}

/** Node encodings answering a request, in its order; an empty one is a node the main thread does not have. */
export function packEncodings(encs: readonly (Uint8Array | undefined)[]): Uint8Array {
  const w = new Writer(4 + encs.length * 400);
  w.u32(encs.length);
  for (const e of encs) {
    w.u32(e?.length ?? 0);
    if (e) w.bytes(e);
  }
  return w.done();
}

export function unpackEncodings(b: Uint8Array): Uint8Array[] {
  const r = new Reader(b);
  const n = r.u32();
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(r.u32()));
  return out;
}

export class CommittedNodeWriter {
  private readonly w = new Writer(1 << 20);
  private count = 0;
  constructor() {
    this.w.u32(0);
  }
  add(hash: Uint8Array, enc: Uint8Array, refs: readonly Uint8Array[]): void {
    this.count++;
    this.w.bytes(hash);
    this.w.u32(enc.length);
    this.w.bytes(enc);
    this.w.u8(refs.length);
    for (const r of refs) this.w.bytes(r);
  }
  done(): Uint8Array {
    const out = this.w.done();
    new DataView(out.buffer).setUint32(0, this.count);
    return out;
  }
}

export function forEachCommittedNode(b: Uint8Array, fn: (n: CommittedNode) => void): number {
  const r = new Reader(b);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const hash = r.bytes(32);
    const enc = r.bytes(r.u32());
    const k = r.u8();
    const refs: Uint8Array[] = [];
    for (let j = 0; j < k; j++) refs.push(r.bytes(32));
    fn({ hash, enc, refs });
  }
  return n;
}
