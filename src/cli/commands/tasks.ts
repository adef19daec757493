import { type Command, Option } from 'commander';
import { showAccess } from '../../domain/entitlement.js';
import { type AssistedTask, PENDING_TASK_STATUSES, TASK_STATUSES, type TaskStatus } from '../../domain/task.js';
import { createTaskService } from '../../services/tasks.js';
import { printJson, withStore } from '../context.js';

const render = (t: AssistedTask): string =>
  [
    `${t.id}  [${t.status}, ${t.enforcement}]  ${t.user}  ${t.entitlement}: ${showAccess(t.from)} -> ${showAccess(t.to)}`,
    `    in Heap: ${t.step}`,
    `    why: ${t.why}`,
    ...(t.doneBy ? [`    done by ${t.doneBy} at ${t.doneAt ?? '?'}`] : []),
    ...(t.closedReason ? [`    ${t.status}: ${t.closedReason}`] : []),
  ].join('\n') + '\n';

/** Assisted changes: what the sync cannot write to Heap, for a Heap administrator to do in Heap's UI. */
export function registerTasks(program: Command): void {
  const cmd = program
    .command('tasks')
    .description("changes the sync cannot write to Heap: steps for a Heap administrator in Heap's UI");
  cmd
    .command('list')
    .description('the open tasks and those marked done (with --all or --status: the others too); needs no secret')
    .option('--all', 'every task, verified, attested and closed ones too')
    .addOption(new Option('--status <status>', 'only tasks with this status').choices([...TASK_STATUSES]))
    .option('--user <email>', 'only the tasks of this user (or team:<name>)')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; status?: TaskStatus; user?: string; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const statuses = opts.status ? [opts.status] : opts.all ? undefined : PENDING_TASK_STATUSES;
        const tasks = await createTaskService(rt).list({
          ...(statuses && { statuses }),
          ...(opts.user !== undefined && { user: opts.user }),
        });
        if (opts.json) printJson({ tasks });
        else process.stdout.write(tasks.length ? tasks.map(render).join('') : 'no tasks\n');
      });
    });
  cmd
    .command('done <id>')
    .description(
      'record that a Heap administrator made the change; the next sync verifies it, or records it as attested',
    )
    .requiredOption('--actor <name>', 'who made the change in Heap')
    .option('--note <text>', 'what was done, for the audit trail')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { actor: string; note?: string; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const task = await createTaskService(rt).markDone(id, {
          actor: opts.actor,
          ...(opts.note !== undefined && { note: opts.note }),
        });
        if (opts.json) printJson(task);
        else {
          const next =
            task.enforcement === 'assisted'
              ? 'the next sync checks it in Heap'
              : 'Heap cannot show it: the next sync records it as attested';
          process.stdout.write(`${task.id} marked done by ${task.doneBy}; ${next}\n`);
        }
      });
    });
}
