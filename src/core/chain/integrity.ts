/**
 * Database integrity checks. `quickCheck` runs at every start (the head
 * block, its state root node and the last few blocks: milliseconds), so a
 * damaged database is refused before the node serves wrong answers;
 * `fullCheck` (`gtos db check`) verifies everything: every canonical block
 * decodes, hashes to its key, links to its parent, matches its tx and receipt
 * roots and its lookups, and every node of the head state (accounts, storage,
 * code) hashes to its key. Both name the first bad block or key.
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import type { Hash } from '../../crypto/primitives.js';
import type { KeyValueReader } from '../../state/database.js';
import { schema } from '../../state/schema.js';
import { decodeAccount, EMPTY_CODE_HASH } from '../../state/statedb/account.js';
import { EMPTY_ROOT, type NodeSource } from '../../state/trie/trie.js';
import { orderedTrieRoot } from '../../state/trie/ordered.js';
import { TrieIntegrityError, verifyTrie } from '../../state/trie/verify.js';
import type { Block } from '../../types/block.js';
import { receiptRoot, txRoot } from '../../types/derive-root.js';
import { headerHash, type Header } from '../../types/header.js';
import { ChainCorruptionError, type ChainStore } from './chain-store.js';

/** What is wrong, and where: a block number, a database key, or both. */
export class ChainIntegrityError extends Error {
  override name = 'ChainIntegrityError';
  constructor(readonly what: string, readonly block?: bigint, readonly key?: string) {
    super(`database corrupt: ${what}${block !== undefined ? ` at block ${block}` : ''}${key ? ` (key ${key})` : ''}`);
  }
}

export interface IntegrityReport {
  head: bigint;
  /** The block whose state was verified: the head, or below it when the head's state awaits re-execution. */
  stateBlock: bigint;
  blocks: number;
  txs: number;
  stateNodes: number;
  accounts: number;
}

function guard<T>(what: string, block: bigint, key: Uint8Array | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ChainIntegrityError) throw e;
    if (e instanceof ChainCorruptionError) throw new ChainIntegrityError(`${what}: ${e.reason}`, block, e.key);
    throw new ChainIntegrityError(`${what}: ${(e as Error).message}`, block, key ? bytesToHex(key) : undefined);
  }
}

/** The store's own corruption verdict (a lookup or pointer read outside `guard`) in the checks' terms. */
function asIntegrity(e: unknown): unknown {
  return e instanceof ChainCorruptionError ? new ChainIntegrityError(`${e.record}: ${e.reason}`, e.block, e.key) : e;
}

/** Checks canonical block `n`; returns its header. `parent` is the header of n − 1 when known. */
export function checkBlock(store: ChainStore, n: bigint, parent?: Header, lookups = true): { header: Header; block: Block } {
  const hash = store.canonicalHash(n);
  if (!hash) throw new ChainIntegrityError('no canonical hash', n, bytesToHex(schema.canonicalHash(n)));
  const header = guard('header does not decode', n, schema.header(n, hash), () => store.header(hash, n));
  if (!header) throw new ChainIntegrityError('header missing', n, bytesToHex(schema.header(n, hash)));
  if (!equalBytes(headerHash(header), hash)) throw new ChainIntegrityError('header does not hash to its key', n, bytesToHex(schema.header(n, hash)));
  if (header.number !== n) throw new ChainIntegrityError(`header says number ${header.number}`, n);
  if (parent && !equalBytes(header.parentHash, headerHash(parent))) throw new ChainIntegrityError('does not link to its parent', n);
  const num = store.blockNumber(hash);
  if (num !== n) throw new ChainIntegrityError('hash → number lookup disagrees', n, bytesToHex(schema.blockNumber(hash)));
  const block = guard('body does not decode', n, schema.body(n, hash), () => store.block(hash, n));
  if (!block) throw new ChainIntegrityError('body missing', n, bytesToHex(schema.body(n, hash)));
  if (!equalBytes(txRoot(block.transactions, orderedTrieRoot), header.txRoot)) throw new ChainIntegrityError('body does not match the tx root', n, bytesToHex(schema.body(n, hash)));
  const receipts = guard('receipts do not decode', n, schema.receipts(n, hash), () => store.receipts(hash, n));
  if (!receipts) throw new ChainIntegrityError('receipts missing', n, bytesToHex(schema.receipts(n, hash)));
  if (!equalBytes(receiptRoot(receipts, orderedTrieRoot), header.receiptRoot)) throw new ChainIntegrityError('receipts do not match the receipt root', n, bytesToHex(schema.receipts(n, hash)));
  if (lookups) {
    block.transactions.forEach((tx, i) => {
      const l = store.txLookup(tx.hash());
      if (!l || l.blockNumber !== n || l.index !== i) throw new ChainIntegrityError(`lookup of tx ${i} disagrees`, n, bytesToHex(schema.txLookup(tx.hash())));
    });
  }
  return { header, block };
}

