/**
 * Block header: fields, canonical RLP (baseFee appended from London on), and
 * the block hash keccak(rlp(header)), cached per header object (headers are
 * immutable once hashed).
 */
import { bigintToBytes } from '../crypto/bytes.js';
import { keccak256 } from '../crypto/keccak.js';
import { asAddress, asHash, type Address, type Hash } from '../crypto/primitives.js';
import { decodeRlp, decodeUint, encodeRlp, expectBytes, expectList, RlpError, type RlpItem } from './rlp.js';

export interface Header {
  parentHash: Hash;
  uncleHash: Hash;
  coinbase: Address;
  stateRoot: Hash;
  txRoot: Hash;
  receiptRoot: Hash;
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  time: bigint;
  extraData: Uint8Array;
  mixDigest: Hash;
  nonce: Uint8Array;
  baseFee?: bigint;
}

/**
 * A copy whose byte fields own their memory. A decoded header's fields are
 * views into the message or file chunk it came from (a whole block, or
 * megabytes of a chain file): a header kept in a cache must not pin that.
 */
export function detachHeader(h: Header): Header {
  return {
    ...h,
    parentHash: h.parentHash.slice() as Hash, uncleHash: h.uncleHash.slice() as Hash, coinbase: h.coinbase.slice() as Address,
    stateRoot: h.stateRoot.slice() as Hash, txRoot: h.txRoot.slice() as Hash, receiptRoot: h.receiptRoot.slice() as Hash,
    logsBloom: h.logsBloom.slice(), extraData: h.extraData.slice(), mixDigest: h.mixDigest.slice() as Hash, nonce: h.nonce.slice(),
  };
}

export class HeaderDecodeError extends RlpError {
  override name = 'HeaderDecodeError';
}

export const EMPTY_BLOOM = new Uint8Array(256);
/** keccak(rlp([])). */
export const EMPTY_UNCLE_HASH: Hash = keccak256(new Uint8Array([0xc0])) as Hash;

/**
 * Fixed-size fields are checked on the way out too: a wrong-sized field would
 * otherwise hash into a header that no peer (nor our own decoder) accepts.
 */
function checkShape(h: Header): void {
  const sizes: [string, Uint8Array, number][] = [
    ['parentHash', h.parentHash, 32], ['uncleHash', h.uncleHash, 32], ['coinbase', h.coinbase, 20],
    ['stateRoot', h.stateRoot, 32], ['txRoot', h.txRoot, 32], ['receiptRoot', h.receiptRoot, 32],
    ['logsBloom', h.logsBloom, 256], ['mixDigest', h.mixDigest, 32], ['nonce', h.nonce, 8],
  ];
  for (const [name, v, n] of sizes) if (v.length !== n) throw new TypeError(`header ${name} must be ${n} bytes, got ${v.length}`);
}

export function headerToRlpFields(h: Header): Uint8Array[] {
  checkShape(h);
  const f = [
    h.parentHash, h.uncleHash, h.coinbase, h.stateRoot, h.txRoot, h.receiptRoot, h.logsBloom,
    bigintToBytes(h.difficulty), bigintToBytes(h.number), bigintToBytes(h.gasLimit), bigintToBytes(h.gasUsed),
    bigintToBytes(h.time), h.extraData, h.mixDigest, h.nonce,
  ];
  if (h.baseFee !== undefined) f.push(bigintToBytes(h.baseFee));
  return f;
}

export function encodeHeader(h: Header): Uint8Array {
  return encodeRlp(headerToRlpFields(h));
}

export function headerFromFields(item: RlpItem): Header {
  try {
    const f = expectList(item, [15, 16], 'header');
    const h: Header = {
      parentHash: asHash(expectBytes(f[0], 'parentHash', 32)),
      uncleHash: asHash(expectBytes(f[1], 'uncleHash', 32)),
      coinbase: asAddress(expectBytes(f[2], 'coinbase', 20)),
      stateRoot: asHash(expectBytes(f[3], 'stateRoot', 32)),
      txRoot: asHash(expectBytes(f[4], 'txRoot', 32)),
      receiptRoot: asHash(expectBytes(f[5], 'receiptRoot', 32)),
      logsBloom: expectBytes(f[6], 'logsBloom', 256),
      difficulty: decodeUint(f[7], 256, 'difficulty'),
      number: decodeUint(f[8], 64, 'number'),
      gasLimit: decodeUint(f[9], 64, 'gasLimit'),
      gasUsed: decodeUint(f[10], 64, 'gasUsed'),
      time: decodeUint(f[11], 64, 'time'),
      extraData: expectBytes(f[12], 'extraData'),
      mixDigest: asHash(expectBytes(f[13], 'mixDigest', 32)),
      nonce: expectBytes(f[14], 'nonce', 8),
    };
    if (f.length === 16) h.baseFee = decodeUint(f[15], 256, 'baseFee');
    return h;
  } catch (e) {
    if (e instanceof HeaderDecodeError) throw e;
    throw new HeaderDecodeError(`invalid header: ${(e as Error).message}`, { cause: e });
  }
}

export function decodeHeader(bytes: Uint8Array): Header {
  let item: RlpItem;
  try {
    item = decodeRlp(bytes);
  } catch (e) {
    throw new HeaderDecodeError(`invalid header: ${(e as Error).message}`, { cause: e });
  }
  return headerFromFields(item);
}

const hashes = new WeakMap<Header, Hash>();

export function headerHash(h: Header): Hash {
  let v = hashes.get(h);
  if (!v) {
    v = keccak256(encodeHeader(h)) as Hash;
    hashes.set(h, v);
  }
  return v;
}
