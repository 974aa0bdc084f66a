/**
 * Transactions: legacy (EIP-155), EIP-2930 and EIP-1559, byte-identical to
 * go-ethereum 1.10.25. Decoding is strict (this parses untrusted bytes from
 * RPC and peers). The canonical encoding, hash and recovered sender are
 * cached on the object; senders recovered by worker threads are installed
 * with setSender.
 */
import { bigintToBytes, concatBytes } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/keccak.js';
import { asAddress, asHash, type Address, type Hash } from '../crypto/primitives.js';
import { recoverAddress, sign, SECP256K1_N } from '../crypto/secp256k1.js';
import { decodeRlp, decodeUint, encodeRlp, expectBytes, expectList, RlpError, type RlpItem } from './rlp.js';

export type TxType = 0 | 1 | 2;

export interface AccessListItem {
  address: Address;
  storageKeys: Hash[];
}

export interface TxFields {
  type: TxType;
  chainId?: bigint;
  nonce: bigint;
  gasPrice?: bigint;
  maxPriorityFeePerGas?: bigint;
  maxFeePerGas?: bigint;
  gasLimit: bigint;
  to: Address | null;
  value: bigint;
  data: Uint8Array;
  accessList?: AccessListItem[];
}

export class TxDecodeError extends RlpError {
  override name = 'TxDecodeError';
}

export class ChainIdMismatchError extends Error {
  override name = 'ChainIdMismatchError';
  constructor(readonly have: bigint, readonly want: bigint) {
    super(`invalid chain id for signer: have ${have} want ${want}`);
  }
}

interface SignedFields extends TxFields {
  v: bigint;
  r: bigint;
  s: bigint;
  yParity: number;
}

const big = bigintToBytes;

function encodeAccessList(list: readonly AccessListItem[]): RlpItem {
  return list.map((a) => [a.address, a.storageKeys as Uint8Array[]]);
}

function decodeAccessList(item: RlpItem | undefined): AccessListItem[] {
  if (!Array.isArray(item)) throw new TxDecodeError('accessList: expected a list');
  return item.map((entry, i) => {
    const e = expectList(entry, 2, `accessList[${i}]`);
    const keys = e[1];
    if (!Array.isArray(keys)) throw new TxDecodeError(`accessList[${i}].storageKeys: expected a list`);
    return {
      address: asAddress(expectBytes(e[0], `accessList[${i}].address`, 20)),
      storageKeys: keys.map((k, j) => asHash(expectBytes(k, `accessList[${i}].storageKeys[${j}]`, 32))),
    };
  });
}

function decodeTo(item: RlpItem | undefined): Address | null {
  const b = expectBytes(item, 'to');
  if (b.length === 0) return null;
  if (b.length !== 20) throw new TxDecodeError(`to: expected 0 or 20 bytes, got ${b.length}`);
  return asAddress(b);
}

function checkRS(r: bigint, s: bigint): void {
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) throw new TxDecodeError('invalid transaction v, r, s values');
}

const U64 = 1n << 64n;
const U256 = 1n << 256n;

/**
 * What we sign must be what we (and geth) would decode: field widths as the
 * decoder enforces them, and no access list on a legacy tx (it has none on
 * the wire, so the object would disagree with its own encoding).
 */
function checkFields(f: TxFields): void {
  const widths: [string, bigint | undefined, bigint][] = [
    ['nonce', f.nonce, U64], ['gasLimit', f.gasLimit, U64], ['value', f.value, U256], ['chainId', f.chainId, U256],
    ['gasPrice', f.gasPrice, U256], ['maxFeePerGas', f.maxFeePerGas, U256], ['maxPriorityFeePerGas', f.maxPriorityFeePerGas, U256],
  ];
  for (const [name, v, limit] of widths) if (v !== undefined && (v < 0n || v >= limit)) throw new RangeError(`${name} out of range: ${v}`);
  // A legacy tx carries its chain id inside v, which the decoder caps at 256 bits.
  if (f.type === 0 && f.chainId !== undefined && f.chainId * 2n + 36n >= U256) throw new RangeError(`chainId out of range for a legacy tx: ${f.chainId}`);
  if (f.type === 0 && f.accessList !== undefined && f.accessList.length > 0) throw new TypeError('legacy transactions have no access list');
  if (f.to !== null && f.to.length !== 20) throw new TypeError(`to must be 20 bytes, got ${f.to.length}`);
  for (const a of f.accessList ?? []) {
    if (a.address.length !== 20 || a.storageKeys.some((k) => k.length !== 32)) throw new TypeError('access list entries need 20-byte addresses and 32-byte keys');
  }
}

