/**
 * The journal of state changes within a transaction, for snapshot/revert,
 * and the set of accounts each tx dirtied (what finalise looks at for
 * EIP-158). Mirrors go-ethereum 1.10.25's journal entries.
 */
import type { Account } from './account.js';

export type JournalEntry =
  | { kind: 'create'; key: string }
  | { kind: 'reset'; key: string; prev: unknown }
  | { kind: 'balance'; key: string; prev: bigint }
  | { kind: 'nonce'; key: string; prev: bigint }
  | { kind: 'storage'; key: string; slot: string; prev: Uint8Array | undefined }
  | { kind: 'code'; key: string; prevCode: Uint8Array | undefined; prevHash: Account['codeHash'] }
  | { kind: 'touch'; key: string };

export class Journal {
  entries: JournalEntry[] = [];
  readonly dirties = new Map<string, number>();

  append(e: JournalEntry): void {
    this.entries.push(e);
    this.dirties.set(e.key, (this.dirties.get(e.key) ?? 0) + 1);
  }

  /** Undoes entries back to `length`, newest first. */
  revert(length: number, undo: (e: JournalEntry) => void): void {
    for (let i = this.entries.length - 1; i >= length; i--) {
      const e = this.entries[i]!;
      undo(e);
      const n = (this.dirties.get(e.key) ?? 1) - 1;
      if (n === 0) this.dirties.delete(e.key);
      else this.dirties.set(e.key, n);
    }
    this.entries.length = length;
  }

  reset(): void {
    this.entries = [];
    this.dirties.clear();
  }
}
