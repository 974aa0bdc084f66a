/**
 * Assembles and runs the node: datadir and database (LevelDB's lock refuses a
 * second process), chain, executor, pool, miner, JSON-RPC and metrics; and
 * stops it cleanly on SIGINT/SIGTERM (miner abandons its block, servers close,
 * the pool journal is flushed, workers stop, the database closes).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { addressFromHex, addressToHex, type Address } from '../crypto/primitives.js';
import { KeystoreDir, readPasswordList } from '../crypto/keystore-dir.js';
import { Blockchain, type NewHeadEvent } from '../core/chain/blockchain.js';
import type { Transaction } from '../types/transaction.js';
import { ChainCorruptionError } from '../core/chain/chain-store.js';
import { ChainIntegrityError, quickCheck } from '../core/chain/integrity.js';
import type { Genesis } from '../core/chain/genesis.js';
import { TxExecutor, type ExecutorObserver } from '../core/executor/executor.js';
import { TxPool } from '../core/txpool/txpool.js';
import { MinerWorker } from '../miner/assembler.js';
import { Miner, type MinedInfo } from '../miner/miner.js';
import { PendingBlockBuilder } from '../miner/pending.js';
import { createMetricsRegistry, observeProcessedBlock, type Metrics, type P2pMetrics } from '../metrics/registry.js';
import { MetricsHttpServer } from '../metrics/server.js';
import { RpcRegistry } from '../rpc/registry.js';
import { RpcHttpServer } from '../rpc/http.js';
import { RpcWsServer } from '../rpc/ws.js';
import { RpcIpcServer } from '../rpc/ipc.js';
import { ChainEvents } from '../rpc/api/chain-events.js';
import { FilterSystem, filterMethods } from '../rpc/api/filters.js';
import { SubscriptionService } from '../rpc/api/subscriptions.js';
import type { NodeBackend } from '../rpc/backend.js';
import { registerAll } from '../rpc/api/namespace.js';
import { ethMethods } from '../rpc/api/eth.js';
import { netMethods } from '../rpc/api/net.js';
import { web3Methods } from '../rpc/api/web3.js';
import { txpoolMethods } from '../rpc/api/txpool.js';
import { cliqueMethods } from '../rpc/api/clique.js';
import { stakingMethods } from '../rpc/api/staking.js';
import { agentMethods } from '../rpc/api/agent.js';
import { adminMethods } from '../rpc/api/admin.js';
import { personalMethods } from '../rpc/api/personal.js';
import { logger, setVerbosity } from '../util/log.js';
import { executorConfig, txPoolConfig, type NodeConfig } from './config.js';
import { openChainDatabase } from './datadir.js';
import { devSetup } from './dev.js';
import { assessExposure } from './exposure.js';
import type { LevelDatabase } from '../state/database.js';
import { P2pNode } from '../network/host.js';
import type { NetworkObserver } from '../network/events.js';
import { SyncDriver, type SyncObserver } from '../sync/driver.js';
import { p2pBackend } from './p2p-backend.js';
import { loadNodeKey, loadNodeKeyFile } from '../network/node-key.js';
import { VERSION } from '../util/version.js';

const log = logger('node');
export const CLIENT_VERSION = clientVersion('');

/** web3_clientVersion as geth builds it: name, then the --identity when set, version, platform, runtime. */
export function clientVersion(identity: string): string {
  return ['gtos-ts', ...(identity ? [identity] : []), `v${VERSION}`, `${process.platform}-${process.arch}`, `node${process.versions.node}`].join('/');
}

export class NodeStartError extends Error {
  override name = 'NodeStartError';
}

export function executorObserver(m: Metrics): ExecutorObserver {
  const e = m.executor;
  return {
    batch: (size, inline) => {
      e.batches.inc();
      e.batchSize.observe(size);
      if (inline) e.inlineBatches.inc();
    },
    txs: (lane, n) => e.txs.inc({ lane }, n),
    fallback: (reason) => e.fallbacks.inc({ reason }),
    shadowCheck: (mismatch) => {
      e.shadowChecks.inc();
      if (mismatch) e.shadowMismatches.inc();
    },
    phase: (phase, s) => e.phaseSeconds.observe({ phase }, s),
    pool: (size, depth) => {
      e.poolSize.set(size);
      e.queueDepth.set(depth);
    },
  };
}

