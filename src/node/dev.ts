/**
 * Dev mode: one clique signer whose key is created once (empty password, as
 * geth --dev) and kept in the datadir keystore, and a genesis rendered from
 * config/dev-genesis.json with that signer in extraData and prefunded. The
 * rendered genesis is kept in the datadir, so restarts continue the chain.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex } from '../crypto/bytes.js';
import { addressToHex, type Address } from '../crypto/primitives.js';
import { KeystoreDir } from '../crypto/keystore-dir.js';
import { LIGHT_SCRYPT } from '../crypto/keystore.js';
import { parseGenesis, type Genesis } from '../core/chain/genesis.js';

/** The package's config/ folder, found upward from this module (works from dist/ and from other build dirs). */
function findConfigDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'config', 'dev-genesis.json'))) return join(dir, 'config');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find config/dev-genesis.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const CONFIG_DIR = findConfigDir();

export interface DevSetup {
  genesis: Genesis;
  signer: Address;
  key: Uint8Array;
}

export function devSetup(datadir: string, period: number, gasLimit: bigint): DevSetup {
  const ks = new KeystoreDir(join(datadir, 'keystore'));
  let accounts = ks.list();
  if (accounts.length === 0) {
    ks.create('', LIGHT_SCRYPT);
    accounts = ks.list();
  }
  const signer = accounts[0]!;
  const key = ks.unlock(signer, '');
  const rendered = join(datadir, 'dev-genesis.json');
  if (!existsSync(rendered)) {
    const template = readFileSync(join(CONFIG_DIR, 'dev-genesis.json'), 'utf8');
    const extra = '0x' + '00'.repeat(32) + bytesToHex(signer, false) + '00'.repeat(65);
    const doc = JSON.parse(template.replace('{{EXTRA_DATA}}', extra).replace('{{DEV_ACCOUNT}}', addressToHex(signer)));
    doc.config.clique.period = period;
    doc.gasLimit = '0x' + gasLimit.toString(16);
    writeFileSync(rendered, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  }
  return { genesis: parseGenesis(JSON.parse(readFileSync(rendered, 'utf8'))), signer, key };
}
