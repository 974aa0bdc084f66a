/**
 * The node's settings as flags and TOML: ONE table names every key of the
 * typed `NodeConfig` (node/config.ts) with its flag, help and range, and
 * drives the command-line flags, the TOML file (`--config`), validation and
 * `gtos dumpconfig`, so the three can never drift apart. A key's kind comes
 * from its default's type. Precedence: defaults < TOML < flags. Unknown TOML
 * keys and bad values are errors that name the key.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultNodeConfig, type NodeConfig } from '../node/config.js';

export type { NodeConfig } from '../node/config.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Section = keyof NodeConfig;

interface Setting {
  /** TOML section and key, e.g. ['txexec', 'parallel']. */
  toml: [string, string];
  flag: string;
  help: string;
  min?: number;
  max?: number;
  /** The only values a string setting takes. */
  choices?: string[];
  /** The value of a non-boolean flag given bare (`--txexec.shadow` alone = every block). */
  bare?: number;
  /** A number setting that takes fractions (ether amounts). */
  decimal?: boolean;
}

/** Typed so the table cannot name a key the config does not have. */
const S = <Sec extends Section>(toml: [Sec, keyof NodeConfig[Sec] & string], flag: string, help: string, range?: { min?: number; max?: number; choices?: string[]; bare?: number; decimal?: boolean }): Setting =>
  ({ toml, flag, help, ...range });

export const SETTINGS: Setting[] = [
  S(['node', 'datadir'], 'datadir', 'data directory for the database and keystore'),
  S(['node', 'verbosity'], 'verbosity', 'log level: 0=silent, 1=error, 2=warn, 3=info, 4=debug, 5=trace', { min: 0, max: 5 }),
  S(['node', 'networkid'], 'networkid', 'network identifier (0 = the chain id)', { min: 0 }),
  S(['node', 'gcmode'], 'gcmode', 'state pruning: "full" keeps the 128 most recent states in memory and writes only what survives, "archive" writes every state', { choices: ['full', 'archive'] }),
  S(['node', 'cache'], 'cache', 'megabytes of memory for caches (a quarter holds unflushed trie nodes)', { min: 16 }),
  S(['node', 'identity'], 'identity', 'custom node name (shown in web3_clientVersion)'),
  S(['node', 'ipcpath'], 'ipcpath', 'IPC socket path (relative: inside the datadir)'),
  S(['node', 'ipcdisable'], 'ipcdisable', 'do not serve JSON-RPC over IPC'),
  S(['log', 'format'], 'log.format', 'log format', { choices: ['terminal', 'json'] }),
  S(['log', 'file'], 'log.file', 'append logs to this file (created 0600) instead of stderr'),
  S(['dev', 'enabled'], 'dev', 'ephemeral-config developer chain: one signer, prefunded account, mining on'),
  S(['dev', 'period'], 'dev.period', 'dev block period in seconds (0 = mine only when txs are pending)', { min: 0 }),
  S(['dev', 'gaslimit'], 'dev.gaslimit', 'dev genesis gas limit'),
  S(['miner', 'enabled'], 'mine', 'enable mining (sealing) with the unlocked signer'),
  S(['miner', 'etherbase'], 'miner.etherbase', 'signer address to seal with (defaults to the first unlocked account)'),
  S(['miner', 'gaslimit'], 'miner.gaslimit', 'target gas limit the miner moves blocks toward'),
  S(['miner', 'gasprice'], 'miner.gasprice', 'minimum tip for txs the miner includes'),
  S(['miner', 'extradata'], 'miner.extradata', 'block extra-data vanity set by the miner (at most 32 bytes)'),
  S(['account', 'unlock'], 'unlock', 'account address to unlock (the sealing key)'),
  S(['account', 'password'], 'password', 'file with the password for --unlock'),
  S(['account', 'insecureunlock'], 'allow-insecure-unlock', 'allow eth_sendTransaction to sign with the unlocked account'),
  S(['http', 'enabled'], 'http', 'enable the HTTP JSON-RPC server'),
  S(['http', 'addr'], 'http.addr', 'HTTP JSON-RPC listen address'),
  S(['http', 'port'], 'http.port', 'HTTP JSON-RPC port', { min: 0, max: 65535 }),
  S(['http', 'api'], 'http.api', 'APIs offered over HTTP'),
  S(['http', 'corsdomain'], 'http.corsdomain', 'origins allowed for cross-origin requests'),
  S(['http', 'vhosts'], 'http.vhosts', 'Host names the HTTP server answers (IP addresses always pass; "*" allows any)'),
  S(['ws', 'enabled'], 'ws', 'enable the WebSocket JSON-RPC server'),
  S(['ws', 'addr'], 'ws.addr', 'WebSocket JSON-RPC listen address'),
  S(['ws', 'port'], 'ws.port', 'WebSocket JSON-RPC port', { min: 0, max: 65535 }),
  S(['ws', 'api'], 'ws.api', 'APIs offered over WebSocket'),
  S(['ws', 'origins'], 'ws.origins', 'origins allowed to open WebSocket connections ("*" for any; none given: localhost only)'),
  S(['metrics', 'enabled'], 'metrics', 'serve Prometheus metrics'),
  S(['metrics', 'addr'], 'metrics.addr', 'metrics listen address'),
  S(['metrics', 'port'], 'metrics.port', 'metrics port', { min: 0, max: 65535 }),
  S(['rpc', 'gascap'], 'rpc.gascap', 'gas cap of eth_call and eth_estimateGas (0 = no cap)'),
  S(['rpc', 'txfeecap'], 'rpc.txfeecap', 'largest fee (ether) of a tx sent through the RPC (0 = no cap)', { min: 0, decimal: true }),
  S(['p2p', 'port'], 'port', 'p2p listen port', { min: 0, max: 65535 }),
  S(['p2p', 'bootnodes'], 'bootnodes', 'multiaddrs of bootstrap peers'),
  S(['p2p', 'maxpeers'], 'maxpeers', 'maximum number of peers', { min: 0 }),
  S(['p2p', 'nodiscover'], 'nodiscover', 'do not dial bootnodes or discovered peers automatically'),
  S(['p2p', 'nodekey'], 'nodekey', 'p2p node key file: hex of a 32-byte secp256k1 key (as geth) or a 64-byte Ed25519 key (seed and public key)'),
  S(['txpool', 'pricelimit'], 'txpool.pricelimit', 'minimum gas tip for remote txs'),
  S(['txpool', 'pricebump'], 'txpool.pricebump', 'percent a replacement must raise the fee by'),
  S(['txpool', 'accountslots'], 'txpool.accountslots', 'executable slots guaranteed per account', { min: 1 }),
  S(['txpool', 'globalslots'], 'txpool.globalslots', 'executable slots for all accounts', { min: 1 }),
  S(['txpool', 'accountqueue'], 'txpool.accountqueue', 'non-executable slots per account', { min: 1 }),
  S(['txpool', 'globalqueue'], 'txpool.globalqueue', 'non-executable slots for all accounts', { min: 1 }),
  S(['txpool', 'lifetime'], 'txpool.lifetime', 'seconds a non-executable tx may wait', { min: 1 }),
  S(['txpool', 'nolocals'], 'txpool.nolocals', 'treat RPC txs like remote ones'),
  S(['txpool', 'locals'], 'txpool.locals', 'comma-separated senders whose txs are local from any source'),
  S(['txpool', 'localslots'], 'txpool.localslots', 'most txs kept for local senders (pending and queued)', { min: 1 }),
  S(['txpool', 'journal'], 'txpool.journal', 'file in the datadir keeping local txs across restarts ("" for none)'),
  S(['txpool', 'rejournal'], 'txpool.rejournal', 'seconds between rewrites of the local tx journal', { min: 1 }),
  S(['txexec', 'parallel'], 'txexec.parallel', 'execute plain transfers on the parallel executor'),
  S(['txexec', 'workers'], 'txexec.workers', 'worker threads of the executor', { min: 1, max: 64 }),
  S(['txexec', 'batch'], 'txexec.batch', 'largest micro-batch of transfers', { min: 1 }),
  S(['txexec', 'shadow'], 'txexec.shadow', 'shadow-verify every Nth block against serial execution (0 = off; bare = every block)', { min: 0, bare: 1 }),
  S(['txexec', 'shadowhalt'], 'txexec.shadowhalt', 'stop the node on a shadow mismatch'),
];

