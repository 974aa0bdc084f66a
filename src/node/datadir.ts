/**
 * The data directory: `chaindata/` (LevelDB), `keystore/`, and the files the
 * node keeps beside them. Opening the database takes LevelDB's lock, so a
 * second process on the same datadir is refused with a clear message.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LevelDatabase } from '../state/database.js';

export function defaultDataDir(): string {
  return join(homedir(), '.gtos');
}

export function chainDataPath(datadir: string): string {
  return join(datadir, 'chaindata');
}

export async function openChainDatabase(datadir: string): Promise<LevelDatabase> {
  mkdirSync(datadir, { recursive: true, mode: 0o700 });
  return LevelDatabase.open(chainDataPath(datadir));
}