export function p2pObserver(p: P2pMetrics): NetworkObserver & SyncObserver {
  return {
    peers: (n) => p.peers.set(n),
    gossip: (topic, direction, verdict) => p.gossip.inc({ topic, direction, verdict }),
    sync: (progress, imported) => {
      p.syncing.set(progress ? 1 : 0);
      if (progress) {
        p.syncCurrent.set(Number(progress.currentBlock));
        p.syncHighest.set(Number(progress.highestBlock));
      }
      if (imported) p.syncedBlocks.inc(imported);
    },
  };
}

export interface RunningNode {
  chain: Blockchain;
  pool: TxPool;
  executor: TxExecutor;
  miner?: Miner;
  p2p?: P2pNode;
  sync?: SyncDriver;
  rpc?: { host: string; port: number };
  ws?: { host: string; port: number };
  /** The IPC socket's path, unless --ipcdisable. */
  ipc?: string;
  metricsAddr?: { host: string; port: number };
  devAccount?: Address;
  /** Settles with the error when a database or journal write fails; the node is then stopping itself. */
  failed: Promise<Error>;
  stop(): Promise<void>;
}

/** The node stopped itself because it could not write (go-ethereum's log.Crit): the CLI exits non-zero. */
export class NodeStorageFailureError extends Error {
  override name = 'NodeStorageFailureError';
}

function unlockKeys(cfg: NodeConfig, datadir: string): Map<string, { address: Address; key: Uint8Array }> {
  const out = new Map<string, { address: Address; key: Uint8Array }>();
  const unlock = cfg.account.unlock;
  if (!unlock) return out;
  const pwFile = cfg.account.password;
  if (!pwFile) throw new NodeStartError('--unlock needs --password <file>');
  // As geth: line i of the password file unlocks account i; the last line serves the rest.
  const passwords = readPasswordList(pwFile);
  const ks = new KeystoreDir(join(datadir, 'keystore'));
  for (const [i, a] of unlock.split(',').map((s) => s.trim()).filter(Boolean).entries()) {
    const password = passwords[Math.min(i, passwords.length - 1)] ?? '';
    let addr: Address;
    try {
      addr = addressFromHex(a);
    } catch {
      throw new NodeStartError(`--unlock: not an address: ${a}`);
    }
    out.set(addressToHex(addr), { address: addr, key: ks.unlock(addr, password) });
  }
  return out;
}

