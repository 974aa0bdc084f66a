/**
 * Typed reads and batch writes of chain records over the key layout in
 * state/schema.ts: headers, bodies, receipts, total difficulty, canonical
 * mapping, tx lookups, head pointer. Reads are synchronous (classic-level
 * getSync); writes only ever go into a caller's batch, so a block is written
 * with everything that belongs to it or not at all. A record that LevelDB
 * reports corrupt or that does not decode is a ChainCorruptionError naming
 * the block and key, so callers (RPC, start-up) can tell a damaged database
 * from a bug.
 */
import { bigintToBytes, bytesToBigint, bytesToHex } from '../../crypto/bytes.js';
import { asHash, type Hash } from '../../crypto/primitives.js';
import type { KeyValueStore, WriteBatch } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { Lru } from '../../util/lru.js';
import { decodeBody, encodeBody, type Block } from '../../types/block.js';
import { decodeHeader, detachHeader, encodeHeader, headerHash, type Header } from '../../types/header.js';
import { decodeReceipts, encodeReceipts, type Receipt } from '../../types/receipt.js';
import type { Transaction } from '../../types/transaction.js';

export interface TxLookup {
  blockNumber: bigint;
  index: number;
}

const hexKey = (h: Uint8Array) => Buffer.from(h).toString('hex');

/** A stored record that cannot be read back: the database is damaged, whatever asked for it. */
export class ChainCorruptionError extends Error {
  override name = 'ChainCorruptionError';
  readonly key: string;
  constructor(readonly record: string, readonly block: bigint | undefined, key: Uint8Array, readonly reason: string) {
    const k = bytesToHex(key);
    super(block !== undefined
      ? `database corruption at block ${block}: ${record} (key ${k}): ${reason}`
      : `database corruption in ${record} (key ${k}): ${reason}`);
    this.key = k;
  }
}

/** LevelDB's own verdict (a failed checksum, a bad table block); other failures (a closed database) are not damage. */
const isLevelCorruption = (e: unknown) => (e as { code?: string }).code === 'LEVEL_CORRUPTION';

/** A record by block hash, from the cache or loaded (and then cached; a miss is not). */
function cachedLoad<V>(cache: Lru<string, V>, key: string, load: () => V | undefined): V | undefined {
  let v = cache.get(key);
  if (v === undefined) {
    v = load();
    if (v !== undefined) cache.set(key, v);
  }
  return v;
}

export class ChainStore {
  private readonly headers = new Lru<string, Header>(4096);
  /**
   * Recently read bodies and receipts, by block hash (immutable, so never stale):
   * wallets poll tx and receipt lookups of the newest blocks, and each lookup
   * would otherwise decode the whole block (a 10k-tx block per eth_getTransactionByHash).
   * Few entries: a big block's decoded txs weigh megabytes.
   */
  private readonly bodies = new Lru<string, { transactions: Transaction[]; uncles: Header[] }>(8);
  private readonly receiptLists = new Lru<string, Receipt[]>(8);

  constructor(readonly kv: KeyValueStore) {}

  // --- reads ---

  /** Reads and decodes one record; undefined when it is absent. */
  private load<T>(record: string, block: bigint | undefined, key: Uint8Array, decode: (raw: Uint8Array) => T): T | undefined {
    let raw: Uint8Array | undefined;
    try {
      raw = this.kv.get(key);
    } catch (e) {
      if (isLevelCorruption(e)) throw new ChainCorruptionError(record, block, key, (e as Error).message);
      throw e;
    }
    if (!raw) return undefined;
    try {
      return decode(raw);
    } catch (e) {
      // We wrote this record ourselves, so a value that does not decode was damaged on disk.
      throw new ChainCorruptionError(record, block, key, `does not decode: ${(e as Error).message}`);
    }
  }

  blockNumber(hash: Hash): bigint | undefined {
    return this.load('hash → number lookup', undefined, schema.blockNumber(hash), schema.decodeNumber);
  }

  header(hash: Hash, number?: bigint): Header | undefined {
    const cached = this.headers.get(hexKey(hash));
    if (cached) return cached;
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const h = this.load('header', n, schema.header(n, hash), decodeHeader);
    if (h) this.headers.set(hexKey(hash), h);
    return h;
  }

  canonicalHash(number: bigint): Hash | undefined {
    return this.load('canonical hash', number, schema.canonicalHash(number), asHash);
  }

  headerByNumber(number: bigint): Header | undefined {
    const hash = this.canonicalHash(number);
    return hash ? this.header(hash, number) : undefined;
  }

  block(hash: Hash, number?: bigint): Block | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    const header = this.header(hash, n);
    if (!header) return undefined;
    const body = cachedLoad(this.bodies, hexKey(hash), () => this.load('body', n, schema.body(n, hash), decodeBody));
    return body && { header, transactions: body.transactions, uncles: body.uncles };
  }

  receipts(hash: Hash, number?: bigint): Receipt[] | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    return cachedLoad(this.receiptLists, hexKey(hash), () => this.load('receipts', n, schema.receipts(n, hash), decodeReceipts));
  }

  totalDifficulty(hash: Hash, number?: bigint): bigint | undefined {
    const n = number ?? this.blockNumber(hash);
    if (n === undefined) return undefined;
    return this.load('total difficulty', n, schema.totalDifficulty(n, hash), bytesToBigint);
  }

  txLookup(txHash: Hash): TxLookup | undefined {
    return this.load('tx lookup', undefined, schema.txLookup(txHash), (v) => {
      if (v.length !== 12) return undefined;
      const dv = new DataView(v.buffer, v.byteOffset, 12);
      return { blockNumber: dv.getBigUint64(0), index: dv.getUint32(8) };
    });
  }

  headHash(): Hash | undefined {
    return this.load('head block pointer', undefined, schema.headBlock, asHash);
  }

  genesisHash(): Hash | undefined {
    return this.load('genesis hash', 0n, schema.genesisHash, asHash);
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
    this.headers.set(hexKey(hash), detachHeader(block.header));
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
