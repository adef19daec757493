import type { Command } from 'commander';
import { listUserHistory } from './journal.js';

/** `history <user>`: the same history as `journal list --user <user>`, by the capability's own name. */
export function registerHistory(program: Command): void {
  program
    .command('history <user>')
    .description(
      "one user's access history from the journal, oldest first: changes, manual changes seen, exceptions, " +
        'approvals, tasks and review decisions (same as journal list --user); needs no secret',
    )
    .option('--since <date>', 'only entries from this ISO date on')
    .option('--format <format>', 'text (default), json or csv')
    .option('--json', 'print JSON')
    .action(async (user: string, opts: { since?: string; format?: string; json?: boolean }, command: Command) => {
      await listUserHistory(command, { limit: 0, user, ...opts });
    });
}
