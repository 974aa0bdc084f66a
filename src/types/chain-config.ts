/**
 * Chain configuration as go-ethereum's genesis `config` object carries it, plus
 * the GTOS extension `txGas`. GTOS runs with every fork through London active
 * from block 0 (execution.md §1), so a config that schedules any of them later
 * is refused rather than half-supported.
 */

export interface CliqueParams {
  period: bigint;
  epoch: bigint;
}

export interface ChainConfig {
  chainId: bigint;
  clique: CliqueParams;
  /** Intrinsic gas of a transaction (GTOS extension; default 21000). */
  txGas: bigint;
  /** The original JSON object, kept so `dumpconfig`/RPC can show it unchanged. */
  raw: Record<string, unknown>;
}

export class ChainConfigError extends Error {
  override name = 'ChainConfigError';
}

export const DEFAULT_TX_GAS = 21000n;

const FORKS_AT_ZERO = [
  'homesteadBlock', 'eip150Block', 'eip155Block', 'eip158Block', 'byzantiumBlock',
  'constantinopleBlock', 'petersburgBlock', 'istanbulBlock', 'berlinBlock', 'londonBlock',
] as const;

/** Accepts a JSON number, a decimal string or a 0x-hex string (geth's HexOrDecimal). */
export function parseJsonInteger(v: unknown, field: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || v < 0) throw new ChainConfigError(`${field}: not a non-negative integer: ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
    if (/^[0-9]+$/.test(s)) return BigInt(s);
  }
  throw new ChainConfigError(`${field}: not an integer: ${JSON.stringify(v)}`);
}

export function parseChainConfig(raw: unknown): ChainConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ChainConfigError('config: expected an object');
  const c = raw as Record<string, unknown>;
  if (c.chainId === undefined) throw new ChainConfigError('config.chainId: missing');
  const chainId = parseJsonInteger(c.chainId, 'config.chainId');
  if (chainId === 0n) throw new ChainConfigError('config.chainId: must not be 0');
  for (const fork of FORKS_AT_ZERO) {
    if (c[fork] === undefined || c[fork] === null) throw new ChainConfigError(`config.${fork}: missing (GTOS needs every fork through London at block 0)`);
    if (parseJsonInteger(c[fork], `config.${fork}`) !== 0n) {
      throw new ChainConfigError(`config.${fork}: must be 0 (GTOS needs every fork through London at block 0)`);
    }
  }
  const cl = c.clique as Record<string, unknown> | undefined;
  if (!cl || typeof cl !== 'object') throw new ChainConfigError('config.clique: missing (GTOS is a clique chain)');
  const period = parseJsonInteger(cl.period ?? 0, 'config.clique.period');
  const epoch = parseJsonInteger(cl.epoch ?? 30000, 'config.clique.epoch');
  if (epoch === 0n) throw new ChainConfigError('config.clique.epoch: must be > 0');
  const txGas = c.txGas === undefined ? DEFAULT_TX_GAS : parseJsonInteger(c.txGas, 'config.txGas');
  return { chainId, clique: { period, epoch }, txGas, raw: c };
}