function headNumber(store: ChainStore): { hash: Hash; number: bigint } {
  const hash = store.headHash();
  if (!hash) throw new ChainIntegrityError('no head block pointer', undefined, bytesToHex(schema.headBlock));
  const number = store.blockNumber(hash);
  if (number === undefined) throw new ChainIntegrityError('head block unknown', undefined, bytesToHex(schema.blockNumber(hash)));
  return { hash, number };
}

/** The start-up check: head, its state root node, the last `depth` blocks. */
export function quickCheck(store: ChainStore, kv: KeyValueReader, depth = 16n): void {
  try {
    quickCheckOf(store, kv, depth);
  } catch (e) {
    throw asIntegrity(e);
  }
}

function quickCheckOf(store: ChainStore, kv: KeyValueReader, depth: bigint): void {
  const { number } = headNumber(store);
  const from = number > depth ? number - depth : 0n;
  let parent: Header | undefined;
  let head: Header | undefined;
  for (let n = from; n <= number; n++) {
    head = checkBlock(store, n, parent, false).header;
    parent = head;
  }
  const root = head!.stateRoot;
  const enc = guard('state root node unreadable', number, schema.trieNode(root), () => kv.get(schema.trieNode(root)));
  // An empty state has no root node; any other root must be stored and hash to its key.
  if (enc ? !equalBytes(keccak256(enc), root) : !equalBytes(root, EMPTY_ROOT)) {
    throw new ChainIntegrityError(enc ? 'state root node does not hash to its key' : 'state root node missing', number, bytesToHex(schema.trieNode(root)));
  }
}

/** Everything: every canonical block, then the whole head state (or the newest one on disk, see below). */
export function fullCheck(store: ChainStore, kv: KeyValueReader, onProgress?: (what: string, n: bigint) => void): IntegrityReport {
  try {
    return fullCheckOf(store, kv, onProgress);
  } catch (e) {
    throw asIntegrity(e);
  }
}

function fullCheckOf(store: ChainStore, kv: KeyValueReader, onProgress?: (what: string, n: bigint) => void): IntegrityReport {
  const { number } = headNumber(store);
  const report: IntegrityReport = { head: number, stateBlock: number, blocks: 0, txs: 0, stateNodes: 0, accounts: 0 };
  let parent: Header | undefined;
  for (let n = 0n; n <= number; n++) {
    const { header, block } = checkBlock(store, n, parent);
    parent = header;
    report.blocks++;
    report.txs += block.transactions.length;
    if (n % 1000n === 0n) onProgress?.('blocks', n);
  }
  // Under pruning an unclean stop leaves the head's state unwritten and the next start re-executes up to
  // the head (Blockchain.repairHead): the state to verify is the newest one on disk, as that start finds it.
  let state = parent!;
  const onDisk = (h: Header) => equalBytes(h.stateRoot, EMPTY_ROOT)
    || guard('state root node unreadable', h.number, schema.trieNode(h.stateRoot), () => kv.get(schema.trieNode(h.stateRoot))) !== undefined;
  while (!onDisk(state)) {
    if (state.number === 0n) throw new ChainIntegrityError('the state of the head and of every block below it is missing', number, bytesToHex(schema.trieNode(parent!.stateRoot)));
    state = store.headerByNumber(state.number - 1n)!;
  }
  report.stateBlock = state.number;
  const at = state.number;
  const what = at === number ? 'head state' : `state of block ${at}`;
  // Straight from the database: a cache would hide a node that was damaged after it was read.
  const nodes: NodeSource = { getNode: (h) => kv.get(schema.trieNode(h)) };
  try {
    const stats = verifyTrie(nodes, state.stateRoot, (value) => {
      const acct = decodeAccount(value);
      report.accounts++;
      report.stateNodes += verifyTrie(nodes, acct.storageRoot).nodes;
      if (!equalBytes(acct.codeHash, EMPTY_CODE_HASH)) {
        const code = kv.get(schema.code(acct.codeHash));
        if (!code || !equalBytes(keccak256(code), acct.codeHash)) throw new ChainIntegrityError('code missing or does not hash to its key', at, bytesToHex(schema.code(acct.codeHash)));
      }
      if (report.accounts % 100_000 === 0) onProgress?.('accounts', BigInt(report.accounts));
    });
    report.stateNodes += stats.nodes;
  } catch (e) {
    if (e instanceof TrieIntegrityError) throw new ChainIntegrityError(`${what}: ${e.message}`, at, bytesToHex(schema.trieNode(Buffer.from(e.nodeHash.slice(2), 'hex'))));
    if (e instanceof ChainIntegrityError) throw e;
    throw new ChainIntegrityError(`${what}: ${(e as Error).message}`, at);
  }
  return report;
}
