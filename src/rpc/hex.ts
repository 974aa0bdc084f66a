/**
 * go-ethereum hexutil semantics for RPC params and results: quantities are
 * "0x"-prefixed without leading zeros ("0x0" for zero), data is even-length
 * hex. Every parse error is an InvalidParamsError naming the field.
 */
import { bytesToHex, hexToBytes } from '../crypto/bytes.js';
import { asAddress, asHash, type Address, type Hash } from '../crypto/primitives.js';
import { InvalidParamsError } from './errors.js';

export type BlockTag = bigint | 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized';

export function parseQuantity(x: unknown, field: string): bigint {
  if (typeof x !== 'string') throw new InvalidParamsError(`${field}: expected a hex quantity string`);
  if (!/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/.test(x)) {
    throw new InvalidParamsError(`${field}: invalid hex quantity ${JSON.stringify(x.slice(0, 80))} (0x-prefixed, no leading zeros)`);
  }
  if (x.length > 66) throw new InvalidParamsError(`${field}: quantity exceeds 256 bits`);
  return BigInt(x);
}

export function parseData(x: unknown, field: string, length?: number): Uint8Array {
  if (typeof x !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(x)) throw new InvalidParamsError(`${field}: expected 0x-prefixed even-length hex data`);
  const b = hexToBytes(x);
  if (length !== undefined && b.length !== length) throw new InvalidParamsError(`${field}: expected ${length} bytes, got ${b.length}`);
  return b;
}

export function parseAddress(x: unknown, field: string): Address {
  return asAddress(parseData(x, field, 20));
}

export function parseHash(x: unknown, field: string): Hash {
  return asHash(parseData(x, field, 32));
}

export function parseBool(x: unknown, field: string): boolean {
  if (typeof x !== 'boolean') throw new InvalidParamsError(`${field}: expected a boolean`);
  return x;
}

export function parseBlockTag(x: unknown): BlockTag {
  if (x === 'latest' || x === 'pending' || x === 'earliest' || x === 'safe' || x === 'finalized') return x;
  const n = parseQuantity(x, 'block number');
  if (n >= 1n << 64n) throw new InvalidParamsError('block number: exceeds 64 bits');
  return n;
}

export function toQuantity(v: bigint | number): string {
  return '0x' + v.toString(16);
}

export function toData(b: Uint8Array): string {
  return bytesToHex(b);
}
