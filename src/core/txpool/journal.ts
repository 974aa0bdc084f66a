/**
 * The local-transaction journal (go-ethereum's transactions.rlp): a file of
 * RLP-framed tx encodings, appended to once per admission batch and rewritten
 * atomically on the rejournal interval and at stop. The append descriptor
 * stays open between batches: opening the file per batch cost about as much
 * as the write itself under a flood of RPC txs (2 % of the node's CPU).
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { RLP } from '@ethereumjs/rlp';
import { logger } from '../../util/log.js';

const log = logger('txpool');

export class TxJournal {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Why the last append failed. */
  lastError: Error | undefined;

  /**
   * Appends one batch of tx encodings; false when the file would not take it
   * (logged once per failure streak, never thrown). A partly written batch is
   * cut back, so the file ends on a whole entry.
   */
  append(encodings: readonly Uint8Array[]): boolean {
    if (!encodings.length) return true;
    let start = -1;
    try {
      this.fd ??= openSync(this.path, 'a', 0o600);
      start = fstatSync(this.fd).size;
      const buf = Buffer.concat(encodings.map((e) => RLP.encode(e)));
      for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off);
      this.lastError = undefined;
      return true;
    } catch (e) {
      if (this.fd !== undefined && start >= 0) {
        try {
          ftruncateSync(this.fd, start);
        } catch {
          // The torn tail is then dropped by load(): entries before it are whole.
        }
      }
      this.closeFd();
      if (!this.lastError) log.error('Failed to journal local transactions', { count: encodings.length, err: (e as Error).message });
      this.lastError = e as Error;
      return false;
    }
  }

  /**
   * Replaces the journal with `encodings`. Atomic: a temp file renamed only
   * once fully written; on failure the old journal stays and the temp file is
   * removed. Never throws (shutdown calls it).
   */
  rotate(encodings: readonly Uint8Array[]): boolean {
    const tmp = `${this.path}.new`;
    this.closeFd();
    try {
      writeFileSync(tmp, Buffer.concat(encodings.map((e) => RLP.encode(e))), { mode: 0o600 });
      renameSync(tmp, this.path);
      return true;
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // The file system refuses even that (read-only): nothing more to do here.
      }
      log.error('Failed to rewrite the local transaction journal; the previous one is kept', { err: (e as Error).message });
      return false;
    }
  }

  /** The journal's entries in order; a torn tail (crash mid-append) ends it and counts as one dropped entry. */
  load(): { entries: Uint8Array[]; torn: boolean } {
    if (!existsSync(this.path)) return { entries: [], torn: false };
    let rest: Uint8Array = readFileSync(this.path);
    const entries: Uint8Array[] = [];
    while (rest.length > 0) {
      try {
        const { data, remainder } = RLP.decode(rest, true) as unknown as { data: Uint8Array; remainder: Uint8Array };
        if (!(data instanceof Uint8Array)) throw new Error('not a byte string');
        entries.push(data);
        rest = remainder;
      } catch {
        return { entries, torn: true };
      }
    }
    return { entries, torn: false };
  }

  close(): void {
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already unusable: the next append reopens.
    }
    this.fd = undefined;
  }
}
