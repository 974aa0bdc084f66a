/**
 * `gtos localnet`: a clique testnet on 127.0.0.1 in one command. The first
 * run creates, under one folder, a signer key per node (encrypted keystore,
 * a random password in a 0600 file), a node key per node (so peer ids are
 * known up front and every node can list the others as bootnodes), and a
 * genesis naming all signers; later runs reuse them and continue the chain.
 * Each node runs as its own `gtos` process (mining, RPC and metrics on
 * consecutive ports, output prefixed with its name); Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { bytesToHex } from '../../crypto/bytes.js';
import { addressToHex, type Address } from '../../crypto/primitives.js';
import { KeystoreDir } from '../../crypto/keystore-dir.js';
import { LIGHT_SCRYPT } from '../../crypto/keystore.js';
import { loadNodeKey } from '../../network/node-key.js';
import { CONFIG_DIR } from '../../node/dev.js';
import { initCommand } from './init.js';
import { NODE_FLAGS } from '../node-flags.js';

export interface LocalnetOptions {
  dir: string;
  nodes: number;
  period: number;
  p2pPort: number;
  httpPort: number;
  metricsPort: number;
  verbosity: number;
  parallel: boolean;
}

export interface LocalnetNodePlan {
  name: string;
  datadir: string;
  signer: Address;
  peerId: string;
  p2pPort: number;
  httpPort: number;
  metricsPort: number;
  args: string[];
}

export class LocalnetError extends Error {
  override name = 'LocalnetError';
}

const GTOS_MAIN = fileURLToPath(new URL('../gtos.js', import.meta.url));

/** Creates (or reuses) the keys, genesis and datadirs; returns how to start each node. */
export async function prepareLocalnet(o: LocalnetOptions): Promise<LocalnetNodePlan[]> {
  if (o.nodes < 1 || o.nodes > 16) throw new LocalnetError('--nodes must be between 1 and 16');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const pwFile = join(o.dir, 'password.txt');
  if (!existsSync(pwFile)) writeFileSync(pwFile, randomBytes(16).toString('hex') + '\n', { mode: 0o600 });
  const password = readFileSync(pwFile, 'utf8').trim();

  const base = Array.from({ length: o.nodes }, (_, i) => {
    const name = `node${i}`;
    const datadir = join(o.dir, name);
    const ks = new KeystoreDir(join(datadir, 'keystore'));
    if (ks.list().length === 0) ks.create(password, LIGHT_SCRYPT);
    return { name, datadir, signer: ks.list()[0]! };
  });
  const peerIds: string[] = [];
  for (const b of base) peerIds.push(peerIdFromPrivateKey((await loadNodeKey(b.datadir)) as never).toString());

  const genesisFile = join(o.dir, 'genesis.json');
  if (!existsSync(genesisFile)) {
    const signers = base.map((b) => b.signer).sort((a, b) => (bytesToHex(a) < bytesToHex(b) ? -1 : 1));
    const extra = '0x' + '00'.repeat(32) + signers.map((s) => bytesToHex(s, false)).join('') + '00'.repeat(65);
    const template = readFileSync(join(CONFIG_DIR, 'dev-genesis.json'), 'utf8');
    const doc = JSON.parse(template.replace('{{EXTRA_DATA}}', extra).replace('{{DEV_ACCOUNT}}', addressToHex(signers[0]!)));
    doc.config.clique.period = o.period;
    doc.timestamp = '0x' + Math.floor(Date.now() / 1000).toString(16);
    doc.alloc = Object.fromEntries(signers.map((s) => [addressToHex(s), { balance: '0x' + (10n ** 24n).toString(16) }]));
    writeFileSync(genesisFile, JSON.stringify(doc, null, 2) + '\n');
  }
  for (const b of base) {
    if (!existsSync(join(b.datadir, 'chaindata'))) await initCommand(genesisFile, b.datadir, () => undefined);
  }

  return base.map((b, i) => {
    const p2pPort = o.p2pPort + i, httpPort = o.httpPort + i, metricsPort = o.metricsPort + i;
    const bootnodes = base.map((_, j) => `/ip4/127.0.0.1/tcp/${o.p2pPort + j}/p2p/${peerIds[j]}`).filter((_, j) => j !== i);
    const args = [
      '--datadir', b.datadir, '--mine', '--unlock', addressToHex(b.signer), '--password', pwFile, '--allow-insecure-unlock',
      '--port', String(p2pPort), '--http', '--http.port', String(httpPort), '--http.api', 'eth,tos,net,web3,txpool,clique,admin',
      '--metrics', '--metrics.port', String(metricsPort), '--verbosity', String(o.verbosity),
      ...(bootnodes.length ? ['--bootnodes', bootnodes.join(',')] : []),
      ...(o.parallel ? ['--txexec.parallel'] : []),
    ];
    return { ...b, peerId: peerIds[i]!, p2pPort, httpPort, metricsPort, args };
  });
}

