import type { Command } from 'commander';
import { NotFoundError } from '../../domain/errors.js';
import { EXIT } from '../errors.js';
import { printJson, withStore } from '../context.js';
import { integerArg } from '../options.js';
import { renderJournalList, renderRunText } from '../render-run.js';

export function registerJournal(program: Command): void {
  const journal = program.command('journal').description('the append-only, hash-chained record of every run');
  journal
    .command('list')
    .description('the latest runs, newest first')
    .option('--limit <n>', 'how many runs', integerArg('--limit', 1), 20)
    .option('--json', 'print JSON')
    .action(async (opts: { limit: number; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const rows = await rt.store.listJournal({ limit: opts.limit });
        if (opts.json) printJson({ runs: rows });
        else process.stdout.write(renderJournalList(rows));
      });
    });
  journal
    .command('show <id>')
    .description('one run: state before, plan, each result, state after')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const record = await rt.store.getJournal(id);
        if (!record) throw new NotFoundError(`no run ${id}`);
        if (opts.json) printJson(record);
        else process.stdout.write(renderRunText(record));
      });
    });
  journal
    .command('verify')
    .description('walk the hash chain and name the first record that does not match')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const result = await rt.store.verifyJournal();
        if (opts.json) printJson(result);
        else if (result.ok) process.stdout.write(`journal ok: ${result.records} record(s), chain intact\n`);
        else {
          const bad = result.firstBad!;
          process.stdout.write(`journal TAMPERED: record #${bad.sequence} (${bad.id}): ${bad.problem}\n`);
        }
        if (!result.ok) process.exitCode = EXIT.failure;
      });
    });
}
