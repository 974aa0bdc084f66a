/**
 * Builds real clique-sealed chains for tests and benches: a go-ethereum
 * genesis JSON with the given signers and allocations, and blocks made by
 * executing txs serially on the parent state, sealing with the in-turn (or a
 * chosen) signer, and inserting through the normal Blockchain path.
 */
import { bytesToHex, concatBytes } from '../../src/crypto/bytes.js';
import { addressToHex, ZERO_ADDRESS, ZERO_HASH, type Address } from '../../src/crypto/primitives.js';
import { Blockchain, type BlockchainOptions } from '../../src/core/chain/blockchain.js';
import { parseGenesis, type Genesis } from '../../src/core/chain/genesis.js';
import { executeSerial } from '../../src/core/execution/state-processor.js';
import type { Block } from '../../src/types/block.js';
import { createBloom } from '../../src/types/bloom.js';
import { receiptRoot, txRoot } from '../../src/types/derive-root.js';
import { orderedTrieRoot } from '../../src/state/trie/ordered.js';
import { EMPTY_BLOOM, EMPTY_UNCLE_HASH, headerHash, type Header } from '../../src/types/header.js';
import type { Transaction } from '../../src/types/transaction.js';
import { calcBaseFee } from '../../src/consensus/eip1559.js';
import { MemoryDatabase, type KeyValueStore } from '../../src/state/database.js';
import type { TestAccount } from './accounts.js';

export const GENESIS_TIME = 1_600_000_000n;

export interface ChainSpec {
  chainId?: bigint;
  signers: TestAccount[];
  alloc: { address: Address; balance: bigint; code?: Uint8Array }[];
  period?: number;
  epoch?: number;
  txGas?: bigint;
  gasLimit?: bigint;
}

export function genesisJson(spec: ChainSpec): Record<string, unknown> {
  const signers = [...spec.signers].sort((a, b) => (bytesToHex(a.address) < bytesToHex(b.address) ? -1 : 1));
  const extra = concatBytes(new Uint8Array(32), ...signers.map((s) => s.address), new Uint8Array(65));
  const alloc: Record<string, unknown> = {};
  for (const a of spec.alloc) {
    alloc[addressToHex(a.address)] = { balance: '0x' + a.balance.toString(16), ...(a.code ? { code: bytesToHex(a.code) } : {}) };
  }
  const config: Record<string, unknown> = {
    chainId: Number(spec.chainId ?? 1337n),
    homesteadBlock: 0, eip150Block: 0, eip155Block: 0, eip158Block: 0, byzantiumBlock: 0, constantinopleBlock: 0,
    petersburgBlock: 0, istanbulBlock: 0, berlinBlock: 0, londonBlock: 0,
    clique: { period: spec.period ?? 1, epoch: spec.epoch ?? 30000 },
  };
  if (spec.txGas !== undefined) config.txGas = Number(spec.txGas);
  return {
    config,
    nonce: '0x0',
    timestamp: '0x' + GENESIS_TIME.toString(16),
    extraData: bytesToHex(extra),
    gasLimit: '0x' + (spec.gasLimit ?? 30_000_000n).toString(16),
    difficulty: '0x1',
    baseFeePerGas: '0x3b9aca00',
    mixHash: bytesToHex(ZERO_HASH),
    coinbase: addressToHex(ZERO_ADDRESS),
    alloc,
  };
}

export class ChainBuilder {
  readonly blocks: Block[] = [];
  private constructor(readonly spec: ChainSpec, readonly genesis: Genesis, readonly chain: Blockchain, readonly db: KeyValueStore) {}

  static async create(spec: ChainSpec, db: KeyValueStore = new MemoryDatabase(), chainOpts: Partial<BlockchainOptions> = {}): Promise<ChainBuilder> {
    const genesis = parseGenesis(genesisJson(spec));
    const chain = await Blockchain.open({ ...chainOpts, db, genesis });
    return new ChainBuilder(spec, genesis, chain, db);
  }

  private signerFor(number: bigint): TestAccount {
    const sorted = [...this.spec.signers].sort((a, b) => (bytesToHex(a.address) < bytesToHex(b.address) ? -1 : 1));
    return sorted[Number(number % BigInt(sorted.length))]!;
  }

  /** Builds, seals and inserts the next block on the current head. */
  async addBlock(txs: Transaction[], opts: { signer?: TestAccount; timeDelta?: bigint } = {}): Promise<Block> {
    const block = this.makeBlock(this.chain.currentHeader(), txs, opts);
    await this.chain.insertBlock(block);
    this.blocks.push(block);
    return block;
  }

  /** Builds and seals a block on `parent` without inserting it. */
  makeBlock(parent: Header, txs: Transaction[], opts: { signer?: TestAccount; timeDelta?: bigint } = {}): Block {
    const number = parent.number + 1n;
    const signer = opts.signer ?? this.signerFor(number);
    const engine = this.chain.engine;
    const header: Header = {
      parentHash: headerHash(parent),
      uncleHash: EMPTY_UNCLE_HASH,
      coinbase: ZERO_ADDRESS,
      stateRoot: ZERO_HASH,
      txRoot: ZERO_HASH,
      receiptRoot: ZERO_HASH,
      logsBloom: EMPTY_BLOOM,
      difficulty: engine.calcDifficulty(this.chain.headerReader, parent, signer.address),
      number,
      gasLimit: parent.gasLimit,
      gasUsed: 0n,
      time: parent.time + (opts.timeDelta ?? BigInt(this.spec.period ?? 1)),
      extraData: concatBytes(new Uint8Array(32), new Uint8Array(65)),
      mixDigest: ZERO_HASH,
      nonce: new Uint8Array(8),
      baseFee: calcBaseFee(parent),
    };
    const state = this.chain.stateAt(parent.stateRoot);
    const senders = txs.map((tx) => tx.sender(this.genesis.config.chainId));
    const ctx = this.chain.blockContext(header, signer.address);
    const res = executeSerial(ctx, state, txs, senders, header.gasLimit);
    header.gasUsed = res.gasUsed;
    header.stateRoot = state.intermediateRoot(true);
    header.txRoot = txRoot(txs, orderedTrieRoot);
    header.receiptRoot = receiptRoot(res.receipts, orderedTrieRoot);
    header.logsBloom = createBloom(res.receipts);
    const sealed = engine.seal(header, signer.key);
    return { header: sealed, transactions: txs, uncles: [] };
  }
}
