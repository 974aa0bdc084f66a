/**
 * The `eth_*` namespace (registered again as `tos_*`): chain and state reads,
 * transaction submission and signing, gas estimates and calls (the pool's
 * admission checks, as there is no EVM to run), fee suggestions and receipts,
 * as go-ethereum answers them, over a chain that only has transfers and
 * system actions.
 */
import { bytesToHex, hexToBytes } from '../../crypto/bytes.js';
import { addressToHex, hashToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { IntrinsicGasError } from '../../core/execution/errors.js';
import { intrinsicGas } from '../../core/execution/intrinsic-gas.js';
import { headerHash } from '../../types/header.js';
import type { Block } from '../../types/block.js';
import { calcBaseFee } from '../../consensus/eip1559.js';
import { signTransaction, Transaction, type TxFields } from '../../types/transaction.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import { formatBlock, formatReceipt, formatSignedTx, formatTx } from '../format.js';
import { parseAddress, parseData, parseHash, parseQuantity, toQuantity } from '../hex.js';
import { resolveBlock, resolveHeader, resolveState } from './block-tag.js';
import type { NamespaceMethods } from './namespace.js';
import { signMessageFor } from './personal.js';
import { fillTx, gasNeeded, parseTxArgs, precheck, rethrowRejection, signerFor } from './tx-args.js';

function senderOf(b: NodeBackend, tx: Transaction): Address {
  return tx.cachedSender() ?? tx.sender(b.chain.config.chainId);
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new InvalidParamsError(`${field}: expected a boolean`);
  return v;
}

/** Signs what fillTx made; a field the encoding cannot carry is the caller's mistake (invalid params). */
function signFilled(fields: TxFields, key: Uint8Array): Transaction {
  try {
    return signTransaction(fields, key);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new InvalidParamsError(e.message);
    throw e;
  }
}

export function ethMethods(b: NodeBackend): NamespaceMethods {
  const chain = b.chain;
  const stateFor = (tag: unknown) => resolveState(b, tag);
  const txByHash = (hash: Hash) => {
    const loc = chain.getTxLocation(hash);
    if (loc) return formatTx(loc.block.transactions[loc.index]!, senderOf(b, loc.block.transactions[loc.index]!), loc);
    const pending = b.pool.get(hash);
    return pending ? formatTx(pending, senderOf(b, pending)) : null;
  };
  const blockResult = (found: { block: Block; pending: boolean } | undefined, full: boolean) => {
    if (!found) return null;
    const { block, pending } = found;
    const out = formatBlock(block, full, (tx) => senderOf(b, tx));
    if (pending) {
      // As geth: the unsealed block has no hash, seal nonce or signer yet, and no total difficulty.
      out.hash = out.nonce = out.miner = null;
      out.totalDifficulty = null;
    } else {
      out.totalDifficulty = toQuantity(chain.store.totalDifficulty(headerHash(block.header), block.header.number) ?? 0n);
    }
    return out;
  };
  const submit = async (tx: Transaction): Promise<string> => {
    checkTxFee(b, tx);
    try {
      await b.pool.addLocal(tx);
    } catch (e) {
      rethrowRejection(e);
    }
    return hashToHex(tx.hash());
  };
  /** eth_sendTransaction / eth_signTransaction: parsed, filled and signed by the sender's key. */
  const signCallObject = (o: unknown): Transaction => {
    const args = parseTxArgs(o, chain.config.chainId);
    // As geth: no `from` is the zero address, an account nobody signs for.
    const from = args.from ?? (new Uint8Array(20) as Address);
    const { key } = signerFor(b, from); // before the defaults, as geth: a stranger costs no nonce lookup
    return signFilled(fillTx(b, args, from), key);
  };

  return {
    chainId: { fn: () => toQuantity(chain.config.chainId), max: 0 },
    blockNumber: { fn: () => toQuantity(chain.currentHeader().number), max: 0 },
    syncing: { fn: () => {
      const s = b.p2p?.syncing();
      if (!s) return false;
      return { startingBlock: toQuantity(s.startingBlock), currentBlock: toQuantity(s.currentBlock), highestBlock: toQuantity(s.highestBlock) };
    }, max: 0 },
    accounts: { fn: () => [...b.signers.values()].map((s) => addressToHex(s.address)), max: 0 },
    coinbase: { fn: () => {
      const first = [...b.signers.values()][0];
      if (!first) throw new RpcError(-32000, 'etherbase must be explicitly specified');
      return addressToHex(first.address);
    }, max: 0 },
    mining: { fn: () => b.miner?.isRunning ?? false, max: 0 },
    getBalance: { fn: async ([a, tag]) => toQuantity((await stateFor(tag)).getBalance(parseAddress(a, 'address'))), min: 1, max: 2 },
    getTransactionCount: { fn: async ([a, tag]) => {
      const addr = parseAddress(a, 'address');
      // Every pooled tx of the sender, not only those the pending block holds (what wallets need for the next nonce).
      if (tag === 'pending') return toQuantity(b.pool.nonce(addr));
      return toQuantity((await stateFor(tag)).getNonce(addr));
    }, min: 1, max: 2 },
    getCode: { fn: async ([a, tag]) => bytesToHex((await stateFor(tag)).getCode(parseAddress(a, 'address'))), min: 1, max: 2 },
    getStorageAt: { fn: async ([a, slot, tag]) => {
      const key = parseQuantity(slot, 'slot');
      const slotBytes = hexToBytes(key.toString(16).padStart(64, '0'));
      return bytesToHex((await stateFor(tag)).getState(parseAddress(a, 'address'), slotBytes as Hash));
    }, min: 2, max: 3 },
    getProof: { fn: async ([a, keys, tag]) => {
      if (!Array.isArray(keys)) throw new InvalidParamsError('storageKeys: expected an array');
      const slots = keys.map((k, i) => hexToBytes(parseQuantity(k, `storageKeys[${i}]`).toString(16).padStart(64, '0')) as Hash);
      const p = (await stateFor(tag)).getProof(parseAddress(a, 'address'), slots);
      return {
        address: addressToHex(p.address),
        accountProof: p.accountProof.map((n) => bytesToHex(n)),
        balance: toQuantity(p.balance),
        codeHash: hashToHex(p.codeHash),
        nonce: toQuantity(p.nonce),
        storageHash: hashToHex(p.storageHash),
        storageProof: p.storageProof.map((s) => ({ key: hashToHex(s.key), value: toQuantity(s.value), proof: s.proof.map((n) => bytesToHex(n)) })),
      };
    }, min: 2, max: 3 },
    getBlockByNumber: { fn: async ([tag, full]) => blockResult(await resolveBlock(b, tag), bool(full, 'fullTransactions')), min: 1, max: 2 },
    getBlockByHash: { fn: ([h, full]) => {
      const block = chain.getBlock(parseHash(h, 'blockHash'));
      return blockResult(block && { block, pending: false }, bool(full, 'fullTransactions'));
    }, min: 1, max: 2 },
    getBlockTransactionCountByNumber: { fn: async ([tag]) => {
      const found = await resolveBlock(b, tag);
      return found ? toQuantity(found.block.transactions.length) : null;
    }, min: 1, max: 1 },
    getBlockTransactionCountByHash: { fn: ([hash]) => {
      const block = chain.getBlock(parseHash(hash, 'blockHash'));
      return block ? toQuantity(block.transactions.length) : null;
    }, min: 1, max: 1 },
    getTransactionByHash: { fn: ([h]) => txByHash(parseHash(h, 'hash')), min: 1, max: 1 },
    getTransactionByBlockNumberAndIndex: { fn: async ([tag, idx]) => {
      const block = (await resolveBlock(b, tag))?.block;
      const i = Number(parseQuantity(idx, 'index'));
      const tx = block?.transactions[i];
      return tx && block ? formatTx(tx, senderOf(b, tx), { block, index: i }) : null;
    }, min: 2, max: 2 },
    getTransactionReceipt: { fn: ([h]) => {
      const loc = chain.getTxLocation(parseHash(h, 'hash'));
      if (!loc) return null;
      const receipts = chain.getReceipts(headerHash(loc.block.header));
      const r = receipts?.[loc.index];
      if (!r) return null;
      const prev = loc.index > 0 ? receipts![loc.index - 1]!.cumulativeGasUsed : 0n;
      const tx = loc.block.transactions[loc.index]!;
      return formatReceipt(r, tx, senderOf(b, tx), loc, r.cumulativeGasUsed - prev);
    }, min: 1, max: 1 },
    sendRawTransaction: { fn: async ([raw]) => {
      const bytes = parseData(raw, 'data');
      let tx: Transaction;
      try {
        tx = Transaction.decode(bytes);
      } catch (e) {
        // RLP and field-validation failures alike: the client sent a transaction we cannot decode.
        throw new RpcError(-32000, `invalid transaction: ${(e as Error).message}`);
      }
      return submit(tx);
    }, min: 1, max: 1, pipelined: true },
    sendTransaction: { fn: ([o]) => submit(signCallObject(o)), min: 1, max: 1 },
    // As geth: the signed tx and its encoding, not sent. Unlike geth 1.10, which wants gas, price and
    // nonce given, they are filled as for eth_sendTransaction (what later clients expect).
    signTransaction: { fn: ([o]) => {
      const tx = signCallObject(o);
      return { raw: bytesToHex(tx.encode()), tx: formatSignedTx(tx) };
    }, min: 1, max: 1 },
    sign: { fn: ([a, data]) => signMessageFor(b, a, data), min: 2, max: 2 },
    // The gas is known without running anything (intrinsic gas, plus the system-action charge), so
    // the estimate is the pool's admission checks and that sum. The state defaults to the head,
    // where geth takes the pending block: the head is what the pool admits against, and an estimate
    // (ethers asks for one before every send) then never builds a block.
    estimateGas: { fn: async ([o, tag]) => {
      const args = parseTxArgs(o, chain.config.chainId);
      const need = gasNeeded(b, args);
      precheck(b, args, await stateFor(tag), args.gas ?? need);
      // geth's search ceiling: the given gas when it is at least a transfer's, else the block's limit.
      let cap = args.gas !== undefined && args.gas >= chain.config.txGas ? args.gas : chain.currentHeader().gasLimit;
      if (b.gasCap && cap > b.gasCap) cap = b.gasCap;
      if (need > cap) throw new RpcError(-32000, `gas required exceeds allowance (${cap})`);
      return toQuantity(need);
    }, min: 1, max: 2 },
    // Nothing to execute (no EVM): a call that passes the admission checks returns no data.
    call: { fn: async ([o, tag]) => {
      const args = parseTxArgs(o, chain.config.chainId);
      // As geth: gas above the cap is lowered to it, not refused.
      if (b.gasCap && args.gas !== undefined && args.gas > b.gasCap) args.gas = b.gasCap;
      precheck(b, args, await stateFor(tag), args.gas ?? gasNeeded(b, args));
      const intrinsic = intrinsicGas(args.data, args.accessList ?? [], chain.config.txGas);
      if (args.gas !== undefined && args.gas < intrinsic) rethrowRejection(new IntrinsicGasError(args.gas, intrinsic));
      return '0x';
    }, min: 1, max: 3 },
    gasPrice: { fn: () => toQuantity((chain.currentHeader().baseFee ?? 0n) + b.suggestedTip), max: 0 },
    maxPriorityFeePerGas: { fn: () => toQuantity(b.suggestedTip), max: 0 },
    feeHistory: { fn: ([count, newest, percentiles]) => feeHistory(b, count, newest, percentiles), min: 2, max: 3 },
  };
}

/** The refusal geth's checkTxFee gives when gasLimit × fee cap is over --rpc.txfeecap (compared in wei; printed in ether as geth). */
function checkTxFee(b: NodeBackend, tx: Transaction): void {
  if (!b.txFeeCap) return;
  const fee = tx.gasLimit * tx.maxFeePerGas;
  if (fee <= b.txFeeCap) return;
  const ether = (wei: bigint) => (Number(wei) / 1e18).toFixed(2);
  throw new RpcError(-32000, `tx fee (${ether(fee)} ether) exceeds the configured cap (${ether(b.txFeeCap)} ether)`);
}

/** eth_feeHistory: base fees (one more than blocks), gas used ratios, tip percentiles weighted by gas. */
function feeHistory(b: NodeBackend, countRaw: unknown, newestRaw: unknown, pctRaw: unknown) {
  const count = typeof countRaw === 'number' ? BigInt(countRaw) : parseQuantity(countRaw, 'blockCount');
  if (count < 1n) throw new InvalidParamsError('blockCount must be at least 1');
  const n = count > 1024n ? 1024n : count;
  const newest = resolveHeader(b, newestRaw);
  const pcts = pctRaw === undefined || pctRaw === null ? [] : pctRaw;
  if (!Array.isArray(pcts) || pcts.some((p, i) => typeof p !== 'number' || p < 0 || p > 100 || (i > 0 && p < (pcts[i - 1] as number)))) {
    throw new InvalidParamsError('rewardPercentiles must be increasing numbers in [0, 100]');
  }
  const first = newest.number - n + 1n < 0n ? 0n : newest.number - n + 1n;
  const baseFees: string[] = [], ratios: number[] = [], rewards: string[][] = [];
  let last = newest;
  for (let num = first; num <= newest.number; num++) {
    const block = b.chain.getBlockByNumber(num)!;
    const h = block.header;
    last = h;
    baseFees.push(toQuantity(h.baseFee ?? 0n));
    ratios.push(h.gasLimit === 0n ? 0 : Number(h.gasUsed) / Number(h.gasLimit));
    if (pcts.length) {
      const receipts = b.chain.getReceipts(headerHash(h)) ?? [];
      const items = block.transactions.map((tx, i) => {
        const used = receipts[i] ? receipts[i]!.cumulativeGasUsed - (i > 0 ? receipts[i - 1]!.cumulativeGasUsed : 0n) : 0n;
        return { tip: tx.effectiveTip(h.baseFee ?? 0n), used };
      }).sort((x, y) => (x.tip < y.tip ? -1 : x.tip > y.tip ? 1 : 0));
      rewards.push((pcts as number[]).map((p) => {
        if (items.length === 0) return '0x0';
        const threshold = (Number(h.gasUsed) * p) / 100;
        let acc = 0;
        for (const it of items) {
          acc += Number(it.used);
          if (acc >= threshold) return toQuantity(it.tip);
        }
        return toQuantity(items[items.length - 1]!.tip);
      }));
    }
  }
  // The base fee after the newest block.
  baseFees.push(toQuantity(calcBaseFee(last)));
  const out: Record<string, unknown> = { oldestBlock: toQuantity(first), baseFeePerGas: baseFees, gasUsedRatio: ratios };
  if (pcts.length) out.reward = rewards;
  return out;
}
