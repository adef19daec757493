import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { LOG_LEVELS } from '../config/schema.js';
import { registerStandIn } from './commands/stand-in.js';
import { registerSync } from './commands/sync.js';
import { registerDrift } from './commands/drift.js';
import { registerJournal } from './commands/journal.js';
import { registerHistory } from './commands/history.js';
import { registerApprovals } from './commands/approvals.js';
import { registerExceptions } from './commands/exceptions.js';
import { registerTasks } from './commands/tasks.js';
import { registerReviews } from './commands/reviews.js';
import { registerServe } from './commands/serve.js';
import { registerDemo } from './commands/demo.js';
import { registerValidate } from './commands/validate.js';
import { registerDocs } from './commands/docs.js';
import { registerExplain } from './commands/explain.js';
import { registerPlanOffline } from './commands/plan.js';

/** The version in package.json: one above src/ and dist/, whichever this file runs from. */
function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The CLI: each command lives in ./commands and is registered here. */
export function buildProgram(): Command {
  const program = new Command('heap-access-sync')
    .description('IdP group membership as the single source of access in Heap')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('-c, --config <path>', 'config file (default: $HEAP_ACCESS_SYNC_CONFIG or ./heap-access-sync.yaml)')
    .addOption(
      new Option(
        '--log-level <level>',
        "log level of the logs on stderr (default: warn; serve: the config's logLevel)",
      ).choices(LOG_LEVELS),
    )
    .showHelpAfterError()
    .exitOverride();
  registerSync(program);
  registerDrift(program);
  registerJournal(program);
  registerHistory(program);
  registerExceptions(program);
  registerApprovals(program);
  registerTasks(program);
  registerReviews(program);
  registerServe(program);
  registerDemo(program);
  registerValidate(program);
  registerDocs(program);
  registerExplain(program);
  registerPlanOffline(program);
  registerStandIn(program);
  return program;
}
