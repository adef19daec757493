import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { printJson, withRuntime } from '../context.js';
import { assertRunnable } from '../../services/sync.js';
import { renderRunText } from '../render-run.js';
import { actorOf, addActorOption } from '../options.js';

export function registerSync(program: Command): void {
  addActorOption(
    program
      .command('sync')
      .description(
        'read the sources and Heap, plan, and apply the plan through the guards; journals the run and delivers ' +
          'its alerts before it exits',
      )
      .option('--dry-run', 'plan and journal, change nothing')
      .option('--approve <runId>', 'approve a plan a guard held, and apply it')
      .option('--user <email...>', 'limit the run to these users')
      .option('--json', 'print the journal record as JSON'),
  ).action(
    async (
      opts: { dryRun?: boolean; approve?: string; user?: string[]; json?: boolean; actor?: string },
      command: Command,
    ) => {
      const options = {
        trigger: 'cli' as const,
        actor: actorOf(opts),
        ...(opts.dryRun && { dryRun: true }),
        ...(opts.approve && { approve: opts.approve }),
        ...(opts.user && { scope: opts.user }),
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
    },
  );
}
