import fs from 'node:fs';
import type { Command } from 'commander';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { showAccess } from '../../domain/entitlement.js';
import type { ReviewCampaign, ReviewItem, UndecidedDefault } from '../../domain/review.js';
import {
  REVIEW_EXPORT_FORMATS,
  renderReviewEvidence,
  reviewEvidence,
  type ReviewExportFormat,
} from '../../services/review-export.js';
import { printJson, withRuntime, withStore } from '../context.js';

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

function renderCampaign(c: ReviewCampaign): string {
  const closed = c.closedAt ? `closed ${c.closedAt} by ${c.closedBy}` : `open, due ${c.dueAt}`;
  return `${c.id}  ${c.items} item(s)  ${c.project ? `project ${c.project}` : 'whole organization'}  ${closed}\n    reviewers: ${c.reviewers.join(', ')}\n`;
}

function renderItem(i: ReviewItem): string {
  const flags = i.flags.length ? `  [${i.flags.join(', ')}]` : '';
  const delta = i.unchangedSince
    ? `  unchanged since ${i.unchangedSince.campaign} (${i.unchangedSince.decision ?? 'undecided'})`
    : '';
  const decided = i.decision
    ? `\n      ${i.decision.decision}${i.decision.value !== undefined ? ` ${showAccess(i.decision.value)}` : ''} by ${i.decision.actor}: ${i.decision.reason}`
    : '\n      undecided';
  return `  ${i.id}  ${i.user} ${i.entitlement}: Heap ${showAccess(i.actual)}, mapping ${showAccess(i.desired)}${flags}${delta}${decided}\n`;
}

export function registerReviews(program: Command): void {
  const cmd = program
    .command('reviews')
    .description(
      'access reviews: campaigns over what Heap actually has, decided by reviewers, closed through the sync',
    );
  cmd
    .command('start')
    .description("start a campaign from Heap's current access (reads the sources and Heap)")
    .requiredOption('--reviewers <emails>', 'comma-separated reviewers')
    .requiredOption('--actor <email>', 'who starts it')
    .option('--project <key>', "only this project's entitlements")
    .option('--due <when>', 'a duration such as 14d, or an ISO date', '14d')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { reviewers: string; actor: string; project?: string; due: string; json?: boolean },
        command: Command,
      ) => {
        await withRuntime(command, async (rt) => {
          const { campaign, items } = await rt.reviews.start({
            reviewers: list(opts.reviewers),
            actor: opts.actor,
            due: opts.due,
            project: opts.project ?? null,
          });
          if (opts.json) printJson({ campaign, items });
          else process.stdout.write(`started ${renderCampaign(campaign)}`);
        });
      },
    );
  cmd
    .command('list')
    .description('every campaign, oldest first; needs no secret')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const campaigns = await rt.store.listReviews();
        if (opts.json) printJson({ campaigns });
        else process.stdout.write(campaigns.length ? campaigns.map(renderCampaign).join('') : 'no reviews\n');
      });
    });
  cmd
    .command('show <id>')
    .description('a campaign and its items: actual vs desired, flags, decisions; needs no secret')
    .option('--undecided', 'only items without a decision')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { undecided?: boolean; json?: boolean }, command: Command) => {
      await withStore(command, async (rt) => {
        const campaign = await rt.store.getReview(id);
        if (!campaign) throw new NotFoundError(`no review campaign ${id}`);
        const items = (await rt.store.listReviewItems(id)).filter((i) => !opts.undecided || !i.decision);
        if (opts.json) printJson({ campaign, items });
        else process.stdout.write(renderCampaign(campaign) + items.map(renderItem).join(''));
      });
    });
  cmd
    .command('decide <id> <itemId> <decision>')
    .description('keep | revoke | reduce (--value) | make-permanent, with a justification; never on your own access')
    .requiredOption('--actor <email>', 'the reviewer deciding')
    .requiredOption('--reason <text>', 'the justification (auditors read it)')
    .option('--value <value>', 'the lower value of a reduce ("(none)" for no access)')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        itemId: string,
        decision: string,
        opts: { actor: string; reason: string; value?: string; json?: boolean },
        command: Command,
      ) => {
        await withRuntime(command, async (rt) => {
          const item = await rt.reviews.decide(id, itemId, {
            decision,
            actor: opts.actor,
            reason: opts.reason,
            ...(opts.value !== undefined && { value: opts.value }),
          });
          if (opts.json) printJson(item);
          else process.stdout.write(renderItem(item));
        });
      },
    );
  cmd
    .command('close <id>')
    .description('close a campaign: undecided items take --default; revocations are applied through the sync')
    .requiredOption('--actor <email>', 'who closes it')
    .option('--default <decision>', 'for undecided items: keep | revoke', 'keep')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { actor: string; default: string; json?: boolean }, command: Command) => {
      if (opts.default !== 'keep' && opts.default !== 'revoke') {
        throw new BadRequestError(`--default must be keep or revoke, not "${opts.default}"`);
      }
      await withRuntime(command, async (rt) => {
        const { campaign } = await rt.reviews.close(id, {
          actor: opts.actor,
          defaultDecision: opts.default as UndecidedDefault,
        });
        if (opts.json) printJson(campaign);
        else {
          const r = campaign.remediation!;
          process.stdout.write(
            `closed ${renderCampaign(campaign)}  undecided: ${r.undecided} (default ${r.defaultDecision})\n` +
              `  exceptions added: ${r.exceptionsAdded.join(', ') || 'none'}; revoked: ${r.exceptionsRevoked.join(', ') || 'none'}\n` +
              `  remediation run: ${r.runId ? `${r.runId} (${r.runStatus})` : 'none needed'}\n` +
              r.suggestions.map((s) => `  suggested IdP change: ${s}\n`).join(''),
          );
        }
      });
    });
  cmd
    .command('export <id>')
    .description('the evidence pack: items, decisions, reviewers, the journal range and head; needs no secret')
    .option('--format <format>', 'csv | json | html', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, opts: { format: string; out?: string }, command: Command) => {
      if (!REVIEW_EXPORT_FORMATS.includes(opts.format as ReviewExportFormat)) {
        throw new BadRequestError(`--format must be one of ${REVIEW_EXPORT_FORMATS.join(', ')}`);
      }
      await withStore(command, async (rt) => {
        const text = renderReviewEvidence(
          await reviewEvidence(rt.store, id, rt.clock.now()),
          opts.format as ReviewExportFormat,
        );
        if (opts.out) {
          fs.writeFileSync(opts.out, text);
          process.stdout.write(`wrote ${opts.out}\n`);
        } else process.stdout.write(text);
      });
    });
}
