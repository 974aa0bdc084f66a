/**
 * keccak-256. Hot paths use hash-wasm (a WASM keccak, several times faster than
 * pure JS here); @noble/hashes is the reference the tests compare against.
 * The WASM instance is created once per thread at module load.
 */
import { createKeccak } from 'hash-wasm';
import { keccak_256 } from '@noble/hashes/sha3.js';

const hasher = await createKeccak(256);

export function keccak256(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

/** Hash of several parts without concatenating them first. */
export function keccak256Parts(...parts: Uint8Array[]): Uint8Array {
  hasher.init();
  for (const p of parts) hasher.update(p);
  return hasher.digest('binary');
}

export function keccak256Reference(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}
