/**
 * The node's typed configuration: one object, by TOML section and key, that
 * `startNode` reads without casts. Defaults come from the parts that own
 * them (the executor's and the pool's default configs), so a default is
 * defined once. The command line and TOML file fill it in `cmd/config.ts`.
 */
import { defaultExecutorConfig, type TxExecutorConfig } from '../core/executor/config.js';
import { defaultTxPoolConfig, type TxPoolConfig } from '../core/txpool/config.js';
import { defaultDataDir } from './datadir.js';

/** The namespaces HTTP and WebSocket offer unless told otherwise (personal and admin only when named). */
const DEFAULT_RPC_APIS = ['eth', 'tos', 'net', 'web3', 'txpool', 'clique', 'staking', 'agent'] as const;

export interface NodeConfig {
  node: {
    datadir: string; verbosity: number; networkid: number;
    /** 'full' prunes old states (go-ethereum's default), 'archive' keeps every state. */
    gcmode: string;
    /** Megabytes of memory for caches, go-ethereum's --cache (a quarter holds unflushed trie nodes). */
    cache: number;
    /** Node name in web3_clientVersion, go-ethereum's --identity. */
    identity: string;
    /** The IPC socket: a bare name or relative path lives in the datadir, as geth's --ipcpath. */
    ipcpath: string;
    ipcdisable: boolean;
  };
  dev: { enabled: boolean; period: number; gaslimit: bigint };
  miner: {
    enabled: boolean; etherbase: string; gaslimit: bigint; gasprice: bigint;
    /** Vanity text (UTF-8, at most 32 bytes) in the first 32 bytes of the clique extra-data. */
    extradata: string;
  };
  account: { unlock: string; password: string; insecureunlock: boolean };
  http: { enabled: boolean; addr: string; port: number; api: string[]; corsdomain: string[]; vhosts: string[] };
  ws: { enabled: boolean; addr: string; port: number; api: string[]; origins: string[] };
  metrics: { enabled: boolean; addr: string; port: number };
  /** Limits of the RPC API on every transport: eth_call/eth_estimateGas gas (0 = none) and the largest tx fee sent through it, in ether (0 = none). */
  rpc: { gascap: bigint; txfeecap: number };
  /** Log line format (terminal|json) and a file the lines are appended to instead of stderr. */
  log: { format: string; file: string };
  p2p: {
    port: number; bootnodes: string[]; maxpeers: number; nodiscover: boolean;
    /** File with the hex p2p key; "" keeps <datadir>/nodekey. */
    nodekey: string;
  };
  txpool: {
    pricelimit: bigint; pricebump: bigint; accountslots: number; globalslots: number; accountqueue: number; globalqueue: number;
    /** Seconds. */
    lifetime: number; nolocals: boolean; locals: string[]; localslots: number; journal: string;
    /** Seconds. */
    rejournal: number;
  };
  txexec: { parallel: boolean; workers: number; batch: number; shadow: number; shadowhalt: boolean };
}

export function defaultNodeConfig(): NodeConfig {
  const x = defaultExecutorConfig();
  const p = defaultTxPoolConfig();
  return {
    node: { datadir: defaultDataDir(), verbosity: 3, networkid: 0, gcmode: 'full', cache: 1024, identity: '', ipcpath: 'gtos.ipc', ipcdisable: false },
    dev: { enabled: false, period: 1, gaslimit: 30_000_000n },
    miner: { enabled: false, etherbase: '', gaslimit: 30_000_000n, gasprice: 0n, extradata: '' },
    account: { unlock: '', password: '', insecureunlock: false },
    http: { enabled: false, addr: '127.0.0.1', port: 8545, api: [...DEFAULT_RPC_APIS], corsdomain: [], vhosts: ['localhost'] },
    ws: { enabled: false, addr: '127.0.0.1', port: 8546, api: [...DEFAULT_RPC_APIS], origins: [] },
    metrics: { enabled: false, addr: '127.0.0.1', port: 6060 },
    rpc: { gascap: 50_000_000n, txfeecap: 1 },
    log: { format: 'terminal', file: '' },
    p2p: { port: 30303, bootnodes: [], maxpeers: 50, nodiscover: false, nodekey: '' },
    txpool: {
      pricelimit: p.priceLimit, pricebump: p.priceBump, accountslots: p.accountSlots, globalslots: p.globalSlots,
      accountqueue: p.accountQueue, globalqueue: p.globalQueue, lifetime: p.lifetimeMs / 1000, nolocals: p.noLocals,
      locals: p.locals, localslots: p.localSlots, journal: p.journal, rejournal: 3600,
    },
    txexec: { parallel: x.parallel, workers: x.workers, batch: x.batchMax, shadow: x.shadow, shadowhalt: x.shadowHalt },
  };
}

/** The executor's settings (`[txexec]`), shared by the node and `gtos import`. */
export function executorConfig(cfg: NodeConfig): Partial<TxExecutorConfig> {
  const t = cfg.txexec;
  return { parallel: t.parallel, workers: t.workers, batchMax: t.batch, shadow: t.shadow, shadowHalt: t.shadowhalt };
}

export function txPoolConfig(cfg: NodeConfig): Partial<TxPoolConfig> {
  const t = cfg.txpool;
  return {
    priceLimit: t.pricelimit, priceBump: t.pricebump, accountSlots: t.accountslots, globalSlots: t.globalslots,
    accountQueue: t.accountqueue, globalQueue: t.globalqueue, lifetimeMs: t.lifetime * 1000, noLocals: t.nolocals,
    locals: t.locals.map((a) => a.toLowerCase()), localSlots: t.localslots, journal: t.journal,
  };
}
