/**
 * The `personal_*` namespace, only where --http.api/--ws.api name it (never by default, as geth):
 * personal_sign. Also the EIP-191 message signing that eth_sign shares with it: the same signature,
 * only the parameters swapped, by the keys the node signs for (NodeBackend.signers).
 */
import { bytesToHex } from '../../crypto/bytes.js';
import { signPersonalMessage } from '../../crypto/eip191.js';
import type { NodeBackend } from '../backend.js';
import { InvalidParamsError } from '../errors.js';
import { parseAddress, parseData } from '../hex.js';
import type { NamespaceMethods } from './namespace.js';
import { signerFor } from './tx-args.js';

/** eth_sign / personal_sign: r ‖ s ‖ v (v 27/28) over the EIP-191 digest of `data`, by `address`'s key. */
export function signMessageFor(b: NodeBackend, address: unknown, data: unknown): string {
  const msg = parseData(data, 'data');
  const signer = signerFor(b, parseAddress(address, 'address'));
  return bytesToHex(signPersonalMessage(msg, signer.key));
}

export function personalMethods(b: NodeBackend): NamespaceMethods {
  return {
    // geth decrypts the keystore with the password on every call. Here only accounts that are
    // already unlocked for signing can sign (eth_sign signs for them without one), so the password
    // would guard nothing: it is accepted for geth's signature and not checked.
    sign: { fn: ([data, address, password]) => {
      if (password !== undefined && password !== null && typeof password !== 'string') throw new InvalidParamsError("invalid argument 'password': expected a string");
      return signMessageFor(b, address, data);
    }, min: 2, max: 3 },
  };
}
