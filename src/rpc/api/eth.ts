/**
 * The `eth_*` namespace (registered again as `tos_*`): chain and state reads,
 * transaction submission, fee suggestions and receipts, as go-ethereum
 * answers them, over a chain that only has transfers and system actions.
 */
import { bytesToHex, equalBytes, hexToBytes } from '../../crypto/bytes.js';
import { addressToHex, hashToHex, type Address, type Hash } from '../../crypto/primitives.js';
import { intrinsicGas } from '../../core/execution/intrinsic-gas.js';
import { isPoolRejection } from '../../core/txpool/errors.js';
import { headerHash } from '../../types/header.js';
import { calcBaseFee } from '../../consensus/eip1559.js';
import { signTransaction, Transaction, type TxFields } from '../../types/transaction.js';
import { SYSTEM_ACTION_ADDRESS, SYS_ACTION_GAS } from '../../sysaction/addresses.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError, RpcError } from '../errors.js';
import { formatBlock, formatReceipt, formatTx } from '../format.js';
import { parseAddress, parseData, parseHash, parseQuantity, toQuantity } from '../hex.js';
import { findHeader, resolveHeader } from './block-tag.js';
import type { NamespaceMethods } from './namespace.js';

function senderOf(b: NodeBackend, tx: Transaction): Address {
  return tx.cachedSender() ?? tx.sender(b.chain.config.chainId);
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new InvalidParamsError(`${field}: expected a boolean`);
  return v;
}

function callObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InvalidParamsError('expected a transaction object');
  return v as Record<string, unknown>;
}

/** Gas a call object needs: intrinsic gas, plus the system-action charge for the system address. */
function estimate(b: NodeBackend, obj: Record<string, unknown>): bigint {
  const dataRaw = obj.input ?? obj.data;
  const data = dataRaw === undefined ? new Uint8Array(0) : parseData(dataRaw, 'data');
  let gas = intrinsicGas(data, [], b.chain.config.txGas);
  if (obj.to !== undefined && obj.to !== null && equalBytes(parseAddress(obj.to, 'to'), SYSTEM_ACTION_ADDRESS)) gas += SYS_ACTION_GAS;
  return gas;
}

