/**
 * Domain byte types: a 20-byte Address and a 32-byte Hash, branded so that a
 * hash can never be passed where an address is wanted. Hex conversion happens
 * only at the edges (RPC, CLI, logs, JSON files).
 */
import { bytesToHex, hexToBytes, HexError } from './bytes.js';

export type Address = Uint8Array & { readonly __brand: 'Address' };
export type Hash = Uint8Array & { readonly __brand: 'Hash' };

export function asAddress(b: Uint8Array): Address {
  if (b.length !== 20) throw new HexError(`address must be 20 bytes, got ${b.length}`);
  return b as Address;
}

export function asHash(b: Uint8Array): Hash {
  if (b.length !== 32) throw new HexError(`hash must be 32 bytes, got ${b.length}`);
  return b as Hash;
}

export function addressFromHex(hex: string): Address {
  return asAddress(hexToBytes(hex));
}

export function hashFromHex(hex: string): Hash {
  return asHash(hexToBytes(hex));
}

/** Lower-case 0x hex; also the key used for Maps of accounts. */
export function addressToHex(a: Address): string {
  return bytesToHex(a);
}

export function hashToHex(h: Hash): string {
  return bytesToHex(h);
}

export const ZERO_ADDRESS: Address = new Uint8Array(20) as Address;
export const ZERO_HASH: Hash = new Uint8Array(32) as Hash;

/** An address with `n` as its last bytes (system addresses are built this way). */
export function addressFromSuffix(suffix: Uint8Array): Address {
  const out = new Uint8Array(20);
  out.set(suffix, 20 - suffix.length);
  return out as Address;
}
