#!/usr/bin/env -S node --max-semi-space-size=64
/**
 * The `gtos` command line: flags and TOML → one typed config → the node or a
 * subcommand. Errors a user can act on print as one clear line with a
 * non-zero exit code.
 */
import { Command, Option } from 'commander';
import { initCommand } from './commands/init.js';
import { importCommand } from './commands/import.js';
import { exportCommand } from './commands/export.js';
import { dbCheckCommand } from './commands/db.js';
import { accountImport, accountList, accountNew } from './commands/account.js';
import { addSettingFlags, dumpToml, resolveConfig } from './config.js';
import { executorConfig } from '../node/config.js';
import { runNodeUntilSignal } from '../node/node.js';
import { runLocalnet } from './commands/localnet.js';
import { resolve as resolvePath } from 'node:path';
import { setLogFile, setLogFormat, setVerbosity } from '../util/log.js';
import { TxExecutor } from '../core/executor/executor.js';
import { VERSION, versionReport } from '../util/version.js';
import { unknownCommand } from './suggest.js';
import { attachCommand } from './commands/attach.js';

const out = (s: string) => process.stdout.write(s + '\n');

function parseBlockNumber(v: string): bigint {
  if (!/^[0-9]+$/.test(v)) throw new Error(`not a block number: ${v}`);
  return BigInt(v);
}

export function buildProgram(): Command {
  const program = new Command('gtos')
    .description('GTOS node: plain transfers and system actions on a clique chain, with a parallel-transfer executor')
    .version(VERSION)
    .showHelpAfterError();
  addSettingFlags(program);
  // The log settings are the process's: applied whenever the config is read, before anything logs.
  const cfg = () => {
    const c = resolveConfig(program.opts());
    setLogFormat(c.log.format === 'json' ? 'json' : 'terminal');
    if (c.log.file) setLogFile(resolvePath(c.log.file));
    return c;
  };
  program.action(async () => {
    // A stray word is a mistyped subcommand, not an argument of the node (which takes none).
    const stray = program.args[0];
    if (stray !== undefined) throw unknownCommand(stray, program.commands.map((c) => c.name()));
    await runNodeUntilSignal(cfg(), out);
  });

  program
    .command('version')
    .description('print the version, Node.js version and platform')
    .action(() => {
      out(versionReport());
    });

  program
    .command('init <genesis>')
    .description('write a genesis block from a go-ethereum genesis JSON file')
    .action(async (genesis: string) => {
      const c = cfg();
      setVerbosity(c.node.verbosity);
      await initCommand(genesis, c.node.datadir, out);
    });

  program
    .command('import <files...>')
    .description('import blocks from RLP files (go-ethereum export format)')
    .action(async (files: string[]) => {
      const c = cfg();
      setVerbosity(c.node.verbosity);
      const executor = new TxExecutor(executorConfig(c));
      try {
        await importCommand(files, c.node.datadir, out, {
          executor,
          recoverSenders: (txs, chainId) => executor.recoverSenders(txs, chainId),
          lookahead: (blocks, chainId) => executor.prefetch(blocks, chainId),
          gcmode: c.node.gcmode === 'archive' ? 'archive' : 'full',
          cacheMB: c.node.cache,
        });
      } finally {
        await executor.close();
      }
    });

  program
    .command('export <file> [first] [last]')
    .description('export canonical blocks [first..last] to an RLP file')
    .action(async (file: string, first?: string, last?: string) => {
      const c = cfg();
      await exportCommand(file, first ? parseBlockNumber(first) : undefined, last ? parseBlockNumber(last) : undefined, c.node.datadir, out);
    });

  program
    .command('db')
    .description('database maintenance')
    .command('check')
    .description('verify every canonical block and the whole head state (stop the node first)')
    .action(async () => {
      const c = cfg();
      setVerbosity(c.node.verbosity);
      await dbCheckCommand(c.node.datadir, out);
    });

  program
    .command('attach [endpoint]')
    .description('interactive JavaScript console on a node: IPC path (default <datadir>/gtos.ipc), http(s):// or ws(s):// URL')
    .addOption(new Option('--exec <js>', 'evaluate the JavaScript, print the result and exit'))
    .action(async (endpoint: string | undefined, o: { exec?: string }) => {
      const c = cfg();
      await attachCommand({ endpoint: endpoint ?? resolvePath(c.node.datadir, c.node.ipcpath), historyDir: c.node.datadir, exec: o.exec }, out);
    });

  program
    .command('dumpconfig')
    .description('print the effective configuration as TOML')
    .action(() => {
      out(dumpToml(cfg()).trimEnd());
    });

  program
    .command('localnet')
    .description('run a clique testnet of several signers on 127.0.0.1 (Ctrl-C stops all)')
    .addOption(new Option('--dir <path>', 'folder for the nodes, keys and genesis (reused on later runs)').default('.localnet'))
    .addOption(new Option('--nodes <n>', 'number of signer nodes').default('3'))
    .addOption(new Option('--period <seconds>', 'clique block period').default('1'))
    .addOption(new Option('--p2p-port <port>', 'p2p port of the first node (the others follow)').default('30303'))
    .addOption(new Option('--http-port <port>', 'JSON-RPC port of the first node').default('8545'))
    .addOption(new Option('--metrics-port <port>', 'metrics port of the first node').default('6060'))
    .addOption(new Option('--parallel', 'run the parallel-transfer executor on every node'))
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const int = (k: string) => {
        const v = Number(o[k]);
        if (!Number.isInteger(v) || v < 0) throw new Error(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a non-negative integer`);
        return v;
      };
      await runLocalnet({
        dir: resolvePath(String(o.dir)), nodes: int('nodes'), period: int('period'),
        p2pPort: int('p2pPort'), httpPort: int('httpPort'), metricsPort: int('metricsPort'),
        verbosity: cfg().node.verbosity, parallel: o.parallel === true,
      }, out);
    });

  const account = program.command('account').description('manage keystore accounts');
  account
    .command('new')
    .description('create a new encrypted key')
    .addOption(new Option('--password <file>', 'password file'))
    .action(async (o: { password?: string }) => {
      await accountNew(cfg().node.datadir, o.password ?? program.opts().password, out);
    });
  account
    .command('list')
    .description('list the keystore accounts')
    .action(() => accountList(cfg().node.datadir, out));
  account
    .command('import <keyfile>')
    .description('import a hex private key from a file into the keystore')
    .addOption(new Option('--password <file>', 'password file'))
    .action(async (keyfile: string, o: { password?: string }) => {
      await accountImport(cfg().node.datadir, keyfile, o.password ?? program.opts().password, out);
    });
  // Set last: subcommands copy this setting when created, and they must keep refusing extra words.
  program.allowExcessArguments(true);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (e) {
    process.stderr.write(`Fatal: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

await main();
