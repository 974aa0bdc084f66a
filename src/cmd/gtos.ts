#!/usr/bin/env node
/**
 * The `gtos` command line: flags and TOML → one typed config → the node or a
 * subcommand. Errors a user can act on print as one clear line with a
 * non-zero exit code.
 */
import { Command, Option } from 'commander';
import { initCommand } from './commands/init.js';
import { importCommand } from './commands/import.js';
import { exportCommand } from './commands/export.js';
import { accountImport, accountList, accountNew } from './commands/account.js';
import { addSettingFlags, dumpToml, executorConfig, get, resolveConfig } from './config.js';
import { runNodeUntilSignal } from './node.js';
import { setVerbosity } from '../log.js';
import { TxExecutor } from '../core/executor/tx-executor.js';

const out = (s: string) => process.stdout.write(s + '\n');

function parseBlockNumber(v: string): bigint {
  if (!/^[0-9]+$/.test(v)) throw new Error(`not a block number: ${v}`);
  return BigInt(v);
}

export function buildProgram(): Command {
  const program = new Command('gtos')
    .description('GTOS node: plain transfers and system actions on a clique chain, with a parallel-transfer executor')
    .version('0.1.0')
    .showHelpAfterError();
  addSettingFlags(program);
  const cfg = () => resolveConfig(program.opts());
  program.action(async () => {
    await runNodeUntilSignal(cfg(), out);
  });

  program
    .command('init <genesis>')
    .description('write a genesis block from a go-ethereum genesis JSON file')
    .action(async (genesis: string) => {
      const c = cfg();
      setVerbosity(get<number>(c, 'node', 'verbosity'));
      await initCommand(genesis, get<string>(c, 'node', 'datadir'), out);
    });

  program
    .command('import <files...>')
    .description('import blocks from RLP files (go-ethereum export format)')
    .action(async (files: string[]) => {
      const c = cfg();
      setVerbosity(get<number>(c, 'node', 'verbosity'));
      const executor = new TxExecutor(executorConfig(c));
      try {
        await importCommand(files, get<string>(c, 'node', 'datadir'), out, {
          executor,
          recoverSenders: (txs, chainId) => executor.recoverSenders(txs, chainId),
          lookahead: (blocks, chainId) => executor.prefetch(blocks, chainId),
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
      await exportCommand(file, first ? parseBlockNumber(first) : undefined, last ? parseBlockNumber(last) : undefined, get<string>(c, 'node', 'datadir'), out);
    });

  program
    .command('dumpconfig')
    .description('print the effective configuration as TOML')
    .action(() => {
      out(dumpToml(cfg()).trimEnd());
    });

  const account = program.command('account').description('manage keystore accounts');
  account
    .command('new')
    .description('create a new encrypted key')
    .addOption(new Option('--password <file>', 'password file'))
    .action(async (o: { password?: string }) => {
      await accountNew(get<string>(cfg(), 'node', 'datadir'), o.password ?? program.opts().password, out);
    });
  account
    .command('list')
    .description('list the keystore accounts')
    .action(() => accountList(get<string>(cfg(), 'node', 'datadir'), out));
  account
    .command('import <keyfile>')
    .description('import a hex private key from a file into the keystore')
    .addOption(new Option('--password <file>', 'password file'))
    .action(async (keyfile: string, o: { password?: string }) => {
      await accountImport(get<string>(cfg(), 'node', 'datadir'), keyfile, o.password ?? program.opts().password, out);
    });
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