export class Transaction {
  readonly type: TxType;
  readonly chainId: bigint | undefined;
  readonly nonce: bigint;
  readonly gasPrice: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly gasLimit: bigint;
  readonly to: Address | null;
  readonly value: bigint;
  readonly data: Uint8Array;
  readonly accessList: AccessListItem[];
  readonly v: bigint;
  readonly r: bigint;
  readonly s: bigint;
  readonly yParity: number;
  private encoded: Uint8Array | undefined;
  private hashValue: Hash | undefined;
  private senderValue: Address | undefined;

  private constructor(f: SignedFields, encoded?: Uint8Array) {
    this.type = f.type;
    this.chainId = f.chainId;
    this.nonce = f.nonce;
    this.gasLimit = f.gasLimit;
    this.to = f.to;
    this.value = f.value;
    this.data = f.data;
    this.accessList = f.accessList ?? [];
    if (f.type === 2) {
      this.maxPriorityFeePerGas = f.maxPriorityFeePerGas!;
      this.maxFeePerGas = f.maxFeePerGas!;
      this.gasPrice = f.maxFeePerGas!;
    } else {
      this.gasPrice = f.gasPrice!;
      this.maxPriorityFeePerGas = f.gasPrice!;
      this.maxFeePerGas = f.gasPrice!;
    }
    this.v = f.v;
    this.r = f.r;
    this.s = f.s;
    this.yParity = f.yParity;
    this.encoded = encoded;
  }

  /** Canonical binary form (eth_sendRawTransaction; typed: type byte ‖ rlp(payload)). */
  static decode(bytes: Uint8Array): Transaction {
    if (bytes.length === 0) throw new TxDecodeError('empty transaction');
    const first = bytes[0]!;
    try {
      if (first >= 0xc0) return Transaction.fromLegacy(decodeRlp(bytes), bytes);
      if (first === 1 || first === 2) return Transaction.fromTyped(first, decodeRlp(bytes.subarray(1)), bytes);
    } catch (e) {
      if (e instanceof TxDecodeError) throw e;
      throw new TxDecodeError(`invalid transaction: ${(e as Error).message}`, { cause: e });
    }
    throw new TxDecodeError(`transaction type not supported: 0x${first.toString(16).padStart(2, '0')}`);
  }

  /** As a tx appears inside a block body: legacy as a list, typed as a string holding type ‖ payload. */
  static fromBlockItem(item: RlpItem): Transaction {
    if (Array.isArray(item)) {
      try {
        return Transaction.fromLegacy(item, undefined);
      } catch (e) {
        if (e instanceof TxDecodeError) throw e;
        throw new TxDecodeError(`invalid transaction: ${(e as Error).message}`, { cause: e });
      }
    }
    if (item.length > 0 && item[0]! >= 0xc0) throw new TxDecodeError('typed transaction expected inside a string item');
    return Transaction.decode(item);
  }

  private static fromLegacy(item: RlpItem, raw: Uint8Array | undefined): Transaction {
    const f = expectList(item, 9, 'legacy transaction');
    const v = decodeUint(f[6], 256, 'v');
    const r = decodeUint(f[7], 256, 'r');
    const s = decodeUint(f[8], 256, 's');
    let chainId: bigint | undefined;
    let yParity: number;
    if (v === 27n || v === 28n) {
      yParity = Number(v - 27n);
    } else if (v >= 35n) {
      chainId = (v - 35n) / 2n;
      yParity = Number((v - 35n) % 2n);
    } else {
      throw new TxDecodeError(`invalid transaction v value ${v}`);
    }
    checkRS(r, s);
    return new Transaction({
      type: 0, chainId, nonce: decodeUint(f[0], 64, 'nonce'), gasPrice: decodeUint(f[1], 256, 'gasPrice'),
      gasLimit: decodeUint(f[2], 64, 'gas'), to: decodeTo(f[3]), value: decodeUint(f[4], 256, 'value'),
      data: expectBytes(f[5], 'data'), v, r, s, yParity,
    }, raw);
  }

  private static fromTyped(type: 1 | 2, item: RlpItem, raw: Uint8Array): Transaction {
    const f = expectList(item, type === 1 ? 11 : 12, type === 1 ? 'access list transaction' : 'dynamic fee transaction');
    const o = type === 1 ? 0 : 1;
    const v = decodeUint(f[8 + o], 256, 'yParity');
    if (v > 1n) throw new TxDecodeError(`invalid yParity ${v}`);
    const r = decodeUint(f[9 + o], 256, 'r');
    const s = decodeUint(f[10 + o], 256, 's');
    checkRS(r, s);
    const common = {
      chainId: decodeUint(f[0], 256, 'chainId'),
      nonce: decodeUint(f[1], 64, 'nonce'),
      gasLimit: decodeUint(f[3 + o], 64, 'gas'),
      to: decodeTo(f[4 + o]),
      value: decodeUint(f[5 + o], 256, 'value'),
      data: expectBytes(f[6 + o], 'data'),
      accessList: decodeAccessList(f[7 + o]),
      v, r, s, yParity: Number(v),
    };
    if (type === 1) return new Transaction({ type, ...common, gasPrice: decodeUint(f[2], 256, 'gasPrice') }, raw);
    return new Transaction({ type, ...common, maxPriorityFeePerGas: decodeUint(f[2], 256, 'maxPriorityFeePerGas'), maxFeePerGas: decodeUint(f[3], 256, 'maxFeePerGas') }, raw);
  }

