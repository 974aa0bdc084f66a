/**
 * `gtos db check`: the full integrity check (core/chain/integrity.ts) of a
 * stopped node's database, with a progress line: "database OK" and what was
 * checked, or the first bad block or key as an error (non-zero exit).
 */
import { existsSync } from 'node:fs';
import { ChainStore } from '../../core/chain/chain-store.js';
import { ChainIntegrityError, fullCheck, type IntegrityReport } from '../../core/chain/integrity.js';
import { chainDataPath } from '../../node/datadir.js';
import { LevelDatabase } from '../../state/database.js';

export class DbCheckError extends Error {
  override name = 'DbCheckError';
  constructor(message: string, readonly block?: bigint, readonly key?: string) {
    super(message);
  }
}

export async function dbCheckCommand(datadir: string, out: (s: string) => void, opts: { progressEveryMs?: number } = {}): Promise<IntegrityReport> {
  const path = chainDataPath(datadir);
  // Opening would create an empty database, which then "passes": a wrong --datadir must say so instead.
  if (!existsSync(path)) throw new DbCheckError(`no database at ${path}`);
  const db = await LevelDatabase.open(path);
  try {
    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(2)}s`;
    const every = opts.progressEveryMs ?? 1000;
    let lastReport = -Infinity;
    out(`Checking database ${path}`);
    let report: IntegrityReport;
    try {
      report = fullCheck(new ChainStore(db), db, (what, n) => {
        const now = performance.now();
        if (now - lastReport < every) return;
        lastReport = now;
        out(`Checking ${what} ${what === 'blocks' ? `#${n}` : `n=${n}`} elapsed=${elapsed()}`);
      });
    } catch (e) {
      if (e instanceof ChainIntegrityError) throw new DbCheckError(e.message, e.block, e.key);
      throw e;
    }
    if (report.stateBlock < report.head) {
      out(`The head's state is not on disk (an unclean stop while pruning): the next start re-executes blocks #${report.stateBlock + 1n}..#${report.head}; checked the state of block #${report.stateBlock}`);
    }
    out(`database OK: head=#${report.head} blocks=${report.blocks} txs=${report.txs} accounts=${report.accounts} stateNodes=${report.stateNodes} elapsed=${elapsed()}`);
    return report;
  } finally {
    await db.close();
  }
}