export interface RunningLocalnet {
  nodes: (LocalnetNodePlan & { rpc: string; process: ChildProcess })[];
  /** Resolves when every process has exited. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** Spawns one `gtos` process per plan and returns at once; `ready` settles when all serve RPC (or one fails). */
export function launchLocalnet(plans: LocalnetNodePlan[], out: (s: string) => void, startTimeoutMs = 60_000): RunningLocalnet & { ready: Promise<void> } {
  const nodes: RunningLocalnet['nodes'] = [];
  const exits: Promise<void>[] = [];
  const ready: Promise<void>[] = [];
  for (const plan of plans) {
    const child = spawn(process.execPath, [...NODE_FLAGS, GTOS_MAIN, ...plan.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only us, and we stop each node once, cleanly.
      detached: true,
    });
    const node = { ...plan, rpc: `http://127.0.0.1:${plan.httpPort}`, process: child };
    nodes.push(node);
    let resolveReady!: () => void, rejectReady!: (e: Error) => void;
    ready.push(new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    }));
    const prefix = (s: string) => s.split('\n').filter(Boolean).map((l) => `[${plan.name}] ${l}`).join('\n');
    // Only the start-up output is kept (to spot the RPC line); a long run must not grow it.
    let buffered: string | undefined = '';
    child.stdout!.on('data', (d: Buffer) => {
      const s = d.toString();
      if (buffered !== undefined) {
        buffered += s;
        if (buffered.includes('JSON-RPC: http://')) {
          buffered = undefined;
          resolveReady();
        }
      }
      out(prefix(s));
    });
    child.stderr!.on('data', (d: Buffer) => out(prefix(d.toString())));
    exits.push(new Promise<void>((res) => child.once('exit', (code) => {
      rejectReady(new LocalnetError(`${plan.name} exited with code ${code} before serving RPC`));
      res();
    })));
  }
  const exited = Promise.all(exits).then(() => undefined);
  const stop = async () => {
    for (const n of nodes) if (n.process.exitCode === null) n.process.kill('SIGINT');
    const force = setTimeout(() => nodes.forEach((n) => n.process.exitCode === null && n.process.kill('SIGKILL')), 20_000);
    await exited;
    clearTimeout(force);
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new LocalnetError('localnet nodes did not start in time')), startTimeoutMs);
  });
  const allReady = Promise.race([Promise.all(ready).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  return { nodes, exited, stop, ready: allReady };
}

/** Spawns one `gtos` process per plan; resolves once every node serves RPC (stopping all if one cannot). */
export async function startLocalnet(plans: LocalnetNodePlan[], out: (s: string) => void, startTimeoutMs = 60_000): Promise<RunningLocalnet> {
  const net = launchLocalnet(plans, out, startTimeoutMs);
  try {
    await net.ready;
  } catch (e) {
    await net.stop();
    throw e;
  }
  return net;
}

/** The CLI: prepare, start, print the endpoints, stop everything on Ctrl-C (also while starting). */
export async function runLocalnet(o: LocalnetOptions, out: (s: string) => void): Promise<void> {
  const plans = await prepareLocalnet(o);
  const net = launchLocalnet(plans, out);
  let signals = 0;
  let stopped: Promise<void> | undefined;
  const onSignal = () => {
    if (++signals > 1) {
      for (const n of net.nodes) if (n.process.exitCode === null) n.process.kill('SIGKILL');
      process.exit(130);
    }
    out('Stopping localnet...');
    stopped = net.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await net.ready;
  } catch (e) {
    // Stopped by the user while starting: not a failure.
    if (stopped) return stopped;
    await net.stop();
    throw e;
  }
  if (stopped) return stopped;
  out('');
  out(`Localnet of ${plans.length} clique signers (period ${o.period}s) in ${o.dir}; keystore password in ${join(o.dir, 'password.txt')}`);
  for (const n of net.nodes) {
    out(`  ${n.name}: signer ${addressToHex(n.signer)}  JSON-RPC ${n.rpc}  metrics http://127.0.0.1:${n.metricsPort}/metrics  p2p /ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}`);
  }
  out('Press Ctrl-C to stop all nodes.');
  // Ends on Ctrl-C (after every node stopped) or when every node has exited by itself.
  await net.exited;
}
