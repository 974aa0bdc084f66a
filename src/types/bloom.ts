/**
 * The 2048-bit logs bloom (go-ethereum's bloom9). No EVM means no logs, so
 * every receipt's bloom is empty, but the block bloom is still computed (OR
 * of receipt blooms) and validated like go-ethereum's, so a forged bloom is
 * caught; bloomAdd/bloomContains keep log filters honest should logs appear.
 */
import { keccak256 } from '../crypto/keccak.js';
import type { Receipt } from './receipt.js';

export const BLOOM_BYTES = 256;

/** 256 bytes, big-endian bit order as in the header. */
export type Bloom = Uint8Array;

export function newBloom(): Bloom {
  return new Uint8Array(BLOOM_BYTES);
}

/** The three (byte index, bit mask) pairs an entry sets: bits from the first 6 bytes of keccak(data). */
function bloomBits(data: Uint8Array): [number, number][] {
  const h = keccak256(data);
  const out: [number, number][] = [];
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    out.push([BLOOM_BYTES - 1 - (bit >> 3), 1 << (bit & 7)]);
  }
  return out;
}

/** Adds an address or topic to `bloom` in place. */
export function bloomAdd(bloom: Bloom, data: Uint8Array): void {
  for (const [i, m] of bloomBits(data)) bloom[i]! |= m;
}

/** May have false positives, never false negatives. */
export function bloomContains(bloom: Bloom, data: Uint8Array): boolean {
  return bloomBits(data).every(([i, m]) => (bloom[i]! & m) === m);
}

export function createBloom(receipts: readonly Receipt[]): Bloom {
  const out = newBloom();
  for (const r of receipts) for (let i = 0; i < BLOOM_BYTES; i++) out[i]! |= r.logsBloom[i]!;
  return out;
}
