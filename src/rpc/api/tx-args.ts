/**
 * go-ethereum's TransactionArgs for this chain: a call object parsed once for eth_sendTransaction,
 * eth_signTransaction, eth_estimateGas and eth_call; the defaults a signed tx gets (nonce, gas,
 * fees: geth's setDefaults); the accounts the node signs for; and the pool's admission rules run
 * on a call object, so a dry run refuses what eth_sendRawTransaction would, with the same message.
 */
import { equalBytes } from '../../crypto/bytes.js';
import { addressToHex, type Address } from '../../crypto/primitives.js';
import { intrinsicGas } from '../../core/execution/intrinsic-gas.js';
import { InsufficientFundsError } from '../../core/execution/errors.js';
import { checkFeeFields } from '../../core/execution/state-transition.js';
import { isPoolRejection, TxPoolError } from '../../core/txpool/errors.js';
import { checkTxPayload } from '../../core/txpool/txpool.js';
import type { StateDB } from '../../state/statedb/statedb.js';
import { SYSTEM_ACTION_ADDRESS, SYS_ACTION_GAS } from '../../sysaction/addresses.js';
import type { AccessListItem, TxFields } from '../../types/transaction.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import { parseAddress, parseData, parseHash, parseQuantity, parseUint64 } from '../hex.js';

