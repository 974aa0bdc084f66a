/**
 * `gtos import <file...>`: imports RLP-concatenated blocks (go-ethereum's
 * export format) through the normal insert path, with progress. Files are
 * streamed (memory bounded by the largest block, not the file) and all
 * checked readable before the database opens. It stops at the first bad
 * block, naming it and the reason; every block before it stays.
 */
import { hashToHex } from '../../crypto/primitives.js';
import type { GcMode, RetentionConfig } from '../../core/chain/state-retention.js';
import { Blockchain } from '../../core/chain/blockchain.js';
import { InvalidBlockError } from '../../core/chain/block-validator.js';
import { assertReadable, ChainFileError, describeFsError, readChainFile } from '../../core/chain/chain-file.js';
import type { Block } from '../../types/block.js';
import { headerHash } from '../../types/header.js';
import type { BlockExecutor } from '../../core/execution/state-processor.js';
import { TxExecutor } from '../../core/executor/executor.js';
import type { Address } from '../../crypto/primitives.js';
import type { Transaction } from '../../types/transaction.js';
import { openChainDatabase } from '../../node/datadir.js';

export class ImportError extends Error {
  override name = 'ImportError';
  constructor(message: string, readonly blockNumber: bigint | undefined, readonly imported: number) {
    super(message);
  }
}

export interface ImportOptions {
  executor?: BlockExecutor;
  recoverSenders?: (txs: readonly Transaction[], chainId: bigint) => Promise<Address[]>;
  /** Called with each block just before it is inserted (lets the executor pipeline sender recovery ahead). */
  lookahead?: (upcoming: readonly Block[], chainId: bigint) => void;
  progressEveryMs?: number;
  /** As the node's --gcmode: 'full' (default) keeps recent states in memory and writes the head state at the end. */
  gcmode?: GcMode;
  retention?: Partial<RetentionConfig>;
  /** The node's `--cache` in MB. */
  cacheMB?: number;
}

export interface ImportSummary {
  blocks: number;
  skipped: number;
  txs: number;
  ms: number;
  head: bigint;
}

export async function importCommand(files: string[], datadir: string, out: (s: string) => void, opts: ImportOptions = {}): Promise<ImportSummary> {
  // A missing last file must be named before the first one is imported, not after an hour.
  for (const f of files) await assertReadable(f);
  const db = await openChainDatabase(datadir);
  try {
    const exec = opts.executor instanceof TxExecutor ? opts.executor : undefined;
    const chain = await Blockchain.open({
      db, executor: opts.executor, recoverSenders: opts.recoverSenders, gcmode: opts.gcmode ?? 'full', retention: opts.retention, cacheMB: opts.cacheMB,
      rootWorker: exec?.config.parallel ? () => exec.spareCore() : false,
    });
    try {
      return await importInto(chain, files, out, opts);
    } finally {
      // Also after a failed block: what was imported before it keeps its state on disk.
      await chain.stop();
    }
  } finally {
    await db.close();
  }
}

export async function importInto(chain: Blockchain, files: string[], out: (s: string) => void, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  let blocks = 0, skipped = 0, txs = 0;
  let lastReport = started;
  const every = opts.progressEveryMs ?? 2000;
  const report = (final: boolean) => {
    const secs = (performance.now() - started) / 1000;
    const tps = secs > 0 ? Math.round(txs / secs) : 0;
    out(`${final ? 'Imported' : 'Importing'} blocks=${blocks} skipped=${skipped} txs=${txs} elapsed=${secs.toFixed(2)}s tx/s=${tps} head=#${chain.currentHeader().number}`);
  };
  for (const file of files) {
    const stream = readChainFile(file);
    // Decode a window ahead so the executor can recover the next blocks' senders while this one executes.
    const window: Block[] = [];
    let streamError: unknown;
    let eof = false;
    const fill = async () => {
      while (window.length < 4 && !eof && streamError === undefined) {
        try {
          const next = await stream.next();
          if (next.done) eof = true;
          else window.push(next.value.block);
        } catch (e) {
          streamError = e;
        }
      }
    };
    try {
      await fill();
      while (window.length > 0) {
        opts.lookahead?.(window, chain.config.chainId);
        const block = window.shift()!;
        let status;
        try {
          status = await chain.insertBlock(block);
        } catch (e) {
          const why = e instanceof InvalidBlockError ? e.message : (e as Error).message;
          throw new ImportError(
            `import failed at block ${block.header.number} (${hashToHex(headerHash(block.header))}): ${why}`,
            block.header.number, blocks,
          );
        }
        if (status === 'known') skipped++;
        else {
          blocks++;
          txs += block.transactions.length;
        }
        await fill();
        const now = performance.now();
        if (now - lastReport >= every) {
          lastReport = now;
          report(false);
        }
      }
    } finally {
      // Closes the file when an insert failure leaves the stream unfinished.
      await stream.return(undefined);
    }
    if (streamError !== undefined) {
      const after = `after ${blocks + skipped} blocks`;
      // An offset means the bytes are wrong; anything else is the file system failing us.
      if (streamError instanceof ChainFileError && streamError.offset !== undefined) {
        throw new ImportError(`import failed in ${file}: malformed block data ${after}: ${streamError.message}`, undefined, blocks);
      }
      const why = streamError instanceof ChainFileError ? streamError.message : describeFsError(streamError, file);
      throw new ImportError(`import failed reading ${file} ${after}: ${why}`, undefined, blocks);
    }
  }
  report(true);
  return { blocks, skipped, txs, ms: performance.now() - started, head: chain.currentHeader().number };
}
