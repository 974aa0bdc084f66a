/**
 * `gtos export <file> [first] [last]`: writes canonical blocks as concatenated
 * RLP, the format `geth export` writes and `gtos import` reads.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Blockchain } from '../../core/chain/blockchain.js';
import { encodeBlock } from '../../types/block.js';
import { openChainDatabase } from '../../node/datadir.js';

export class ExportRangeError extends Error {
  override name = 'ExportRangeError';
}

export async function exportCommand(file: string, first: bigint | undefined, last: bigint | undefined, datadir: string, out: (s: string) => void): Promise<void> {
  const db = await openChainDatabase(datadir);
  try {
    const chain = await Blockchain.open({ db });
    const from = first ?? 0n;
    const to = last ?? chain.currentHeader().number;
    if (from > to) throw new ExportRangeError(`export range is empty: first ${from} > last ${to}`);
    if (to > chain.currentHeader().number) throw new ExportRangeError(`last block ${to} is beyond the head ${chain.currentHeader().number}`);
    const ws = createWriteStream(file, { mode: 0o644 });
    for (let n = from; n <= to; n++) {
      const block = chain.getBlockByNumber(n);
      if (!block) throw new ExportRangeError(`block ${n} is missing from the database`);
      if (!ws.write(encodeBlock(block))) await once(ws, 'drain');
    }
    ws.end();
    await once(ws, 'finish');
    out(`Exported blocks ${from}..${to} to ${file}`);
  } finally {
    await db.close();
  }
}