  /** Fields common to the payload and the signing preimage. */
  private payload(withSig: boolean): RlpItem[] {
    const to = this.to ?? new Uint8Array(0);
    const sig = withSig ? [big(this.type === 0 ? this.v : BigInt(this.yParity)), big(this.r), big(this.s)] : [];
    if (this.type === 0) {
      const base = [big(this.nonce), big(this.gasPrice), big(this.gasLimit), to, big(this.value), this.data];
      if (withSig) return [...base, ...sig];
      return this.chainId !== undefined ? [...base, big(this.chainId), new Uint8Array(0), new Uint8Array(0)] : base;
    }
    const fees = this.type === 1 ? [big(this.gasPrice)] : [big(this.maxPriorityFeePerGas), big(this.maxFeePerGas)];
    return [big(this.chainId!), big(this.nonce), ...fees, big(this.gasLimit), to, big(this.value), this.data, encodeAccessList(this.accessList), ...sig];
  }

  encode(): Uint8Array {
    if (!this.encoded) {
      const body = encodeRlp(this.payload(true));
      this.encoded = this.type === 0 ? body : concatBytes(new Uint8Array([this.type]), body);
    }
    return this.encoded;
  }

  blockItem(): RlpItem {
    return this.type === 0 ? this.payload(true) : this.encode();
  }

  hash(): Hash {
    this.hashValue ??= keccak256(this.encode()) as Hash;
    return this.hashValue;
  }

  signingHash(): Hash {
    const body = encodeRlp(this.payload(false));
    return keccak256(this.type === 0 ? body : concatBytes(new Uint8Array([this.type]), body)) as Hash;
  }

  sender(chainId: bigint): Address {
    if (this.chainId !== undefined && this.chainId !== chainId) throw new ChainIdMismatchError(this.chainId, chainId);
    this.senderValue ??= recoverAddress(this.signingHash(), { r: this.r, s: this.s, yParity: this.yParity }, true);
    return this.senderValue;
  }

  cachedSender(): Address | undefined {
    return this.senderValue;
  }

  setSender(a: Address): void {
    this.senderValue = a;
  }

  /** Installs a hash computed elsewhere (a worker hashed the same canonical bytes). */
  setHash(h: Hash): void {
    this.hashValue ??= h;
  }

  effectiveGasPrice(baseFee: bigint | undefined): bigint {
    if (this.type !== 2 || baseFee === undefined) return this.gasPrice;
    const p = baseFee + this.maxPriorityFeePerGas;
    return p < this.maxFeePerGas ? p : this.maxFeePerGas;
  }

  effectiveTip(baseFee: bigint | undefined): bigint {
    if (baseFee === undefined) return this.maxPriorityFeePerGas;
    const room = this.maxFeePerGas - baseFee;
    return this.maxPriorityFeePerGas < room ? this.maxPriorityFeePerGas : room;
  }

  cost(): bigint {
    return this.gasLimit * this.maxFeePerGas + this.value;
  }

  size(): number {
    return this.encode().length;
  }

  /** Builds and signs a tx (legacy with a chain id is EIP-155). */
  static sign(fields: TxFields, privateKey: Uint8Array): Transaction {
    checkFields(fields);
    const unsigned = new Transaction({ ...fields, accessList: fields.accessList ?? [], v: 0n, r: 1n, s: 1n, yParity: 0 });
    const sig = sign(unsigned.signingHash(), privateKey);
    const v = fields.type === 0 ? (fields.chainId !== undefined ? fields.chainId * 2n + 35n + BigInt(sig.yParity) : 27n + BigInt(sig.yParity)) : BigInt(sig.yParity);
    const tx = new Transaction({ ...fields, accessList: fields.accessList ?? [], v, r: sig.r, s: sig.s, yParity: sig.yParity });
    return tx;
  }
}

export function signTransaction(fields: TxFields, privateKey: Uint8Array): Transaction {
  if (fields.type !== 0 && fields.chainId === undefined) throw new TypeError('typed transactions need a chain id');
  if (fields.type === 2 && (fields.maxFeePerGas === undefined || fields.maxPriorityFeePerGas === undefined)) throw new TypeError('EIP-1559 transactions need maxFeePerGas and maxPriorityFeePerGas');
  if (fields.type !== 2 && fields.gasPrice === undefined) throw new TypeError('legacy and EIP-2930 transactions need gasPrice');
  return Transaction.sign(fields, privateKey);
}
