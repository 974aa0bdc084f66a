/**
 * Codecs against other implementations (ethers v6, ethereumjs) on seeded
 * random txs and headers, and strict decoding: each malformed input is
 * refused with a typed error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transaction as EthersTx, Wallet } from 'ethers';
import { createBlockHeader } from '@ethereumjs/block';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, hexToBytes, concatBytes } from '../../../src/crypto/bytes.js';
import { asAddress } from '../../../src/crypto/primitives.js';
import { InvalidSignatureError, SECP256K1_N } from '../../../src/crypto/secp256k1.js';
import { ChainIdMismatchError, signTransaction, Transaction, TxDecodeError, type TxType } from '../../../src/core/types/transaction.js';
import { decodeHeader, encodeHeader, headerHash, HeaderDecodeError, type Header } from '../../../src/core/types/header.js';
import { decodeBlock, encodeBlock, readBlockStream, BlockDecodeError } from '../../../src/core/types/block.js';
import { decodeReceipt, encodeReceipt } from '../../../src/core/types/receipt.js';
import { RlpError, decodeRlp } from '../../../src/crypto/rlp.js';
import { Rng } from '../../util/rng.js';

function randomTx(rng: Rng, type: TxType, key: Uint8Array) {
  return signTransaction({
    type, chainId: 1337n, nonce: rng.bigint(1000n), gasLimit: 21000n + rng.bigint(100000n),
    to: rng.bool(0.1) ? null : asAddress(rng.bytes(20)), value: rng.bigint(10n ** 21n), data: rng.bytes(rng.int(40)),
    gasPrice: rng.bigint(10n ** 11n), maxFeePerGas: 10n ** 11n + rng.bigint(10n ** 11n), maxPriorityFeePerGas: rng.bigint(10n ** 11n),
    accessList: type === 0 ? [] : rng.bool() ? [{ address: asAddress(rng.bytes(20)), storageKeys: [rng.bytes(32) as never] }] : [],
  }, key);
}

test('txs agree with ethers v6: encoding, hash, sender, and parsing both ways', () => {
  const rng = new Rng(31);
  for (let i = 0; i < 300; i++) {
    const key = rng.privateKey();
    const wallet = new Wallet(bytesToHex(key));
    const tx = randomTx(rng, rng.pick([0, 1, 2] as const), key);
    const raw = bytesToHex(tx.encode());
    const parsed = EthersTx.from(raw);
    assert.equal(parsed.hash, bytesToHex(tx.hash()), `seed 31 tx ${i} hash`);
    assert.equal(parsed.from!.toLowerCase(), wallet.address.toLowerCase(), `seed 31 tx ${i} sender`);
    assert.equal(bytesToHex(tx.sender(1337n)), wallet.address.toLowerCase());
    assert.equal(parsed.unsignedHash, bytesToHex(tx.signingHash()));
    // ethers → ours
    const back = Transaction.decode(hexToBytes(parsed.serialized));
    assert.equal(bytesToHex(back.encode()), raw);
  }
});

test('headers hash like ethereumjs, with and without baseFee; blocks and receipts round-trip', () => {
  const rng = new Rng(32);
  for (let i = 0; i < 50; i++) {
    const h: Header = {
      parentHash: rng.bytes(32) as never, uncleHash: rng.bytes(32) as never, coinbase: asAddress(rng.bytes(20)), stateRoot: rng.bytes(32) as never,
      txRoot: rng.bytes(32) as never, receiptRoot: rng.bytes(32) as never, logsBloom: rng.bytes(256), difficulty: rng.bigint(1000n),
      number: rng.bigint(10n ** 9n), gasLimit: 5000n + rng.bigint(10n ** 8n), gasUsed: rng.bigint(5000n), time: rng.bigint(10n ** 10n),
      extraData: rng.bytes(rng.int(97)), mixDigest: rng.bytes(32) as never, nonce: rng.bytes(8),
    };
    if (rng.bool()) h.baseFee = rng.bigint(10n ** 10n);
    const common = new Common({ chain: Mainnet, hardfork: h.baseFee === undefined ? Hardfork.Berlin : Hardfork.London });
    const theirs = createBlockHeader({ ...h, transactionsTrie: h.txRoot, receiptTrie: h.receiptRoot, baseFeePerGas: h.baseFee, timestamp: h.time, mixHash: h.mixDigest }, { common, skipConsensusFormatValidation: true });
    assert.equal(bytesToHex(headerHash(h)), bytesToHex(theirs.hash()), `seed 32 header ${i}`);
    assert.deepEqual(decodeHeader(encodeHeader(h)), h);
  }
  const key = rng.privateKey();
  const txs = [randomTx(rng, 0, key), randomTx(rng, 1, key), randomTx(rng, 2, key)];
  const header = decodeHeader(encodeHeader({ parentHash: new Uint8Array(32), uncleHash: new Uint8Array(32), coinbase: new Uint8Array(20), stateRoot: new Uint8Array(32), txRoot: new Uint8Array(32), receiptRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), difficulty: 1n, number: 1n, gasLimit: 1n, gasUsed: 0n, time: 0n, extraData: new Uint8Array(0), mixDigest: new Uint8Array(32), nonce: new Uint8Array(8), baseFee: 7n } as never));
  const block = { header, transactions: txs, uncles: [] };
  const enc = encodeBlock(block);
  assert.deepEqual(encodeBlock(decodeBlock(enc)), enc);
  const stream = [...readBlockStream(concatBytes(enc, enc, enc))];
  assert.equal(stream.length, 3);
  assert.throws(() => [...readBlockStream(concatBytes(enc, enc.subarray(0, enc.length - 3)))], BlockDecodeError);
  for (const type of [0, 1, 2] as const) {
    const r = { type, status: 1 as const, cumulativeGasUsed: 123456n, logsBloom: new Uint8Array(256), logs: [] };
    const e = encodeReceipt(r);
    assert.deepEqual(decodeReceipt(e), r);
    const body = RLP.encode([Uint8Array.of(1), 123456, new Uint8Array(256), []] as never);
    assert.deepEqual(e, type === 0 ? body : concatBytes(Uint8Array.of(type), body));
  }
});

test('strict decoding refuses malformed input with typed errors', () => {
  const rng = new Rng(33);
  const key = rng.privateKey();
  const tx = randomTx(rng, 2, key);
  const legacy = randomTx(rng, 0, key);
  const raw = tx.encode();
  assert.throws(() => Transaction.decode(concatBytes(raw, Uint8Array.of(0))), TxDecodeError, 'trailing bytes');
  assert.throws(() => Transaction.decode(Uint8Array.of(0x03, 0xc0)), TxDecodeError, 'unknown type');
  assert.throws(() => Transaction.decode(Uint8Array.of(0x00, 0xc0)), TxDecodeError, 'type 0 prefix');
  assert.throws(() => Transaction.decode(new Uint8Array(0)), TxDecodeError);
  // Non-canonical: a single byte < 0x80 wrapped as a string; leading zeros in a length; long form for a short string.
  assert.throws(() => decodeRlp(Uint8Array.of(0x81, 0x05)), RlpError);
  assert.throws(() => decodeRlp(Uint8Array.of(0xb8, 0x02, 1, 2)), RlpError);
  assert.throws(() => decodeRlp(Uint8Array.of(0xb9, 0x00, 0x40, ...new Uint8Array(64))), RlpError);
  const fields = RLP.decode(legacy.encode()) as Uint8Array[];
  const reenc = (f: Uint8Array[]) => RLP.encode(f as never);
  assert.throws(() => Transaction.decode(reenc(fields.slice(0, 8))), TxDecodeError, 'wrong field count');
  assert.throws(() => Transaction.decode(reenc([Uint8Array.of(0, 1), ...fields.slice(1)])), TxDecodeError, 'integer with leading zero');
  assert.throws(() => Transaction.decode(reenc([new Uint8Array(9).fill(1), ...fields.slice(1)])), TxDecodeError, 'nonce over 64 bits');
  assert.throws(() => Transaction.decode(reenc([...fields.slice(0, 3), new Uint8Array(19), ...fields.slice(4)])), TxDecodeError, 'bad address length');
  assert.throws(() => Transaction.decode(reenc([...fields.slice(0, 6), Uint8Array.of(30), ...fields.slice(7)])), TxDecodeError, 'bad v');
  assert.throws(() => Transaction.decode(reenc([...fields.slice(0, 7), new Uint8Array(0), fields[8]!])), TxDecodeError, 'zero r');
  const nBytes = hexToBytes(SECP256K1_N.toString(16));
  assert.throws(() => Transaction.decode(reenc([...fields.slice(0, 8), nBytes])), TxDecodeError, 's out of range');
  // High s (EIP-2) decodes but has no sender; another chain's tx is refused by the signer.
  const high = reenc([...fields.slice(0, 8), hexToBytes((SECP256K1_N - 5n).toString(16).padStart(64, '0'))]);
  assert.throws(() => Transaction.decode(high).sender(1337n), InvalidSignatureError);
  assert.throws(() => Transaction.decode(legacy.encode()).sender(1n), ChainIdMismatchError);
  const hdr = encodeHeader({ parentHash: new Uint8Array(32), uncleHash: new Uint8Array(32), coinbase: new Uint8Array(20), stateRoot: new Uint8Array(32), txRoot: new Uint8Array(32), receiptRoot: new Uint8Array(32), logsBloom: new Uint8Array(256), difficulty: 1n, number: 1n, gasLimit: 1n, gasUsed: 0n, time: 0n, extraData: new Uint8Array(0), mixDigest: new Uint8Array(32), nonce: new Uint8Array(8) } as never);
  const hf = RLP.decode(hdr) as Uint8Array[];
  assert.throws(() => decodeHeader(RLP.encode([...hf.slice(0, 14)] as never)), HeaderDecodeError, 'header field count');
  assert.throws(() => decodeHeader(RLP.encode([...hf.slice(0, 6), new Uint8Array(255), ...hf.slice(7)] as never)), HeaderDecodeError, 'bloom size');
  assert.throws(() => decodeHeader(RLP.encode([...hf.slice(0, 14), new Uint8Array(7)] as never)), HeaderDecodeError, 'nonce size');
});
