#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { reportError } from './errors.js';

/** The CLI: each command lives in ./commands and is registered here. */
export function buildProgram(): Command {
  const program = new Command('heap-access-sync')
    .description('IdP group membership as the single source of access in Heap')
    .option('-c, --config <path>', 'config file (default: $HEAP_ACCESS_SYNC_CONFIG or ./heap-access-sync.yaml)')
    .showHelpAfterError()
    .exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage mistakes are bad input
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(err);
  }
}

await main(process.argv);