/** The config as the table sees it: sections of plain values. The one place the typed object is viewed untyped. */
type Sections = Record<string, Record<string, unknown>>;
const sections = (cfg: NodeConfig) => cfg as unknown as Sections;

const DEFAULTS = sections(defaultNodeConfig());

type Kind = 'bool' | 'int' | 'bigint' | 'string' | 'list';
function kindOf(s: Setting): Kind {
  const d = DEFAULTS[s.toml[0]]![s.toml[1]];
  if (typeof d === 'boolean') return 'bool';
  if (typeof d === 'number') return 'int';
  if (typeof d === 'bigint') return 'bigint';
  if (typeof d === 'string') return 'string';
  return 'list';
}

/** The attribute commander stores a flag under: dashes camel-cased, dots kept (`--http.port` → `http.port`). */
const attr = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function coerce(s: Setting, v: unknown, where: string): unknown {
  const name = `${where} ${s.toml.join('.')}`;
  switch (kindOf(s)) {
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(v)}`);
    case 'int': {
      if (s.decimal) {
        const x = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]*\.?[0-9]+$/.test(v) ? Number(v) : NaN;
        if (!Number.isFinite(x)) throw new ConfigError(`${name}: expected a number, got ${JSON.stringify(String(v))}`);
        if (s.min !== undefined && x < s.min) throw new ConfigError(`${name}: must be >= ${s.min}, got ${x}`);
        return x;
      }
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
      if (typeof v !== 'string') throw new ConfigError(`${name}: expected a string`);
      if (s.choices && !s.choices.includes(v)) throw new ConfigError(`${name}: must be one of ${s.choices.join(', ')}, got ${JSON.stringify(v)}`);
      return v;
    case 'list':
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
      if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
      throw new ConfigError(`${name}: expected a list of strings`);
  }
}

export function defaultConfig(): NodeConfig {
  return defaultNodeConfig();
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
      sections(cfg)[section]![key] = coerce(s, value, source);
    }
  }
}

/** Registers every setting as a flag on a commander command (no defaults: absence means "not set"). */
export function addSettingFlags(cmd: Command): Command {
  cmd.addOption(new Option('--config <file>', 'TOML configuration file'));
  for (const s of SETTINGS) {
    const o = kindOf(s) === 'bool' ? new Option(`--${s.flag} [bool]`, s.help)
      : s.bare !== undefined ? new Option(`--${s.flag} [value]`, s.help) : new Option(`--${s.flag} <value>`, s.help);
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
    sections(cfg)[s.toml[0]]![s.toml[1]] = coerce(s, v === true && s.bare !== undefined ? s.bare : v, `--${s.flag}`);
  }
  return cfg;
}

export function dumpToml(cfg: NodeConfig): string {
  const plain: Record<string, Record<string, unknown>> = {};
  for (const [sec, body] of Object.entries(sections(cfg))) {
    plain[sec] = {};
    for (const [k, v] of Object.entries(body)) plain[sec]![k] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
  }
  return stringifyToml(plain);
}
