/**
 * The 2048-bit logs bloom. No EVM means no logs, so every receipt's bloom is
 * empty, but the block bloom is still computed (OR of receipt blooms) and
 * validated like go-ethereum's, so a forged bloom is caught.
 */
import type { Receipt } from './receipt.js';

export const BLOOM_BYTES = 256;

export function createBloom(receipts: readonly Receipt[]): Uint8Array {
  const out = new Uint8Array(BLOOM_BYTES);
  for (const r of receipts) for (let i = 0; i < BLOOM_BYTES; i++) out[i]! |= r.logsBloom[i]!;
  return out;
}
