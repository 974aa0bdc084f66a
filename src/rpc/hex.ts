/**
 * go-ethereum hexutil semantics for RPC params and results: quantities are
 * "0x"-prefixed without leading zeros ("0x0" for zero), data is even-length
 * hex. Every parse error is an InvalidParamsError naming the field, with
 * hexutil's wording so clients that match on geth's messages keep working.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes.js';
import { asAddress, asHash, type Address, type Hash } from '../crypto/primitives.js';
import { InvalidParamsError } from './errors.js';

export type BlockTag = bigint | 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized';
export type BlockNumberOrHash = BlockTag | { blockHash: Hash; requireCanonical: boolean };

const TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'earliest', 'safe', 'finalized']);
const HEX_DIGITS = /^[0-9a-fA-F]*$/;
const MAX_INT64 = (1n << 63n) - 1n;

function fail(field: string, why: string): never {
  throw new InvalidParamsError(`invalid argument '${field}': ${why}`);
}

/** The digits after "0x"/"0X" (hexutil accepts both), or the matching hexutil error. */
function digits(x: unknown, field: string): string {
  if (typeof x !== 'string') fail(field, 'expected a 0x-prefixed hex string');
  if (x.length === 0) fail(field, 'empty hex string');
  if (x.length < 2 || x[0] !== '0' || (x[1] !== 'x' && x[1] !== 'X')) fail(field, 'hex string without 0x prefix');
  return x.slice(2);
}

/**
 * A hexutil.Big (maxBits 256, the default) or hexutil.Uint64 (maxBits 64).
 * The digit count is checked first so a megabyte of hex is rejected without
 * building a huge bigint.
 */
export function parseQuantity(x: unknown, field: string, maxBits = 256): bigint {
  const d = digits(x, field);
  if (d.length === 0) fail(field, 'hex string "0x"');
  if (!HEX_DIGITS.test(d)) fail(field, 'invalid hex string');
  if (d.length > 1 && d[0] === '0') fail(field, 'hex number with leading zero digits');
  if (d.length > Math.ceil(maxBits / 4)) fail(field, `hex number > ${maxBits} bits`);
  const v = BigInt('0x' + d);
  if (v >> BigInt(maxBits) !== 0n) fail(field, `hex number > ${maxBits} bits`);
  return v;
}

/** hexutil.Uint64: nonces, gas limits, indexes. */
export function parseUint64(x: unknown, field: string): bigint {
  return parseQuantity(x, field, 64);
}

/** hexutil.Bytes ("0x" is the empty byte string); `length` makes it a fixed-size value. */
export function parseData(x: unknown, field: string, length?: number): Uint8Array {
  const d = digits(x, field);
  if (d.length % 2 !== 0) fail(field, 'hex string of odd length');
  if (!HEX_DIGITS.test(d)) fail(field, 'invalid hex string');
  if (length !== undefined && d.length !== length * 2) fail(field, `hex string has length ${d.length}, want ${length * 2}`);
  return hexToBytes(d);
}

export function parseAddress(x: unknown, field: string): Address {
  return asAddress(parseData(x, field, 20));
}

export function parseHash(x: unknown, field: string): Hash {
  return asHash(parseData(x, field, 32));
}

export function parseBool(x: unknown, field: string): boolean {
  if (typeof x !== 'boolean') fail(field, 'expected a boolean');
  return x;
}

/** rpc.BlockNumber: a tag or a hex number that fits int64 (geth stores it signed). */
export function parseBlockTag(x: unknown, field = 'block number'): BlockTag {
  if (typeof x === 'string' && TAGS.has(x)) return x as BlockTag;
  const n = parseQuantity(x, field, 64);
  if (n > MAX_INT64) fail(field, 'block number larger than int64');
  return n;
}

/**
 * rpc.BlockNumberOrHash: a tag, a hex number, a 32-byte hash string, or an
 * object {blockNumber} / {blockHash, requireCanonical} (EIP-1898).
 */
export function parseBlockNumberOrHash(x: unknown, field = 'block'): BlockNumberOrHash {
  if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
    const o = x as Record<string, unknown>;
    const hasNumber = o.blockNumber !== undefined && o.blockNumber !== null;
    const hasHash = o.blockHash !== undefined && o.blockHash !== null;
    if (hasNumber && hasHash) fail(field, 'cannot specify both BlockHash and BlockNumber, choose one or the other');
    if (hasNumber) return parseBlockTag(o.blockNumber, `${field}.blockNumber`);
    if (!hasHash) fail(field, 'neither block nor hash specified');
    const rc = o.requireCanonical;
    if (rc !== undefined && rc !== null && typeof rc !== 'boolean') fail(`${field}.requireCanonical`, 'expected a boolean');
    return { blockHash: parseHash(o.blockHash, `${field}.blockHash`), requireCanonical: rc === true };
  }
  if (typeof x === 'string' && x.length === 66 && !TAGS.has(x)) return { blockHash: parseHash(x, field), requireCanonical: false };
  return parseBlockTag(x, field);
}

/** hexutil.EncodeBig / EncodeUint64. A negative or fractional value is a server bug, hence RangeError (→ −32603). */
export function toQuantity(v: bigint | number): string {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`not an integer quantity: ${v}`);
  if (v < 0) throw new RangeError(`negative quantity: ${v}`);
  return '0x' + v.toString(16);
}

export function toData(b: Uint8Array): string {
  return bytesToHex(b);
}