export interface TxArgs {
  from?: Address;
  /** null: contract creation (which the pool refuses). */
  to: Address | null;
  data: Uint8Array;
  value: bigint;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  nonce?: bigint;
  accessList?: AccessListItem[];
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

function parseAccessList(v: unknown): AccessListItem[] {
  if (!Array.isArray(v)) throw new InvalidParamsError("invalid argument 'accessList': expected an array");
  return v.map((e, i) => {
    if (!e || typeof e !== 'object') throw new InvalidParamsError(`invalid argument 'accessList[${i}]': expected an object`);
    const o = e as Record<string, unknown>;
    const keys = o.storageKeys ?? [];
    if (!Array.isArray(keys)) throw new InvalidParamsError(`invalid argument 'accessList[${i}].storageKeys': expected an array`);
    return { address: parseAddress(o.address, `accessList[${i}].address`), storageKeys: keys.map((k, j) => parseHash(k, `accessList[${i}].storageKeys[${j}]`)) };
  });
}

/**
 * A transaction object as geth's TransactionArgs decodes it: malformed or out-of-range quantities
 * (a 257-bit value, a gas above 2^64) are invalid params; the combinations geth refuses in
 * setDefaults are −32000 with geth's text.
 */
export function parseTxArgs(v: unknown, chainId: bigint): TxArgs {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InvalidParamsError('expected a transaction object');
  const o = v as Record<string, unknown>;
  const input = given(o.input) ? parseData(o.input, 'input') : undefined;
  const data = given(o.data) ? parseData(o.data, 'data') : undefined;
  if (input && data && !equalBytes(input, data)) {
    throw new RpcError(-32000, 'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data');
  }
  const args: TxArgs = {
    from: given(o.from) ? parseAddress(o.from, 'from') : undefined,
    to: given(o.to) ? parseAddress(o.to, 'to') : null,
    data: input ?? data ?? new Uint8Array(0),
    value: given(o.value) ? parseQuantity(o.value, 'value') : 0n,
    gas: given(o.gas) ? parseUint64(o.gas, 'gas') : undefined,
    gasPrice: given(o.gasPrice) ? parseQuantity(o.gasPrice, 'gasPrice') : undefined,
    maxFeePerGas: given(o.maxFeePerGas) ? parseQuantity(o.maxFeePerGas, 'maxFeePerGas') : undefined,
    maxPriorityFeePerGas: given(o.maxPriorityFeePerGas) ? parseQuantity(o.maxPriorityFeePerGas, 'maxPriorityFeePerGas') : undefined,
    nonce: given(o.nonce) ? parseUint64(o.nonce, 'nonce') : undefined,
    accessList: given(o.accessList) ? parseAccessList(o.accessList) : undefined,
  };
  if (args.gasPrice !== undefined && (args.maxFeePerGas !== undefined || args.maxPriorityFeePerGas !== undefined)) {
    throw new RpcError(-32000, 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified');
  }
  if (given(o.chainId)) {
    const have = parseQuantity(o.chainId, 'chainId');
    if (have !== chainId) throw new RpcError(-32000, `chainId does not match node's (have=${have}, want=${chainId})`);
  }
  return args;
}

/** What the tx costs in gas here: intrinsic gas, plus the fixed system-action charge for the system address. */
export function gasNeeded(b: NodeBackend, args: TxArgs): bigint {
  let gas = intrinsicGas(args.data, args.accessList ?? [], b.chain.config.txGas);
  if (args.to !== null && equalBytes(args.to, SYSTEM_ACTION_ADDRESS)) gas += SYS_ACTION_GAS;
  return gas;
}

/** The key eth_sendTransaction, eth_signTransaction, eth_sign and personal_sign sign with. */
export function signerFor(b: NodeBackend, from: Address): { address: Address; key: Uint8Array } {
  const signer = b.signers.get(addressToHex(from));
  if (!signer) throw new RpcError(-32000, `unknown account ${addressToHex(from)} (only the dev account or an account unlocked with --allow-insecure-unlock can sign)`);
  return signer;
}

/**
 * The fields of the tx to sign, geth's setDefaults: gasPrice makes it legacy (EIP-2930 with an
 * access list), otherwise EIP-1559 with the suggested tip and a fee cap of twice the head's base
 * fee plus the tip; the nonce counts the sender's pooled txs; the gas is the estimate.
 */
export function fillTx(b: NodeBackend, args: TxArgs, from: Address): TxFields {
  const chain = b.chain;
  const fields: TxFields = {
    type: args.gasPrice !== undefined ? (args.accessList ? 1 : 0) : 2,
    chainId: chain.config.chainId,
    nonce: args.nonce ?? b.pool.nonce(from),
    gasLimit: args.gas ?? gasNeeded(b, args),
    to: args.to,
    value: args.value,
    data: args.data,
    accessList: args.accessList ?? [],
  };
  if (fields.type !== 2) fields.gasPrice = args.gasPrice;
  else {
    fields.maxPriorityFeePerGas = args.maxPriorityFeePerGas ?? b.suggestedTip;
    fields.maxFeePerGas = args.maxFeePerGas ?? 2n * (chain.currentHeader().baseFee ?? 0n) + fields.maxPriorityFeePerGas;
    rejecting(() => checkFeeFields({ maxFeePerGas: fields.maxFeePerGas!, maxPriorityFeePerGas: fields.maxPriorityFeePerGas! }));
  }
  return fields;
}

/**
 * The pool's admission rules, in its order, for a call object that is never signed
 * (eth_estimateGas, eth_call), against `state`, charging `gas`: contract creation, data off the
 * system address and malformed system actions (checkTxPayload), the block gas limit, the fee
 * fields, and the balance for gas * price + value. Without a price only the value must be covered,
 * as geth's calls charge no gas; without a `from` there is no balance to check (geth would take the
 * zero address; an estimate of what a tx costs should not depend on it). The nonce is not checked:
 * a call is no tx, as in geth.
 */
export function precheck(b: NodeBackend, args: TxArgs, state: StateDB, gas: bigint): void {
  rejecting(() => {
    checkTxPayload(args.to, args.data);
    if (args.gas !== undefined && args.gas > b.chain.currentHeader().gasLimit) throw new TxPoolError('gas-limit');
    if (args.maxFeePerGas !== undefined && args.maxPriorityFeePerGas !== undefined) {
      checkFeeFields({ maxFeePerGas: args.maxFeePerGas, maxPriorityFeePerGas: args.maxPriorityFeePerGas });
    }
    if (args.from) {
      const want = gas * (args.gasPrice ?? args.maxFeePerGas ?? 0n) + args.value;
      const have = state.getBalance(args.from);
      if (have < want) throw new InsufficientFundsError(have, want);
    }
  });
}

/** A pool or consensus refusal becomes the −32000 geth answers with, its message unchanged; anything else passes. */
export function rethrowRejection(e: unknown): never {
  if (isPoolRejection(e)) throw new RpcError(-32000, e.message);
  throw e;
}

/** Runs fn, turning its refusals into RPC errors (rethrowRejection). */
export function rejecting<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    return rethrowRejection(e);
  }
}
