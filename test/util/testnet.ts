/**
 * Nodes as a user starts them, in-process: one genesis file, a datadir per
 * node (real LevelDB), a signer key per sealing node in its keystore, p2p on
 * an ephemeral loopback port, RPC on an ephemeral port. Restarting a node
 * reuses its datadir (and so its node key).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from '../../src/crypto/bytes.js';
import { KeystoreDir } from '../../src/crypto/keystore-dir.js';
import { LIGHT_SCRYPT } from '../../src/crypto/keystore.js';
import { resolveConfig } from '../../src/cmd/config.js';
import { startNode, type RunningNode } from '../../src/node/node.js';
import { initCommand } from '../../src/cmd/commands/init.js';
import { setVerbosity } from '../../src/util/log.js';
import { genesisJson, type ChainSpec } from '../../tools/workload/chain-builder.js';
import type { TestAccount } from '../../tools/workload/accounts.js';

export class TestNet {
  readonly nodes = new Map<string, RunningNode>();
  private constructor(readonly dir: string, readonly genesisFile: string, private readonly pwFile: string) {}

  static create(spec: ChainSpec): TestNet {
    setVerbosity(1);
    const dir = mkdtempSync(join(tmpdir(), 'gtos-net-'));
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, JSON.stringify(genesisJson(spec)));
    const pwFile = join(dir, 'pw.txt');
    writeFileSync(pwFile, 'pw\n', { mode: 0o600 });
    return new TestNet(dir, genesisFile, pwFile);
  }

  datadir(name: string): string {
    return join(this.dir, name);
  }

  /** Starts (or restarts) node `name`; a signer makes it mine. */
  async start(name: string, o: { signer?: TestAccount; bootnodes?: string[]; flags?: Record<string, unknown> } = {}): Promise<RunningNode> {
    const datadir = this.datadir(name);
    if (!existsSync(join(datadir, 'chaindata'))) {
      await initCommand(this.genesisFile, datadir, () => undefined);
      if (o.signer) new KeystoreDir(join(datadir, 'keystore')).importKey(o.signer.key, 'pw', LIGHT_SCRYPT);
    }
    const node = await startNode(resolveConfig({
      datadir, port: '0', http: true, 'http.port': '0', 'http.api': 'eth,net,admin,clique', verbosity: '1',
      ...(o.signer ? { mine: true, unlock: bytesToHex(o.signer.address), password: this.pwFile } : {}),
      ...(o.bootnodes?.length ? { bootnodes: o.bootnodes.join(',') } : {}),
      ...o.flags,
    }));
    this.nodes.set(name, node);
    return node;
  }

  async stop(name: string): Promise<void> {
    await this.nodes.get(name)?.stop();
    this.nodes.delete(name);
  }

  async close(): Promise<void> {
    for (const n of [...this.nodes.values()].reverse()) await n.stop();
    this.nodes.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function p2pAddr(node: RunningNode): string {
  return node.p2p!.libp2p.getMultiaddrs()[0]!.toString();
}

export function rpcUrl(node: RunningNode): string {
  return `http://${node.rpc!.host}:${node.rpc!.port}`;
}

export function peerIdOf(node: RunningNode): string {
  return node.p2p!.libp2p.peerId.toString();
}
