/**
 * `gtos export <file> [first] [last]`: writes canonical blocks as concatenated
 * RLP, the format `geth export` writes and `gtos import` reads. The file
 * appears whole or not at all (core/chain/chain-file.ts writeChainFile): a
 * full disk or a damaged block leaves no partial file under the real name.
 */
import { Blockchain } from '../../core/chain/blockchain.js';
import { writeChainFile } from '../../core/chain/chain-file.js';
import { ChainCorruptionError } from '../../core/chain/chain-store.js';
import { encodeBlock } from '../../types/block.js';
import { openChainDatabase } from '../../node/datadir.js';

export class ExportRangeError extends Error {
  override name = 'ExportRangeError';
}

/** A block in the range that could not be read: missing or damaged in the database. */
export class ExportReadError extends Error {
  override name = 'ExportReadError';
  constructor(message: string, readonly blockNumber: bigint) {
    super(message);
  }
}

export async function exportCommand(file: string, first: bigint | undefined, last: bigint | undefined, datadir: string, out: (s: string) => void): Promise<void> {
  const db = await openChainDatabase(datadir);
  try {
    const chain = await Blockchain.open({ db });
    const from = first ?? 0n;
    const to = last ?? chain.currentHeader().number;
    if (from > to) throw new ExportRangeError(`export range is empty: first ${from} > last ${to}`);
    if (to > chain.currentHeader().number) throw new ExportRangeError(`last block ${to} is beyond the head ${chain.currentHeader().number}`);
    await writeChainFile(file, Number(to - from + 1n), (i) => {
      const n = from + BigInt(i);
      let block;
      try {
        block = chain.getBlockByNumber(n);
      } catch (e) {
        // The store's message already names the block; anything else gets it here.
        const why = e instanceof ChainCorruptionError ? e.message : `cannot read block ${n}: ${(e as Error).message}`;
        throw new ExportReadError(`export failed, nothing written: ${why}`, n);
      }
      if (!block) throw new ExportReadError(`export failed, nothing written: block ${n} is missing from the database`, n);
      return encodeBlock(block);
    });
    out(`Exported blocks ${from}..${to} to ${file}`);
  } finally {
    await db.close();
  }
}
