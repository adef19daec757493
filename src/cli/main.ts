#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { reportError } from './errors.js';
import { registerStandIn } from './commands/stand-in.js';
import { registerSync } from './commands/sync.js';
import { registerDrift } from './commands/drift.js';
import { registerJournal } from './commands/journal.js';
import { registerExceptions } from './commands/exceptions.js';
import { registerServe } from './commands/serve.js';
import { registerDemo } from './commands/demo.js';
import { registerValidate } from './commands/validate.js';
import { registerDocs } from './commands/docs.js';
import { registerExplain } from './commands/explain.js';
import { registerPlanOffline } from './commands/plan.js';

/** The CLI: each command lives in ./commands and is registered here. */
export function buildProgram(): Command {
  const program = new Command('heap-access-sync')
    .description('IdP group membership as the single source of access in Heap')
    .option('-c, --config <path>', 'config file (default: $HEAP_ACCESS_SYNC_CONFIG or ./heap-access-sync.yaml)')
    .showHelpAfterError()
    .exitOverride();
  registerSync(program);
  registerDrift(program);
  registerJournal(program);
  registerExceptions(program);
  registerServe(program);
  registerDemo(program);
  registerValidate(program);
  registerDocs(program);
  registerExplain(program);
  registerPlanOffline(program);
  registerStandIn(program);
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
