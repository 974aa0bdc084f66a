/** The system addresses ("TOS1", "TOS2", "TOS3" left-padded) and the fixed system-action gas. */
import { addressFromSuffix, type Address } from '../crypto/primitives.js';

export const SYSTEM_ACTION_ADDRESS: Address = addressFromSuffix(Uint8Array.of(0x54, 0x53, 0x4f, 0x31));
export const AGENT_REGISTRY_ADDRESS: Address = addressFromSuffix(Uint8Array.of(0x54, 0x53, 0x4f, 0x32));
export const STAKING_ADDRESS: Address = addressFromSuffix(Uint8Array.of(0x54, 0x53, 0x4f, 0x33));
export const SYS_ACTION_GAS = 100_000n;
