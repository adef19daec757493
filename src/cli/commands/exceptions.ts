import type { Command } from 'commander';
import { BadRequestError } from '../../domain/errors.js';
import { NO_ACCESS, showAccess } from '../../domain/entitlement.js';
import type { AccessException } from '../../domain/exception.js';
import type { StoreRuntime } from '../../main.js';
import { createExceptionService } from '../../services/exceptions.js';
import { printJson, withRuntime, withStore } from '../context.js';
import { actorOf, addActorOption } from '../options.js';

const render = (e: AccessException) =>
  `${e.id}  ${e.user} ${e.entitlement} = ${showAccess(e.value)}  until ${e.expiresAt}${e.revokedAt ? ` (revoked ${e.revokedAt})` : ''}\n    approved by ${e.approver}: ${e.reason}\n`;

/** The exception service over the store alone: listing and revoking never read the mapping, so none is loaded. */
const recordsOnly = (rt: StoreRuntime) =>
  createExceptionService({
    store: rt.store,
    clock: rt.clock,
    journal: rt.journal,
    mapping: () => {
      throw new Error('listing and revoking exceptions do not load the mapping');
    },
  });

export function registerExceptions(program: Command): void {
  const cmd = program.command('exceptions').description('approved, time-bound overrides of the mapping');
  cmd
    .command('list')
    .description('the active exceptions (with --all: expired and revoked ones too); needs no secret')
    .option('--all', 'include expired and revoked exceptions')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const list = await recordsOnly(rt).list({ all: Boolean(opts.all) });
        if (opts.json) printJson({ exceptions: list });
        else process.stdout.write(list.length ? list.map(render).join('') : 'no exceptions\n');
      });
    });
  addActorOption(cmd.command('add'))
    .description('grant a temporary override, or accept a drift item until it expires (--from-drift)')
    .option('--user <email>', 'the user')
    .option('--entitlement <key>', 'membership | org | project:<key> | module:<module>:<key>')
    .option('--value <value>', `the value to hold; "none" or "${NO_ACCESS}" for no access`)
    .option('--from-drift', 'take user, entitlement and value from the current drift item (accept the manual change)')
    .requiredOption('--reason <text>', 'why (auditors read this)')
    .requiredOption('--approver <who>', 'who approved it')
    .requiredOption('--expires <when>', 'ISO date-time, or a duration such as 7d or 12h')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          user?: string;
          entitlement?: string;
          value?: string;
          fromDrift?: boolean;
          reason: string;
          approver: string;
          expires: string;
          json?: boolean;
          actor?: string;
        },
        command: Command,
      ) => {
        await withRuntime(command, async (rt) => {
          const common = {
            reason: opts.reason,
            approver: opts.approver,
            expires: opts.expires,
            requestedBy: actorOf(opts),
          };
          let created: AccessException;
          if (opts.fromDrift) {
            if (!opts.user || !opts.entitlement)
              throw new BadRequestError('--from-drift needs --user and --entitlement');
            const { plan } = await rt.sync.plan({ scope: [opts.user] });
            const item = plan.drift.find(
              (d) => d.user === opts.user!.toLowerCase() && d.entitlement === opts.entitlement,
            );
            if (!item) throw new BadRequestError(`no drift for ${opts.user} ${opts.entitlement}`);
            created = await rt.exceptions.addFromDrift(item, common);
          } else {
            if (!opts.user || !opts.entitlement || opts.value === undefined) {
              throw new BadRequestError('--user, --entitlement and --value are required (or --from-drift)');
            }
            const value = ['none', 'null', NO_ACCESS].includes(opts.value) ? null : opts.value;
            created = await rt.exceptions.add({ user: opts.user, entitlement: opts.entitlement, value, ...common });
          }
          if (opts.json) printJson(created);
          else process.stdout.write(`created ${render(created)}`);
        });
      },
    );
  addActorOption(cmd.command('revoke <id>'))
    .description('end an exception now; the next sync applies the mapping again')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean; actor?: string }, command: Command) => {
      await withStore(command, async (rt) => {
        const revoked = await recordsOnly(rt).revoke(id, actorOf(opts));
        if (opts.json) printJson(revoked);
        else process.stdout.write(`revoked ${render(revoked)}`);
      });
    });
}
