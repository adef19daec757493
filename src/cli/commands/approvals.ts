import type { Command } from 'commander';
import { showAccess } from '../../domain/entitlement.js';
import type { StoreRuntime } from '../../main.js';
import { createApprovalService, type ApprovalView } from '../../services/approvals.js';
import { printJson, withStore } from '../context.js';

const render = (a: ApprovalView) =>
  `${a.id}  ${a.status}  ${a.user} ${a.entitlement}: ${showAccess(a.from)} -> ${showAccess(a.value)} (${a.ground})\n` +
  `    requested by ${a.origin === 'idp' ? 'the IdP change' : `${a.requestedBy} (exception ${a.exceptionId})`} in run ` +
  `${a.runId}, until ${a.expiresAt}\n` +
  (a.decidedBy ? `    ${a.status === 'rejected' ? 'rejected' : 'approved'} by ${a.decidedBy}: ${a.reason}\n` : '');

/** Deciding and listing read the store only: no mapping, no source, no secret. */
const recordsOnly = (rt: StoreRuntime) =>
  createApprovalService({
    store: rt.store,
    clock: rt.clock,
    journal: rt.journal,
    mapping: () => {
      throw new Error('listing and deciding approvals do not load the mapping');
    },
  });

export function registerApprovals(program: Command): void {
  const cmd = program
    .command('approvals')
    .description('grants policy.approvals names (org Admin, production Admin, modules), waiting for an approver');
  cmd
    .command('list')
    .description('waiting approvals and approved ones the next run applies (with --all: every one); needs no secret')
    .option('--all', 'include rejected, applied and expired approvals')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const list = await recordsOnly(rt).list({ all: Boolean(opts.all) });
        if (opts.json) printJson({ approvals: list });
        else process.stdout.write(list.length ? list.map(render).join('') : 'no approvals waiting\n');
      });
    });
  for (const decision of ['approve', 'reject'] as const) {
    cmd
      .command(`${decision} <id>`)
      .description(
        decision === 'approve'
          ? 'approve a waiting grant: the next run applies it (not by its subject or requester)'
          : 'reject a waiting grant: it is not applied, nor asked for again until the approval would have expired',
      )
      .requiredOption('--actor <who>', 'who decides (your e-mail): recorded as the decider')
      .requiredOption('--reason <text>', 'why (auditors read this)')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { actor: string; reason: string; json?: boolean }, command: Command) => {
        await withStore(command, async (rt) => {
          const decided = await recordsOnly(rt).decide(id, { decision, actor: opts.actor, reason: opts.reason });
          if (opts.json) printJson(decided);
          else process.stdout.write(render(decided));
        });
      });
  }
}
