/**
 * Genesis: go-ethereum's genesis JSON (what `geth init` reads) turned into the
 * block-0 header and state, computed exactly as go-ethereum 1.10.25's
 * Genesis.ToBlock does (defaults for gas limit, difficulty and base fee).
 */
import { readFileSync } from 'node:fs';
import { hexToBytes } from '../../crypto/bytes.js';
import { asAddress, ZERO_HASH, type Address, type Hash } from '../../crypto/primitives.js';
import { asHash } from '../../crypto/primitives.js';
import type { WriteBatch } from '../../state/database.js';
import { StateDB } from '../../state/statedb/statedb.js';
import type { StateDatabase } from '../../state/statedb/state-database.js';
import { EMPTY_ROOT } from '../../state/trie/trie.js';
import { ChainConfigError, parseChainConfig, parseJsonInteger, type ChainConfig } from '../../types/chain-config.js';
import { EMPTY_BLOOM, EMPTY_UNCLE_HASH, type Header } from '../../types/header.js';

export const GENESIS_GAS_LIMIT = 4712388n;
export const GENESIS_DIFFICULTY = 131072n;
export const INITIAL_BASE_FEE = 1_000_000_000n;

export interface GenesisAccount {
  balance: bigint;
  nonce: bigint;
  code: Uint8Array;
  storage: Map<string, Uint8Array>;
}

export interface Genesis {
  config: ChainConfig;
  nonce: bigint;
  timestamp: bigint;
  extraData: Uint8Array;
  gasLimit: bigint;
  difficulty: bigint;
  mixHash: Hash;
  coinbase: Address;
  number: bigint;
  gasUsed: bigint;
  parentHash: Hash;
  baseFee: bigint | undefined;
  alloc: Map<string, GenesisAccount>;
}

function bytesField(v: unknown, field: string, len?: number): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(len ?? 0);
  if (typeof v !== 'string') throw new ChainConfigError(`${field}: expected a hex string`);
  let b: Uint8Array;
  try {
    b = hexToBytes(v);
  } catch {
    throw new ChainConfigError(`${field}: invalid hex`);
  }
  if (len !== undefined && b.length !== len) throw new ChainConfigError(`${field}: expected ${len} bytes, got ${b.length}`);
  return b;
}

/** A 32-byte storage word from geth's hex form (shorter values are left-padded). */
function word(v: unknown, field: string): Uint8Array {
  const b = bytesField(v, field);
  if (b.length > 32) throw new ChainConfigError(`${field}: longer than 32 bytes`);
  const out = new Uint8Array(32);
  out.set(b, 32 - b.length);
  return out;
}

export function parseGenesis(json: unknown): Genesis {
  if (!json || typeof json !== 'object') throw new ChainConfigError('genesis: expected a JSON object');
  const g = json as Record<string, unknown>;
  const config = parseChainConfig(g.config);
  const alloc = new Map<string, GenesisAccount>();
  const rawAlloc = (g.alloc ?? {}) as Record<string, Record<string, unknown>>;
  if (typeof rawAlloc !== 'object') throw new ChainConfigError('alloc: expected an object');
  for (const [k, acct] of Object.entries(rawAlloc)) {
    const hex = k.startsWith('0x') || k.startsWith('0X') ? k : `0x${k}`;
    const addr = asAddress(bytesField(hex, `alloc key ${k}`, 20));
    const storage = new Map<string, Uint8Array>();
    for (const [sk, sv] of Object.entries((acct.storage ?? {}) as Record<string, unknown>)) {
      storage.set(Buffer.from(word(sk, `alloc.${k}.storage key`)).toString('hex'), word(sv, `alloc.${k}.storage.${sk}`));
    }
    alloc.set(Buffer.from(addr).toString('hex'), {
      balance: acct.balance === undefined ? 0n : parseJsonInteger(acct.balance, `alloc.${k}.balance`),
      nonce: acct.nonce === undefined ? 0n : parseJsonInteger(acct.nonce, `alloc.${k}.nonce`),
      code: bytesField(acct.code, `alloc.${k}.code`),
      storage,
    });
  }
  const int = (v: unknown, f: string, d: bigint) => (v === undefined || v === null ? d : parseJsonInteger(v, f));
  let gasLimit = int(g.gasLimit, 'gasLimit', 0n);
  if (gasLimit === 0n) gasLimit = GENESIS_GAS_LIMIT;
  const difficulty = g.difficulty === undefined || g.difficulty === null ? GENESIS_DIFFICULTY : parseJsonInteger(g.difficulty, 'difficulty');
  return {
    config,
    nonce: int(g.nonce, 'nonce', 0n),
    timestamp: int(g.timestamp, 'timestamp', 0n),
    extraData: bytesField(g.extraData, 'extraData'),
    gasLimit,
    difficulty,
    mixHash: asHash(bytesField(g.mixHash, 'mixHash', 32)),
    coinbase: asAddress(bytesField(g.coinbase, 'coinbase', 20)),
    number: int(g.number, 'number', 0n),
    gasUsed: int(g.gasUsed, 'gasUsed', 0n),
    parentHash: g.parentHash ? asHash(bytesField(g.parentHash, 'parentHash', 32)) : ZERO_HASH,
    // London is active at block 0 for every GTOS chain, so genesis always carries a base fee.
    baseFee: g.baseFeePerGas === undefined || g.baseFeePerGas === null ? INITIAL_BASE_FEE : parseJsonInteger(g.baseFeePerGas, 'baseFeePerGas'),
    alloc,
  };
}

export function loadGenesisFile(path: string): Genesis {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ChainConfigError(`cannot read genesis file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ChainConfigError(`genesis file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseGenesis(json);
}

/** Builds the genesis state on `db`; with a batch, its nodes are committed into it. */
export function genesisState(genesis: Genesis, db: StateDatabase, batch?: WriteBatch): { state: StateDB; root: Hash } {
  const state = new StateDB(EMPTY_ROOT, db);
  for (const [hex, acct] of genesis.alloc) {
    const addr = asAddress(Buffer.from(hex, 'hex'));
    state.addBalance(addr, acct.balance);
    if (acct.nonce !== 0n) state.setNonce(addr, acct.nonce);
    if (acct.code.length > 0) state.setCode(addr, acct.code);
    for (const [k, v] of acct.storage) state.setState(addr, asHash(Buffer.from(k, 'hex')), v);
  }
  // geth commits genesis with deleteEmptyObjects=false: an alloc entry with
  // nothing in it still exists in the genesis state.
  const root = batch ? state.commit(batch, false) : state.intermediateRoot(false);
  return { state, root };
}

export function genesisHeader(genesis: Genesis, stateRoot: Hash): Header {
  const nonce = new Uint8Array(8);
  new DataView(nonce.buffer).setBigUint64(0, genesis.nonce);
  return {
    parentHash: genesis.parentHash,
    uncleHash: EMPTY_UNCLE_HASH,
    coinbase: genesis.coinbase,
    stateRoot,
    txRoot: EMPTY_ROOT,
    receiptRoot: EMPTY_ROOT,
    logsBloom: EMPTY_BLOOM,
    difficulty: genesis.difficulty,
    number: genesis.number,
    gasLimit: genesis.gasLimit,
    gasUsed: genesis.gasUsed,
    time: genesis.timestamp,
    extraData: genesis.extraData,
    mixDigest: genesis.mixHash,
    nonce,
    baseFee: genesis.baseFee,
  };
}