export async function startNode(cfg: NodeConfig): Promise<RunningNode> {
  setVerbosity(cfg.node.verbosity);
  const datadir = cfg.node.datadir;
  mkdirSync(datadir, { recursive: true, mode: 0o700 });
  const dev = cfg.dev.enabled;
  // The engine keeps only 32 vanity bytes: longer text would be cut silently.
  const extraData = new TextEncoder().encode(cfg.miner.extradata);
  if (extraData.length > 32) throw new NodeStartError(`--miner.extradata: at most 32 bytes, got ${extraData.length}`);

  let genesis: Genesis | undefined;
  const keys = unlockKeys(cfg, datadir);
  let devAccount: Address | undefined;
  if (dev) {
    const d = devSetup(datadir, cfg.dev.period, cfg.dev.gaslimit);
    genesis = d.genesis;
    devAccount = d.signer;
    keys.set(addressToHex(d.signer), { address: d.signer, key: d.key });
  }

  // eth_sendTransaction signs only for the dev account or with an explicit insecure unlock.
  const signers = new Map<string, { address: Address; key: Uint8Array }>();
  if (dev && devAccount) signers.set(addressToHex(devAccount), keys.get(addressToHex(devAccount))!);
  if (cfg.account.insecureunlock) for (const [k, v] of keys) signers.set(k, v);

  // Before the database opens: a refused start should cost nothing and leave nothing open.
  const exposure = assessExposure(cfg, signers.size);
  if (exposure.refusal) throw new NodeStartError(exposure.refusal);
  for (const w of exposure.warnings) log.warn(w);

  // P2P: every node but a dev chain (as geth --dev) with room for peers; only such a node has p2p metrics.
  const runsP2p = !dev && cfg.p2p.maxpeers > 0;
  const db: LevelDatabase = await openChainDatabase(datadir);
  const metrics = createMetricsRegistry({ p2p: runsP2p });
  const executor = new TxExecutor(executorConfig(cfg), executorObserver(metrics));

  let chain: Blockchain;
  // Created after the chain; until then no block can be imported.
  let pool: TxPool | undefined;
  // Block txs the pool already holds take its senders: neither the import nor its lookahead recovers them again.
  const knownSenders = (txs: readonly Transaction[]) => pool?.installKnownSenders(txs);
  try {
    chain = await Blockchain.open({
      db, genesis, executor,
      gcmode: cfg.node.gcmode === 'archive' ? 'archive' : 'full',
      cacheMB: cfg.node.cache,
      recoverSenders: (txs, chainId) => {
        knownSenders(txs);
        return executor.recoverSenders(txs, chainId);
      },
      // The serial reference keeps every root on the main thread.
      rootWorker: cfg.txexec.parallel ? () => executor.spareCore() : false,
      onBlockImported: ({ block, ms }) => observeProcessedBlock(metrics.chain, 'imported', block.transactions.length, ms / 1000),
    });
    // Milliseconds, and a damaged head would otherwise surface later as wrong answers or a failed import.
    quickCheck(chain.store, db);
  } catch (e) {
    await executor.close();
    await db.close();
    if (e instanceof ChainIntegrityError || e instanceof ChainCorruptionError) {
      throw new NodeStartError(`${e.message}; run "gtos db check --datadir ${datadir}" to check the whole database`);
    }
    throw e;
  }
  metrics.chain.head.set(Number(chain.currentHeader().number));

  pool = new TxPool(chain, txPoolConfig(cfg), {
    recoverSenders: (txs, chainId) => executor.recoverSenders(txs, chainId),
    journalPath: cfg.txpool.journal ? join(datadir, cfg.txpool.journal) : undefined,
    rejournalMs: cfg.txpool.rejournal * 1000,
  });
  const journal = await pool.loadJournal();
  if (journal.loaded) log.info('Loaded local transaction journal', { transactions: journal.loaded, dropped: journal.dropped });
  const updatePoolGauges = () => {
    const s = pool.status();
    metrics.txpool.pending.set(s.pending);
    metrics.txpool.queued.set(s.queued);
  };
  pool.on('pending', updatePoolGauges);
  // Counters follow the state layer's own tallies (it does not know the metrics).
  const seen = { computed: 0, failed: 0, rebuilt: 0 };
  const updateStateMetrics = () => {
    const rw = chain.rootWorker?.stats;
    if (rw) {
      metrics.state.rootsOffThread.inc({ where: 'worker' }, rw.computed - seen.computed);
      metrics.state.rootsOffThread.inc({ where: 'main' }, rw.failed - seen.failed);
      seen.computed = rw.computed;
      seen.failed = rw.failed;
      const f = chain.rootPaths.figures;
      if (f.mainSamples > 0) metrics.state.rootCost.set({ path: 'main' }, f.main * 1000);
      if (f.workerSamples > 0) metrics.state.rootCost.set({ path: 'worker' }, f.worker * 1000);
    }
    const snaps = chain.snapshots;
    if (snaps) {
      metrics.state.flatRebuilds.inc(snaps.generated - seen.rebuilt);
      seen.rebuilt = snaps.generated;
      metrics.state.flatLayers.set(snaps.layerCount);
    }
  };
  updateStateMetrics();
  chain.on('head', (ev: NewHeadEvent) => {
    metrics.chain.head.set(Number(ev.block.header.number));
    updateStateMetrics();
    void pool.reset(ev.dropped).then(updatePoolGauges);
  });

  // Mining: --mine (or --dev) with a signer we hold the key of.
  let miner: Miner | undefined;
  let pendingBlock: PendingBlockBuilder | undefined;
  if (dev || cfg.miner.enabled) {
    const etherbase = cfg.miner.etherbase;
    const signerEntry = etherbase ? keys.get(addressToHex(addressFromHex(etherbase))) : [...keys.values()][0];
    if (!signerEntry) {
      await executor.close();
      await db.close();
      throw new NodeStartError('mining needs an unlocked signer: use --unlock <address> --password <file> (or --dev)');
    }
    const worker = new MinerWorker(chain, pool, executor, {
      signer: signerEntry.address,
      gasTarget: dev ? cfg.dev.gaslimit : cfg.miner.gaslimit,
      minTip: cfg.miner.gasprice,
      extraData,
    });
    miner = new Miner(chain, pool, worker, signerEntry.address, signerEntry.key);
    const votes = miner;
    pendingBlock = new PendingBlockBuilder(chain, pool, worker, () => votes.getProposals());
    miner.on('mined', (info: MinedInfo) => {
      metrics.miner.blocksMined.inc();
      metrics.miner.buildSeconds.observe(info.buildMs / 1000);
      // Our own blocks never pass insertBlock: without this a lone sealer's tx/s and block rate read 0.
      observeProcessedBlock(metrics.chain, 'mined', info.txs, (info.buildMs + info.writeMs) / 1000);
    });
  }

  const networkId = BigInt(cfg.node.networkid || 0) || chain.config.chainId;

  let p2p: P2pNode | undefined;
  let sync: SyncDriver | undefined;
  let rpcServer: RpcHttpServer | undefined;
  let rpcAddr: { host: string; port: number } | undefined;
  let wsServer: RpcWsServer | undefined;
  let wsAddr: { host: string; port: number } | undefined;
  let ipcServer: RpcIpcServer | undefined;
  let rpcEvents: ChainEvents | undefined;
  let filters: FilterSystem | undefined;
  let metricsServer: MetricsHttpServer | undefined;
  let metricsAddr: { host: string; port: number } | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('Shutting down');
      await miner?.stop();
      await p2p?.stop();
      await rpcServer?.stop();
      await wsServer?.stop();
      await ipcServer?.stop();
      filters?.close();
      rpcEvents?.close();
      await metricsServer?.stop();
      pool.stop(); // writes the journal a last time; a failure is logged, never thrown
      // The head state whole on disk (pruning); a failed write is logged: shutdown goes on and the next start repairs.
      await chain.stop().catch((e: unknown) => log.error('Failed to write the head state', { err: (e as Error).message }));
      await executor.close();
      await db.close();
      log.info('Stopped');
    })();
    return stopping;
  };
  // Fail closed: the first refused write (chain database or tx journal) stops the intake of work
  // (the pool refuses every tx: RPC answers -32000 "node storage failure: ...") and shuts the node
  // down cleanly, once, instead of leaving a miner dead behind an RPC that still says yes.
  let failure: Error | undefined;
  let reportFailure!: (e: Error) => void;
  const failed = new Promise<Error>((r) => (reportFailure = r));
  const failClosed = (e: Error) => {
    if (failure) return;
    failure = e;
    log.error('Storage failure: refusing new work and shutting down', { err: e.message });
    pool.refuse(e.message);
    reportFailure(e);
    void stop();
  };
  db.onWriteFailure(failClosed);
  pool.on('storage-failure', failClosed);
  // Whatever fails from here on (a port in use, say) releases what was started, so the
  // process exits instead of lingering with a live p2p host or worker pool.
  try {
    if (runsP2p && metrics.p2p) {
      const p2pMetrics = metrics.p2p;
      const observer = p2pObserver(p2pMetrics);
      p2p = await P2pNode.start(chain, {
        privateKey: cfg.p2p.nodekey ? await loadNodeKeyFile(cfg.p2p.nodekey) : await loadNodeKey(datadir),
        port: cfg.p2p.port,
        bootnodes: cfg.p2p.nodiscover ? [] : cfg.p2p.bootnodes,
        networkId,
        maxPeers: cfg.p2p.maxpeers,
        observer,
      }, pool);
      sync = new SyncDriver(p2p, {
        prefetch: (blocks) => {
          for (const b of blocks) knownSenders(b.transactions);
          executor.prefetch(blocks, chain.config.chainId);
        },
        observer,
      });
      p2p.on('ban', () => p2pMetrics.bans.inc());
      // As geth: no sealing on a head we know to be behind the network's.
      miner?.holdWhile(() => sync!.busy);
      log.info('P2P host started', { id: p2p.libp2p.peerId.toString(), addrs: p2p.libp2p.getMultiaddrs().map((a) => a.toString()).join(',') });
    }
    const backend: NodeBackend = {
      chain, pool, miner, pending: pendingBlock, networkId, clientVersion: clientVersion(cfg.node.identity), signers, p2p: p2p && sync && p2pBackend(p2p, sync),
      suggestedTip: cfg.miner.gasprice > 1_000_000_000n ? cfg.miner.gasprice : 1_000_000_000n,
      gasCap: cfg.rpc.gascap,
      // Ether to wei at gwei precision: the cap is a float, as geth's.
      txFeeCap: BigInt(Math.round(cfg.rpc.txfeecap * 1e9)) * 1_000_000_000n,
    };

    // One event hub, filter table and subscription set for both transports: a filter made over HTTP can be polled over WS.
    rpcEvents = new ChainEvents(chain, pool, () => backend.p2p?.syncing() ?? false);
    filters = new FilterSystem(backend, rpcEvents);
    const filterApi = filterMethods(filters);
    const subscriptions = new SubscriptionService(backend, rpcEvents);
    const rpcRegistry = (apis: string[]) => {
      const registry = new RpcRegistry(apis.concat(['net', 'web3', 'rpc']));
      registerAll(registry, 'rpc', { modules: { fn: () => registry.modules(), max: 0 } });
      for (const ns of ['eth', 'tos']) {
        registerAll(registry, ns, ethMethods(backend));
        registerAll(registry, ns, filterApi);
        registerAll(registry, ns, subscriptions.methods(ns));
      }
      registerAll(registry, 'net', netMethods(backend));
      registerAll(registry, 'web3', web3Methods(backend));
      registerAll(registry, 'txpool', txpoolMethods(backend));
      registerAll(registry, 'clique', cliqueMethods(backend));
      registerAll(registry, 'staking', stakingMethods(backend));
      registerAll(registry, 'agent', agentMethods(backend));
      registerAll(registry, 'admin', adminMethods(backend));
      registerAll(registry, 'personal', personalMethods(backend));
      return registry;
    };
    const onRequest = (method: string, ms: number, ok: boolean) => {
      metrics.rpc.requests.inc({ method, result: ok ? 'ok' : 'error' });
      metrics.rpc.latency.observe({ method }, ms / 1000);
    };

    if (cfg.http.enabled) {
      const registry = rpcRegistry(cfg.http.api);
      rpcServer = new RpcHttpServer(registry, {
        host: cfg.http.addr,
        port: cfg.http.port,
        corsDomains: cfg.http.corsdomain,
        vhosts: cfg.http.vhosts,
        onRequest,
      });
      rpcAddr = await rpcServer.start();
      log.info('HTTP JSON-RPC server started', { url: `http://${rpcAddr.host}:${rpcAddr.port}` });
    }
    if (cfg.ws.enabled) {
      wsServer = new RpcWsServer(rpcRegistry(cfg.ws.api), { host: cfg.ws.addr, port: cfg.ws.port, origins: cfg.ws.origins, onRequest });
      wsAddr = await wsServer.start();
      log.info('WebSocket JSON-RPC server started', { url: `ws://${wsAddr.host}:${wsAddr.port}` });
    }

    if (!cfg.node.ipcdisable) {
      // Every namespace, as geth's IPC: only the socket's owner can reach it (0600).
      const all = ['eth', 'tos', 'net', 'web3', 'txpool', 'clique', 'staking', 'agent', 'admin', 'personal'];
      ipcServer = new RpcIpcServer(rpcRegistry(all), { path: resolvePath(datadir, cfg.node.ipcpath), onRequest });
      await ipcServer.start();
      log.info('IPC endpoint opened', { url: ipcServer.path });
    }

    if (cfg.metrics.enabled) {
      metricsServer = new MetricsHttpServer(metrics, { host: cfg.metrics.addr, port: cfg.metrics.port });
      metricsAddr = await metricsServer.start();
      log.info('Metrics server started', { url: `http://${metricsAddr.host}:${metricsAddr.port}/metrics` });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  miner?.start();
  log.info('Node started', {
    chainId: chain.config.chainId, head: chain.currentHeader().number, parallel: executor.parallel, workers: executor.workerCount,
    datadir,
  });

  return { chain, pool, executor, miner, p2p, sync, rpc: rpcAddr, ws: wsAddr, ipc: ipcServer?.path, metricsAddr, devAccount, failed, stop };
}

/** Runs until SIGINT/SIGTERM; a second signal forces exit. */
export async function runNodeUntilSignal(cfg: NodeConfig, out: (s: string) => void): Promise<void> {
  const node = await startNode(cfg);
  if (node.devAccount) out(`Dev account: ${addressToHex(node.devAccount)} (key in ${join(cfg.node.datadir, 'keystore')}, empty password)`);
  if (node.rpc) out(`JSON-RPC: http://${node.rpc.host}:${node.rpc.port}`);
  if (node.ws) out(`WebSocket: ws://${node.ws.host}:${node.ws.port}`);
  if (node.metricsAddr) out(`Metrics:  http://${node.metricsAddr.host}:${node.metricsAddr.port}/metrics`);
  const failure = await new Promise<Error | undefined>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals > 1) process.exit(130);
      void node.stop().then(() => resolve(undefined));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    void node.failed.then((e) => node.stop().then(() => resolve(e)));
  });
  if (failure) throw new NodeStorageFailureError(`stopped after a storage failure: ${failure.message}`);
}
