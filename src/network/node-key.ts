/**
 * The node's p2p identity: an Ed25519 key from a 32-byte seed created once
 * and kept in `<datadir>/nodekey` (0600), so the peer id survives restarts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';

export class NodeKeyError extends Error {
  override readonly name = 'NodeKeyError';
  readonly code = 'bad-node-key';
}

/**
 * @libp2p/crypto declares its keys against its own copy of @libp2p/interface
 * (a later major than the one libp2p is built on), so the same object has two
 * declared types; this checks the shape libp2p relies on instead of casting.
 */
function isLibp2pKey(key: unknown): key is PrivateKey {
  return typeof key === 'object' && key !== null && 'type' in key && 'raw' in key && 'publicKey' in key && 'sign' in key;
}

export async function loadNodeKey(datadir: string): Promise<PrivateKey> {
  const file = join(datadir, 'nodekey');
  let seed: Uint8Array;
  if (existsSync(file)) {
    seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (seed.length !== 32) throw new NodeKeyError(`${file} must hold a 32-byte hex seed`);
  } else {
    seed = new Uint8Array(randomBytes(32));
    writeFileSync(file, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600 });
  }
  const key = await generateKeyPairFromSeed('Ed25519', seed);
  if (!isLibp2pKey(key)) throw new NodeKeyError('the generated node key is not a libp2p private key');
  return key;
}