export function ethMethods(b: NodeBackend): NamespaceMethods {
  const chain = b.chain;
  const stateFor = (tag: unknown) => chain.stateAt(resolveHeader(b, tag).stateRoot);
  const txByHash = (hash: Hash) => {
    const loc = chain.getTxLocation(hash);
    if (loc) return formatTx(loc.block.transactions[loc.index]!, senderOf(b, loc.block.transactions[loc.index]!), loc);
    const pending = b.pool.get(hash);
    return pending ? formatTx(pending, senderOf(b, pending)) : null;
  };
  const blockResult = (header: ReturnType<typeof findHeader>, full: boolean) => {
    if (!header) return null;
    const block = chain.getBlock(headerHash(header));
    if (!block) return null;
    const out = formatBlock(block, full, (tx) => senderOf(b, tx));
    out.totalDifficulty = toQuantity(chain.store.totalDifficulty(headerHash(header), header.number) ?? 0n);
    return out;
  };
  const submit = async (tx: Transaction): Promise<string> => {
    try {
      await b.pool.addLocal(tx);
    } catch (e) {
      if (isPoolRejection(e)) throw new RpcError(-32000, e.message);
      throw e;
    }
    return hashToHex(tx.hash());
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
    getBalance: { fn: ([a, tag]) => toQuantity(stateFor(tag).getBalance(parseAddress(a, 'address'))), min: 1, max: 2 },
    getTransactionCount: { fn: ([a, tag]) => {
      const addr = parseAddress(a, 'address');
      if (tag === 'pending') return toQuantity(b.pool.nonce(addr));
      return toQuantity(stateFor(tag).getNonce(addr));
    }, min: 1, max: 2 },
    getCode: { fn: ([a, tag]) => bytesToHex(stateFor(tag).getCode(parseAddress(a, 'address'))), min: 1, max: 2 },
    getStorageAt: { fn: ([a, slot, tag]) => {
      const key = parseQuantity(slot, 'slot');
      const slotBytes = hexToBytes(key.toString(16).padStart(64, '0'));
      return bytesToHex(stateFor(tag).getState(parseAddress(a, 'address'), slotBytes as Hash));
    }, min: 2, max: 3 },
    getProof: { fn: ([a, keys, tag]) => {
      if (!Array.isArray(keys)) throw new InvalidParamsError('storageKeys: expected an array');
      const slots = keys.map((k, i) => hexToBytes(parseQuantity(k, `storageKeys[${i}]`).toString(16).padStart(64, '0')) as Hash);
      const p = stateFor(tag).getProof(parseAddress(a, 'address'), slots);
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
    getBlockByNumber: { fn: ([tag, full]) => blockResult(findHeader(b, tag), bool(full, 'fullTransactions')), min: 1, max: 2 },
    getBlockByHash: { fn: ([h, full]) => blockResult(chain.getHeader(parseHash(h, 'blockHash')), bool(full, 'fullTransactions')), min: 1, max: 2 },
    getBlockTransactionCountByNumber: { fn: ([tag]) => {
      const h = findHeader(b, tag);
      const block = h && chain.getBlock(headerHash(h));
      return block ? toQuantity(block.transactions.length) : null;
    }, min: 1, max: 1 },
    getBlockTransactionCountByHash: { fn: ([hash]) => {
      const block = chain.getBlock(parseHash(hash, 'blockHash'));
      return block ? toQuantity(block.transactions.length) : null;
    }, min: 1, max: 1 },
    getTransactionByHash: { fn: ([h]) => txByHash(parseHash(h, 'hash')), min: 1, max: 1 },
    getTransactionByBlockNumberAndIndex: { fn: ([tag, idx]) => {
      const h = findHeader(b, tag);
      const block = h && chain.getBlock(headerHash(h));
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
    sendTransaction: { fn: async ([o]) => {
      const obj = callObject(o);
      const from = parseAddress(obj.from, 'from');
      const signer = b.signers.get(addressToHex(from));
      if (!signer) throw new RpcError(-32000, `unknown account ${addressToHex(from)} (only the dev account or an account unlocked with --allow-insecure-unlock can sign)`);
      const head = chain.currentHeader();
      const to = obj.to === undefined || obj.to === null ? null : parseAddress(obj.to, 'to');
      const dataRaw = obj.input ?? obj.data;
      const data = dataRaw === undefined ? new Uint8Array(0) : parseData(dataRaw, 'data');
      const fields: TxFields = {
        type: obj.gasPrice !== undefined ? 0 : 2,
        chainId: chain.config.chainId,
        nonce: obj.nonce !== undefined ? parseQuantity(obj.nonce, 'nonce') : b.pool.nonce(from),
        gasLimit: obj.gas !== undefined ? parseQuantity(obj.gas, 'gas') : estimate(b, obj),
        to,
        value: obj.value !== undefined ? parseQuantity(obj.value, 'value') : 0n,
        data,
        accessList: [],
      };
      if (fields.type === 0) fields.gasPrice = parseQuantity(obj.gasPrice, 'gasPrice');
      else {
        fields.maxPriorityFeePerGas = obj.maxPriorityFeePerGas !== undefined ? parseQuantity(obj.maxPriorityFeePerGas, 'maxPriorityFeePerGas') : b.suggestedTip;
        fields.maxFeePerGas = obj.maxFeePerGas !== undefined ? parseQuantity(obj.maxFeePerGas, 'maxFeePerGas') : 2n * (head.baseFee ?? 0n) + fields.maxPriorityFeePerGas;
      }
      let tx: Transaction;
      try {
        tx = signTransaction(fields, signer.key);
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) throw new InvalidParamsError(e.message);
        throw e;
      }
      return submit(tx);
    }, min: 1, max: 1 },
    estimateGas: { fn: ([o]) => toQuantity(estimate(b, callObject(o))), min: 1, max: 2 },
    call: { fn: ([o]) => {
      callObject(o);
      return '0x';
    }, min: 1, max: 3 },
    gasPrice: { fn: () => toQuantity((chain.currentHeader().baseFee ?? 0n) + b.suggestedTip), max: 0 },
    maxPriorityFeePerGas: { fn: () => toQuantity(b.suggestedTip), max: 0 },
    feeHistory: { fn: ([count, newest, percentiles]) => feeHistory(b, count, newest, percentiles), min: 2, max: 3 },
  };
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
