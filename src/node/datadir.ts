/**
 * The data directory: `chaindata/` (LevelDB), `keystore/`, and the files the
 * node keeps beside them. Opening the database takes LevelDB's lock, so a
 * second process on the same datadir is refused with a clear message (and a
 * datadir we may not write is named as such, not as "in use").
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeFsError } from '../core/chain/chain-file.js';
import { LevelDatabase } from '../state/database.js';

export function defaultDataDir(): string {
  return join(homedir(), '.gtos');
}

export function chainDataPath(datadir: string): string {
  return join(datadir, 'chaindata');
}

export class DataDirError extends Error {
  override name = 'DataDirError';
}

export async function openChainDatabase(datadir: string): Promise<LevelDatabase> {
  try {
    mkdirSync(datadir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new DataDirError(`cannot create the data directory: ${describeFsError(e, datadir)}`);
  }
  return LevelDatabase.open(chainDataPath(datadir));
}
