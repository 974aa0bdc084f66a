/**
 * Blocks: [header, txs, uncles] (uncles are always empty here), bodies for
 * the database, and the stream of concatenated RLP blocks that `geth export`
 * writes and `gtos import` reads.
 */
import { concatBytes } from '../crypto/bytes.js';
import type { Hash } from '../crypto/primitives.js';
import { headerFromFields, headerHash, headerToRlpFields, type Header } from './header.js';
import { decodeRlp, decodeRlpPrefix, encodeRlp, expectList, RlpError, type RlpItem } from './rlp.js';
import { Transaction } from './transaction.js';

export interface Block {
  header: Header;
  transactions: Transaction[];
  uncles: Header[];
}

export class BlockDecodeError extends RlpError {
  override name = 'BlockDecodeError';
  /** Byte offset of the offending block in a stream (readBlockStream only). */
  readonly offset: number | undefined;
  constructor(message: string, options?: { cause?: unknown; offset?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.offset = options?.offset;
  }
}

function listHeader(len: number): Uint8Array {
  if (len < 56) return Uint8Array.of(0xc0 + len);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0xf7 + bytes.length, ...bytes);
}

function stringHeader(len: number): Uint8Array {
  if (len < 56) return Uint8Array.of(0x80 + len);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0xb7 + bytes.length, ...bytes);
}

/** Concatenates already-encoded items under a list header (no re-encoding of the items). */
function rawList(parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  return concatBytes(listHeader(len), ...parts);
}

/**
 * The tx list of a body, built from each tx's cached canonical encoding (a
 * legacy tx's encoding is its RLP list; a typed one is wrapped as a string),
 * so blocks of thousands of txs are not re-encoded through generic RLP.
 */
function txList(txs: readonly Transaction[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const t of txs) {
    const enc = t.encode();
    if (t.type !== 0) parts.push(stringHeader(enc.length));
    parts.push(enc);
  }
  return rawList(parts);
}

function uncleList(uncles: readonly Header[]): Uint8Array {
  return encodeRlp(uncles.map((u) => headerToRlpFields(u)));
}

/** Bytes of the RLP length prefix for a payload of `len` bytes (list and string prefixes have the same size). */
function prefixSize(len: number): number {
  if (len < 56) return 1;
  let n = 1;
  for (let l = len; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

/** encodeBlock(b).length without building the encoding (eth_getBlockBy* reports it on every poll). */
export function encodedBlockSize(b: Block): number {
  let txs = 0;
  for (const t of b.transactions) {
    const n = t.encode().length;
    txs += t.type !== 0 ? prefixSize(n) + n : n;
  }
  const header = encodeRlp(headerToRlpFields(b.header)).length;
  const uncles = uncleList(b.uncles).length;
  const payload = header + prefixSize(txs) + txs + uncles;
  return prefixSize(payload) + payload;
}

export function encodeBlock(b: Block): Uint8Array {
  return rawList([encodeRlp(headerToRlpFields(b.header)), txList(b.transactions), uncleList(b.uncles)]);
}

export function encodeBody(txs: readonly Transaction[], uncles: readonly Header[]): Uint8Array {
  return rawList([txList(txs), uncleList(uncles)]);
}

function bodyFrom(txItem: RlpItem | undefined, uncleItem: RlpItem | undefined): { transactions: Transaction[]; uncles: Header[] } {
  if (!Array.isArray(txItem)) throw new BlockDecodeError('block transactions: expected a list');
  if (!Array.isArray(uncleItem)) throw new BlockDecodeError('block uncles: expected a list');
  return { transactions: txItem.map((t) => Transaction.fromBlockItem(t)), uncles: uncleItem.map((u) => headerFromFields(u)) };
}

function blockFrom(item: RlpItem): Block {
  const f = expectList(item, 3, 'block');
  return { header: headerFromFields(f[0]!), ...bodyFrom(f[1], f[2]) };
}

export function decodeBlock(bytes: Uint8Array): Block {
  try {
    return blockFrom(decodeRlp(bytes));
  } catch (e) {
    if (e instanceof BlockDecodeError || !(e instanceof RlpError)) throw e;
    throw new BlockDecodeError(`invalid block: ${e.message}`, { cause: e });
  }
}

export function decodeBody(bytes: Uint8Array): { transactions: Transaction[]; uncles: Header[] } {
  try {
    const f = expectList(decodeRlp(bytes), 2, 'body');
    return bodyFrom(f[0], f[1]);
  } catch (e) {
    if (e instanceof BlockDecodeError || !(e instanceof RlpError)) throw e;
    throw new BlockDecodeError(`invalid block body: ${e.message}`, { cause: e });
  }
}

export function blockHash(b: Block): Hash {
  return headerHash(b.header);
}

/** Iterates concatenated RLP blocks; a malformed or truncated entry throws with its byte offset. */
export function* readBlockStream(buf: Uint8Array): Generator<{ block: Block; offset: number; length: number }> {
  let offset = 0;
  while (offset < buf.length) {
    let block: Block, length: number;
    try {
      let item: RlpItem;
      [item, length] = decodeRlpPrefix(buf.subarray(offset));
      block = blockFrom(item);
    } catch (e) {
      if (e instanceof RlpError) throw new BlockDecodeError(`malformed block at byte offset ${offset}: ${e.message}`, { cause: e, offset });
      throw e;
    }
    yield { block, offset, length };
    offset += length;
  }
}
