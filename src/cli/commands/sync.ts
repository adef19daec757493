import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { BadRequestError } from '../../domain/errors.js';
import { parseSavedPlan, type SavedPlan } from '../../services/saved-plans.js';
import { EXIT } from '../errors.js';
import { printJson, withRuntime } from '../context.js';
import { assertRunnable } from '../../services/sync.js';
import { renderRunText } from '../render-run.js';
import { actorOf, addActorOption } from '../options.js';

interface SyncCommandOptions {
  dryRun?: boolean;
  approve?: string;
  user?: string[];
  revertNow?: boolean;
  plan?: string;
  json?: boolean;
  actor?: string;
}

async function readSavedPlan(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new BadRequestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseSavedPlan(text, file);
}

export function registerSync(program: Command): void {
  addActorOption(program.command('sync'))
    .description(
      'read the sources and Heap, plan, and apply the plan through the guards; journals the run and delivers its ' +
        'alerts before it exits',
    )
    .option('--dry-run', 'plan and journal, change nothing')
    .option('--approve <runId>', 'approve a plan a guard held, and apply it')
    .option('--user <email...>', 'limit the run to these users')
    .option('--revert-now', "revert the --user users' drift now, without waiting out policy.revertAfter")
    .option('--plan <file>', 'apply exactly the plan plan --out saved; refused (exit 2) if Heap or the sources changed')
    .option('--json', 'print the journal record as JSON')
    .action(async (opts: SyncCommandOptions, command: Command) => {
      const savedPlan = opts.plan ? await readSavedPlan(opts.plan) : undefined;
      const options = {
        trigger: 'cli' as const,
        actor: actorOf(opts),
        ...(opts.dryRun && { dryRun: true }),
        ...(opts.approve && { approve: opts.approve }),
        ...(opts.user && { scope: opts.user }),
        ...(opts.revertNow && { revertNow: true }),
        ...(savedPlan && { savedPlan }),
      };
      assertRunnable(options);
      await withRuntime(
        command,
        async (rt, terminal) => {
          const progress = opts.json ? undefined : terminal.progress;
          const { record } = await rt.sync.run({ ...options, ...(progress && { onProgress: progress }) });
          terminal.done();
          if (opts.json) printJson(record);
          else process.stdout.write(renderRunText(record));
          process.exitCode =
            record.status === 'held'
              ? EXIT.held
              : record.status === 'failed' || record.status === 'partial'
                ? EXIT.failure
                : EXIT.ok;
        },
        { alerts: true },
      );
    });
}
