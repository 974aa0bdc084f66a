/**
 * The node's settings: ONE table drives the command-line flags, the TOML file
 * (`--config`), validation and `gtos dumpconfig`, so the three can never drift
 * apart. Precedence: defaults < TOML < flags. Unknown TOML keys and bad values
 * are errors that name the key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultWorkerCount } from '../core/executor/pool/pool-size.js';
import { defaultDataDir } from './datadir.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Kind = 'bool' | 'int' | 'bigint' | 'string' | 'list';

interface Setting {
  /** TOML section and key, e.g. ['txexec', 'parallel']. */
  toml: [string, string];
  flag: string;
  kind: Kind;
  def: () => unknown;
  help: string;
  min?: number;
  max?: number;
}

const S = (toml: [string, string], flag: string, kind: Kind, def: () => unknown, help: string, range?: { min?: number; max?: number }): Setting =>
  ({ toml, flag, kind, def, help, ...range });

export const SETTINGS: Setting[] = [
  S(['node', 'datadir'], 'datadir', 'string', defaultDataDir, 'data directory for the database and keystore'),
  S(['node', 'verbosity'], 'verbosity', 'int', () => 3, 'log level: 0=silent, 1=error, 2=warn, 3=info, 4=debug, 5=trace', { min: 0, max: 5 }),
  S(['node', 'networkid'], 'networkid', 'int', () => 0, 'network identifier (0 = the chain id)', { min: 0 }),
  S(['dev', 'enabled'], 'dev', 'bool', () => false, 'ephemeral-config developer chain: one signer, prefunded account, mining on'),
  S(['dev', 'period'], 'dev.period', 'int', () => 1, 'dev block period in seconds (0 = mine only when txs are pending)', { min: 0 }),
  S(['dev', 'gaslimit'], 'dev.gaslimit', 'bigint', () => 30_000_000n, 'dev genesis gas limit'),
  S(['miner', 'enabled'], 'mine', 'bool', () => false, 'enable mining (sealing) with the unlocked signer'),
  S(['miner', 'etherbase'], 'miner.etherbase', 'string', () => '', 'signer address to seal with (defaults to the first unlocked account)'),
  S(['miner', 'gaslimit'], 'miner.gaslimit', 'bigint', () => 30_000_000n, 'target gas limit the miner moves blocks toward'),
  S(['miner', 'gasprice'], 'miner.gasprice', 'bigint', () => 0n, 'minimum tip for txs the miner includes'),
  S(['account', 'unlock'], 'unlock', 'string', () => '', 'account address to unlock (the sealing key)'),
  S(['account', 'password'], 'password', 'string', () => '', 'file with the password for --unlock'),
  S(['account', 'insecureunlock'], 'allow-insecure-unlock', 'bool', () => false, 'allow eth_sendTransaction to sign with the unlocked account'),
  S(['http', 'enabled'], 'http', 'bool', () => false, 'enable the HTTP JSON-RPC server'),
  S(['http', 'addr'], 'http.addr', 'string', () => '127.0.0.1', 'HTTP JSON-RPC listen address'),
  S(['http', 'port'], 'http.port', 'int', () => 8545, 'HTTP JSON-RPC port', { min: 0, max: 65535 }),
  S(['http', 'api'], 'http.api', 'list', () => ['eth', 'tos', 'net', 'web3', 'txpool', 'clique', 'staking', 'agent'], 'APIs offered over HTTP'),
  S(['http', 'corsdomain'], 'http.corsdomain', 'list', () => [], 'origins allowed for cross-origin requests'),
  S(['metrics', 'enabled'], 'metrics', 'bool', () => false, 'serve Prometheus metrics'),
  S(['metrics', 'addr'], 'metrics.addr', 'string', () => '127.0.0.1', 'metrics listen address'),
  S(['metrics', 'port'], 'metrics.port', 'int', () => 6060, 'metrics port', { min: 0, max: 65535 }),
  S(['p2p', 'port'], 'port', 'int', () => 30303, 'p2p listen port', { min: 0, max: 65535 }),
  S(['p2p', 'bootnodes'], 'bootnodes', 'list', () => [], 'multiaddrs of bootstrap peers'),
  S(['p2p', 'maxpeers'], 'maxpeers', 'int', () => 50, 'maximum number of peers', { min: 0 }),
  S(['p2p', 'nodiscover'], 'nodiscover', 'bool', () => false, 'do not dial bootnodes or discovered peers automatically'),
  S(['txpool', 'pricelimit'], 'txpool.pricelimit', 'bigint', () => 1n, 'minimum gas tip for remote txs'),
  S(['txpool', 'pricebump'], 'txpool.pricebump', 'bigint', () => 10n, 'percent a replacement must raise the fee by'),
  S(['txpool', 'accountslots'], 'txpool.accountslots', 'int', () => 16, 'executable slots guaranteed per account', { min: 1 }),
  S(['txpool', 'globalslots'], 'txpool.globalslots', 'int', () => 5120, 'executable slots for all accounts', { min: 1 }),
  S(['txpool', 'accountqueue'], 'txpool.accountqueue', 'int', () => 64, 'non-executable slots per account', { min: 1 }),
  S(['txpool', 'globalqueue'], 'txpool.globalqueue', 'int', () => 1024, 'non-executable slots for all accounts', { min: 1 }),
  S(['txpool', 'lifetime'], 'txpool.lifetime', 'int', () => 10800, 'seconds a non-executable tx may wait', { min: 1 }),
  S(['txpool', 'nolocals'], 'txpool.nolocals', 'bool', () => false, 'treat RPC txs like remote ones'),
  S(['txpool', 'journal'], 'txpool.journal', 'string', () => 'transactions.rlp', 'file in the datadir keeping local txs across restarts ("" for none)'),
  S(['txpool', 'rejournal'], 'txpool.rejournal', 'int', () => 3600, 'seconds between rewrites of the local tx journal', { min: 1 }),
  S(['txexec', 'parallel'], 'txexec.parallel', 'bool', () => false, 'execute plain transfers on the parallel executor'),
  S(['txexec', 'workers'], 'txexec.workers', 'int', defaultWorkerCount, 'worker threads of the executor', { min: 1, max: 64 }),
  S(['txexec', 'batch'], 'txexec.batch', 'int', () => 1024, 'largest micro-batch of transfers', { min: 1 }),
  S(['txexec', 'shadow'], 'txexec.shadow', 'int', () => 0, 'shadow-verify every Nth block against serial execution (0 = off)', { min: 0 }),
  S(['txexec', 'shadowhalt'], 'txexec.shadowhalt', 'bool', () => false, 'stop the node on a shadow mismatch'),
];

