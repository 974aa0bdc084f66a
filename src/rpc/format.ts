/**
 * Chain objects → JSON-RPC result objects, field for field as go-ethereum
 * 1.10.25 returns them (so ethers, viem and cast parse them unchanged).
 */
import { bytesToHex } from '../crypto/bytes.js';
import { addressToHex, hashToHex, type Address } from '../crypto/primitives.js';
import type { Block } from '../types/block.js';
import { headerHash, type Header } from '../types/header.js';
import { encodedBlockSize } from '../types/block.js';
import type { Receipt } from '../types/receipt.js';
import type { Transaction } from '../types/transaction.js';
import { toQuantity } from './hex.js';

export function formatHeader(h: Header): Record<string, unknown> {
  const out: Record<string, unknown> = {
    number: toQuantity(h.number),
    hash: hashToHex(headerHash(h)),
    parentHash: hashToHex(h.parentHash),
    nonce: bytesToHex(h.nonce),
    mixHash: hashToHex(h.mixDigest),
    sha3Uncles: hashToHex(h.uncleHash),
    logsBloom: bytesToHex(h.logsBloom),
    stateRoot: hashToHex(h.stateRoot),
    miner: addressToHex(h.coinbase),
    difficulty: toQuantity(h.difficulty),
    extraData: bytesToHex(h.extraData),
    gasLimit: toQuantity(h.gasLimit),
    gasUsed: toQuantity(h.gasUsed),
    timestamp: toQuantity(h.time),
    transactionsRoot: hashToHex(h.txRoot),
    receiptsRoot: hashToHex(h.receiptRoot),
  };
  if (h.baseFee !== undefined) out.baseFeePerGas = toQuantity(h.baseFee);
  return out;
}

export interface TxLocation {
  block: Block;
  index: number;
}

export function formatTx(tx: Transaction, sender: Address, loc?: TxLocation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    blockHash: loc ? hashToHex(headerHash(loc.block.header)) : null,
    blockNumber: loc ? toQuantity(loc.block.header.number) : null,
    from: addressToHex(sender),
    gas: toQuantity(tx.gasLimit),
    gasPrice: toQuantity(loc && tx.type === 2 ? tx.effectiveGasPrice(loc.block.header.baseFee) : tx.gasPrice),
    hash: hashToHex(tx.hash()),
    input: bytesToHex(tx.data),
    nonce: toQuantity(tx.nonce),
    to: tx.to ? addressToHex(tx.to) : null,
    transactionIndex: loc ? toQuantity(loc.index) : null,
    value: toQuantity(tx.value),
    type: toQuantity(tx.type),
    v: toQuantity(tx.v),
    r: toQuantity(tx.r),
    s: toQuantity(tx.s),
  };
  if (tx.type !== 0) {
    out.chainId = toQuantity(tx.chainId ?? 0n);
    out.accessList = tx.accessList.map((a) => ({ address: addressToHex(a.address), storageKeys: a.storageKeys.map((k) => hashToHex(k)) }));
  } else if (tx.chainId !== undefined) {
    out.chainId = toQuantity(tx.chainId);
  }
  if (tx.type === 2) {
    out.maxFeePerGas = toQuantity(tx.maxFeePerGas);
    out.maxPriorityFeePerGas = toQuantity(tx.maxPriorityFeePerGas);
  }
  if (tx.type !== 0) out.yParity = toQuantity(tx.yParity);
  return out;
}

export function formatBlock(block: Block, fullTxs: boolean, senderOf: (tx: Transaction) => Address): Record<string, unknown> {
  const out = formatHeader(block.header);
  out.size = toQuantity(encodedBlockSize(block));
  out.totalDifficulty = undefined;
  out.uncles = [];
  out.transactions = fullTxs
    ? block.transactions.map((tx, i) => formatTx(tx, senderOf(tx), { block, index: i }))
    : block.transactions.map((tx) => hashToHex(tx.hash()));
  return out;
}

export function formatReceipt(
  receipt: Receipt, tx: Transaction, sender: Address, loc: TxLocation, gasUsed: bigint,
): Record<string, unknown> {
  return {
    blockHash: hashToHex(headerHash(loc.block.header)),
    blockNumber: toQuantity(loc.block.header.number),
    contractAddress: null,
    cumulativeGasUsed: toQuantity(receipt.cumulativeGasUsed),
    effectiveGasPrice: toQuantity(tx.effectiveGasPrice(loc.block.header.baseFee)),
    from: addressToHex(sender),
    gasUsed: toQuantity(gasUsed),
    logs: [],
    logsBloom: bytesToHex(receipt.logsBloom),
    status: toQuantity(receipt.status),
    to: tx.to ? addressToHex(tx.to) : null,
    transactionHash: hashToHex(tx.hash()),
    transactionIndex: toQuantity(loc.index),
    type: toQuantity(tx.type),
  };
}

/**
 * A signed tx as go-ethereum's types.Transaction marshals it (the `tx` of eth_signTransaction):
 * no sender or block fields; gasPrice null on an EIP-1559 tx and the fee caps null on the others;
 * chainId and accessList only on typed txs; `to` left out for a creation.
 */
export function formatSignedTx(tx: Transaction): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: toQuantity(tx.type),
    nonce: toQuantity(tx.nonce),
    gasPrice: tx.type === 2 ? null : toQuantity(tx.gasPrice),
    maxPriorityFeePerGas: tx.type === 2 ? toQuantity(tx.maxPriorityFeePerGas) : null,
    maxFeePerGas: tx.type === 2 ? toQuantity(tx.maxFeePerGas) : null,
    gas: toQuantity(tx.gasLimit),
    value: toQuantity(tx.value),
    input: bytesToHex(tx.data),
    v: toQuantity(tx.v),
    r: toQuantity(tx.r),
    s: toQuantity(tx.s),
  };
  if (tx.to) out.to = addressToHex(tx.to);
  if (tx.type !== 0) {
    out.chainId = toQuantity(tx.chainId ?? 0n);
    out.accessList = tx.accessList.map((a) => ({ address: addressToHex(a.address), storageKeys: a.storageKeys.map((k) => hashToHex(k)) }));
  }
  out.hash = hashToHex(tx.hash());
  return out;
}
