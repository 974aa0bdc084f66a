/**
 * The node's p2p identity: an Ed25519 key from a 32-byte seed created once
 * and kept in `<datadir>/nodekey` (0600), so the peer id survives restarts;
 * or the key in the file `--nodekey` names (see loadNodeKeyFile).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateKeyPairFromSeed, privateKeyFromRaw } from '@libp2p/crypto/keys';
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

/**
 * The key in a `--nodekey` file: hex of 32 bytes is a secp256k1 key (geth's
 * nodekey format, so a geth node key keeps working), of 64 bytes an Ed25519
 * key (seed then public key, libp2p's raw form). Anything else is refused
 * with what was expected: a wrong key would silently change the peer id.
 */
export async function loadNodeKeyFile(file: string): Promise<PrivateKey> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new NodeKeyError(`cannot read node key file ${file}: ${(e as Error).message}`);
  }
  const hex = text.replace(/^0x/, '');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new NodeKeyError(`node key file ${file}: not hex`);
  const raw = Buffer.from(hex, 'hex');
  if (raw.length !== 32 && raw.length !== 64) {
    throw new NodeKeyError(`node key file ${file}: expected 32 bytes (secp256k1, as geth) or 64 bytes (Ed25519 seed and public key) of hex, got ${raw.length} bytes`);
  }
  let key: unknown;
  try {
    // libp2p takes an Ed25519 key's public half on trust; derived from the seed, a mismatch cannot sign as one key and announce another.
    key = raw.length === 32 ? privateKeyFromRaw(new Uint8Array(raw)) : await generateKeyPairFromSeed('Ed25519', new Uint8Array(raw.subarray(0, 32)));
  } catch (e) {
    throw new NodeKeyError(`node key file ${file}: not a valid ${raw.length === 32 ? 'secp256k1' : 'Ed25519'} key: ${(e as Error).message}`);
  }
  if (!isLibp2pKey(key)) throw new NodeKeyError('the node key is not a libp2p private key');
  if (raw.length === 64 && !Buffer.from(key.publicKey.raw).equals(raw.subarray(32))) {
    throw new NodeKeyError(`node key file ${file}: the Ed25519 public key (last 32 bytes) does not belong to the seed (first 32)`);
  }
  return key;
}
