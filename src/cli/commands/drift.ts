import type { Command } from 'commander';
import { showAccess } from '../../domain/entitlement.js';
import { describeSuggestions } from '../../planner/index.js';
import { EXIT } from '../errors.js';
import { printJson, withRuntime } from '../context.js';

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description(
      'list manual changes in Heap that the next sync would revert or keep, with the IdP change that would make them permanent',
    )
    .option('--json', 'print JSON')
    .option('--fail-on-drift', 'exit 3 when there is drift (for CI)')
    .action(async (opts: { json?: boolean; failOnDrift?: boolean }, command: Command) => {
      await withRuntime(command, async (rt, terminal) => {
        const progress = opts.json ? undefined : terminal.progress;
        const { plan } = await rt.sync.plan(progress ? { onProgress: progress } : {});
        terminal.done();
        if (opts.json) printJson({ drift: plan.drift, mappingVersion: rt.mapping.current().version });
        else if (plan.drift.length === 0)
          process.stdout.write('no drift: Heap matches the mapping and the last sync\n');
        else {
          for (const d of plan.drift) {
            process.stdout.write(
              `${d.user} ${d.entitlement}: baseline ${showAccess(d.baseline)}, actual ${showAccess(d.actual)}, desired ${showAccess(d.desired)}  [${d.cause}, will ${d.action}]\n${describeSuggestions(d, '  ').join('\n')}\n`,
            );
          }
          process.stdout.write(`${plan.drift.length} drift item(s)\n`);
        }
        if (opts.failOnDrift && plan.drift.length > 0) process.exitCode = EXIT.drift;
      });
    });
}