/** The effective configuration, by TOML section and key. */
export type NodeConfig = Record<string, Record<string, unknown>>;

/** The attribute commander stores a flag under: dashes camel-cased, dots kept (`--http.port` → `http.port`). */
const attr = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function coerce(s: Setting, v: unknown, where: string): unknown {
  const name = `${where} ${s.toml.join('.')}`;
  switch (s.kind) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(v)}`);
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) throw new ConfigError(`${name}: expected an integer, got ${JSON.stringify(String(v))}`);
      if (s.min !== undefined && n < s.min) throw new ConfigError(`${name}: must be >= ${s.min}, got ${n}`);
      if (s.max !== undefined && n > s.max) throw new ConfigError(`${name}: must be <= ${s.max}, got ${n}`);
      return n;
    }
    case 'bigint': {
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v);
      throw new ConfigError(`${name}: expected a non-negative integer, got ${JSON.stringify(String(v))}`);
    }
    case 'string':
      if (typeof v === 'string') return v;
      throw new ConfigError(`${name}: expected a string`);
    case 'list':
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
      if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
      throw new ConfigError(`${name}: expected a list of strings`);
  }
}

export function defaultConfig(): NodeConfig {
  const cfg: NodeConfig = {};
  for (const s of SETTINGS) (cfg[s.toml[0]] ??= {})[s.toml[1]] = s.def();
  return cfg;
}

/** Applies a TOML document over `cfg`; unknown sections/keys and bad values are errors. */
export function applyToml(cfg: NodeConfig, text: string, source = 'config'): void {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${source}: invalid TOML: ${(e as Error).message}`);
  }
  for (const [section, body] of Object.entries(doc)) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ConfigError(`${source}: unknown top-level key "${section}"`);
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      const s = SETTINGS.find((x) => x.toml[0] === section && x.toml[1] === key);
      if (!s) throw new ConfigError(`${source}: unknown key "${section}.${key}"`);
      cfg[section]![key] = coerce(s, value, source);
    }
  }
}

/** Registers every setting as a flag on a commander command (no defaults: absence means "not set"). */
export function addSettingFlags(cmd: Command): Command {
  cmd.addOption(new Option('--config <file>', 'TOML configuration file'));
  for (const s of SETTINGS) {
    const o = s.kind === 'bool' ? new Option(`--${s.flag} [bool]`, s.help) : new Option(`--${s.flag} <value>`, s.help);
    cmd.addOption(o);
  }
  return cmd;
}

/** defaults < TOML (--config) < flags. */
export function resolveConfig(flags: Record<string, unknown>): NodeConfig {
  const cfg = defaultConfig();
  if (typeof flags.config === 'string') {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read config file ${flags.config}: ${(e as Error).message}`);
    }
    applyToml(cfg, text, flags.config);
  }
  for (const s of SETTINGS) {
    const v = flags[attr(s.flag)];
    if (v === undefined) continue;
    cfg[s.toml[0]]![s.toml[1]] = coerce(s, v === true ? true : v, `--${s.flag}`);
  }
  return cfg;
}

export function dumpToml(cfg: NodeConfig): string {
  const plain: Record<string, Record<string, unknown>> = {};
  for (const [sec, body] of Object.entries(cfg)) {
    plain[sec] = {};
    for (const [k, v] of Object.entries(body)) plain[sec]![k] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
  }
  return stringifyToml(plain);
}

export function get<T>(cfg: NodeConfig, section: string, key: string): T {
  return cfg[section]![key] as T;
}

/** The executor's settings (`[txexec]`, `--txexec.*`), shared by the node and `gtos import`. */
export function executorConfig(cfg: NodeConfig) {
  return {
    parallel: get<boolean>(cfg, 'txexec', 'parallel'),
    workers: get<number>(cfg, 'txexec', 'workers'),
    batchMax: get<number>(cfg, 'txexec', 'batch'),
    shadow: get<number>(cfg, 'txexec', 'shadow'),
    shadowHalt: get<boolean>(cfg, 'txexec', 'shadowhalt'),
  };
}
