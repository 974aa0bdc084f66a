/**
 * The block validator answers exactly two questions, as go-ethereum's does:
 * is the body consistent with the header (ValidateBody), and is the state
 * that executing it produced the one the header claims (ValidateState).
 */
import { bytesToHex, equalBytes } from '../../crypto/bytes.js';
import type { Hash } from '../../crypto/primitives.js';
import type { ExecutionResult } from '../execution/state-processor.js';
import type { Block } from '../../types/block.js';
import { createBloom } from '../../types/bloom.js';
import { EMPTY_UNCLE_HASH } from '../../types/header.js';
import { receiptRoot, txRoot } from '../../types/derive-root.js';
import { orderedTrieRoot } from '../../state/trie/ordered.js';

export type InvalidBlockCode =
  | 'uncles-not-allowed' | 'tx-root-mismatch' | 'gas-used-mismatch' | 'bloom-mismatch'
  | 'receipt-root-mismatch' | 'state-root-mismatch' | 'unknown-parent' | 'bad-header' | 'execution-failed' | 'gas-limit-exceeded';

export class InvalidBlockError extends Error {
  override name = 'InvalidBlockError';
  constructor(readonly code: InvalidBlockCode, message: string, readonly blockNumber?: bigint, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `computedTxRoot`: the body's tx root when the caller had it computed elsewhere (the pool). */
export function validateBody(block: Block, computedTxRoot?: Hash): void {
  if (block.uncles.length > 0 || !equalBytes(block.header.uncleHash, EMPTY_UNCLE_HASH)) {
    throw new InvalidBlockError('uncles-not-allowed', 'uncles not allowed', block.header.number);
  }
  const root = computedTxRoot ?? txRoot(block.transactions, orderedTrieRoot);
  if (!equalBytes(root, block.header.txRoot)) {
    throw new InvalidBlockError('tx-root-mismatch', `transaction root hash mismatch: have ${bytesToHex(root)}, want ${bytesToHex(block.header.txRoot)}`, block.header.number);
  }
}

/**
 * Checks the execution result against the header. The state root was started
 * by the caller (maybe on the state-root worker); the bloom and receipt root
 * are checked here before it is awaited.
 */
export async function validateState(block: Block, result: ExecutionResult, stateRoot: { root(): Promise<Hash> }): Promise<void> {
  const h = block.header;
  if (result.gasUsed !== h.gasUsed) {
    throw new InvalidBlockError('gas-used-mismatch', `invalid gas used: remote ${h.gasUsed}, local ${result.gasUsed}`, h.number);
  }
  const bloom = createBloom(result.receipts);
  if (!equalBytes(bloom, h.logsBloom)) throw new InvalidBlockError('bloom-mismatch', 'invalid bloom', h.number);
  const rroot = receiptRoot(result.receipts, orderedTrieRoot);
  if (!equalBytes(rroot, h.receiptRoot)) {
    throw new InvalidBlockError('receipt-root-mismatch', `invalid receipt root hash: remote ${bytesToHex(h.receiptRoot)}, local ${bytesToHex(rroot)}`, h.number);
  }
  const root = await stateRoot.root();
  if (!equalBytes(root, h.stateRoot)) {
    throw new InvalidBlockError('state-root-mismatch', `invalid merkle root: remote ${bytesToHex(h.stateRoot)}, local ${bytesToHex(root)}`, h.number);
  }
}
