/**
 * The node's p2p identity: an Ed25519 key from a 32-byte seed created once
 * and kept in `<datadir>/nodekey` (0600), so the peer id survives restarts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';

export async function loadNodeKey(datadir: string) {
  const file = join(datadir, 'nodekey');
  let seed: Uint8Array;
  if (existsSync(file)) {
    seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (seed.length !== 32) throw new Error(`${file} must hold a 32-byte hex seed`);
  } else {
    seed = new Uint8Array(randomBytes(32));
    writeFileSync(file, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600 });
  }
  return generateKeyPairFromSeed('Ed25519', seed);
}
