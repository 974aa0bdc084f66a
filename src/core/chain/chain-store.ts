/**
 * Typed reads and batch writes of chain records over the key layout in
 * state/schema.ts: headers, bodies, receipts, total difficulty, canonical
 * mapping, tx lookups, head pointer. Reads are synchronous (classic-level
 * getSync); writes only ever go into a caller's batch, so a block is written
 * with everything that belongs to it or not at all.
 */
import { bigintToBytes, bytesToBigint } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import type { KeyValueStore, WriteBatch } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { Lru } from '../../util/lru.js';
import { decodeBody, encodeBody, type Block } from '../../types/block.js';
import { decodeHeader, encodeHeader, headerHash, type Header } from '../../types/header.js';
import { decodeReceipts, encodeReceipts, type Receipt } from '../../types/receipt.js';

export interface TxLookup {
  blockNumber: bigint;
  index: number;
}

const hexKey = (h: Uint8Array) => Buffer.from(h).toString('hex');

export class ChainStore {
  private readonly headers = new Lru<string, Header>(4096);

  constructor(readonly kv: KeyValueStore) {}

  // --- reads ---

  blockNumber(hash: Hash): bigint | undefined {
    const v = this.kv.get(schema.blockNumber(hash));
    return v ? schema.decodeNumber(v) : undefined;
  }

  header(hash: Hash, number?: bigint): Header | undefined {
    const cached = this.headers.get(hexKey(hash));
    if (cached) return cached;
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const raw = this.kv.get(schema.header(n, hash));
    if (!raw) return undefined;
    const h = decodeHeader(raw);
    this.headers.set(hexKey(hash), h);
    return h;
  }

  canonicalHash(number: bigint): Hash | undefined {
    const v = this.kv.get(schema.canonicalHash(number));
    return v ? asHash(v) : undefined;
  }

  headerByNumber(number: bigint): Header | undefined {
    const hash = this.canonicalHash(number);
    return hash ? this.header(hash, number) : undefined;
  }

  block(hash: Hash, number?: bigint): Block | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const header = this.header(hash, n);
    const raw = this.kv.get(schema.body(n, hash));
    if (!header || !raw) return undefined;
    const body = decodeBody(raw);
    return { header, transactions: body.transactions, uncles: body.uncles };
  }

  receipts(hash: Hash, number?: bigint): Receipt[] | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const raw = this.kv.get(schema.receipts(n, hash));
    return raw ? decodeReceipts(raw) : undefined;
  }

  totalDifficulty(hash: Hash, number?: bigint): bigint | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const raw = this.kv.get(schema.totalDifficulty(n, hash));
    return raw ? bytesToBigint(raw) : undefined;
  }

  txLookup(txHash: Hash): TxLookup | undefined {
    const v = this.kv.get(schema.txLookup(txHash));
    if (!v || v.length !== 12) return undefined;
    const dv = new DataView(v.buffer, v.byteOffset, 12);
    return { blockNumber: dv.getBigUint64(0), index: dv.getUint32(8) };
  }

  headHash(): Hash | undefined {
    const v = this.kv.get(schema.headBlock);
    return v ? asHash(v) : undefined;
  }

  genesisHash(): Hash | undefined {
    const v = this.kv.get(schema.genesisHash);
    return v ? asHash(v) : undefined;
  }

  // --- writes (into the caller's batch) ---

  writeBlock(batch: WriteBatch, block: Block, receipts: Receipt[], td: bigint): Hash {
    const hash = headerHash(block.header);
    const n = block.header.number;
    batch.put(schema.header(n, hash), encodeHeader(block.header));
    batch.put(schema.body(n, hash), encodeBody(block.transactions, block.uncles));
    batch.put(schema.receipts(n, hash), encodeReceipts(receipts));
    batch.put(schema.totalDifficulty(n, hash), bigintToBytes(td));
    batch.put(schema.blockNumber(hash), schema.encodeNumber(n));
    this.headers.set(hexKey(hash), block.header);
    return hash;
  }

  writeCanonical(batch: WriteBatch, number: bigint, hash: Hash): void {
    batch.put(schema.canonicalHash(number), hash);
  }

  deleteCanonical(batch: WriteBatch, number: bigint): void {
    batch.del(schema.canonicalHash(number));
  }

  writeTxLookups(batch: WriteBatch, block: Block): void {
    block.transactions.forEach((tx, i) => {
      const v = new Uint8Array(12);
      const dv = new DataView(v.buffer);
      dv.setBigUint64(0, block.header.number);
      dv.setUint32(8, i);
      batch.put(schema.txLookup(tx.hash()), v);
    });
  }

  deleteTxLookups(batch: WriteBatch, block: Block): void {
    for (const tx of block.transactions) batch.del(schema.txLookup(tx.hash()));
  }

  writeHead(batch: WriteBatch, hash: Hash): void {
    batch.put(schema.headBlock, hash);
  }

  writeGenesisHash(batch: WriteBatch, hash: Hash): void {
    batch.put(schema.genesisHash, hash);
  }
}
