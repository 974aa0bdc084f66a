/** The `web3_*` namespace: client version and keccak-256 of data. */
import { bytesToHex } from '../../crypto/bytes.js';
import { keccak256 } from '../../crypto/keccak.js';
import type { NodeBackend } from '../backend.js';
import { parseData } from '../hex.js';
import type { NamespaceMethods } from './namespace.js';

export function web3Methods(b: NodeBackend): NamespaceMethods {
  return {
    clientVersion: { fn: () => b.clientVersion, max: 0 },
    sha3: { fn: ([d]) => bytesToHex(keccak256(parseData(d, 'data'))), min: 1, max: 1 },
  };
}
