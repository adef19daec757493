import { randomUUID } from 'node:crypto';
import { ORG, showAccess } from '../domain/entitlement.js';
import { BadRequestError, NotFoundError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { AccessTarget } from '../ports/access-target.js';
import type { MappingSet } from '../domain/mapping.js';
import {
  REVIEW_DECISIONS,
  type ReviewCampaign,
  type ReviewDecisionKind,
  type ReviewItem,
  type ReviewJournalEntry,
  type ReviewRemediation,
  type UndecidedDefault,
} from '../domain/review.js';
import { buildReviewItems, checkReduction } from '../planner/review-items.js';
import { parseExpiry, type ExceptionService } from './exceptions.js';
import type { SyncService } from './sync.js';
import { eventRecord } from './journal-events.js';

export interface ReviewDeps {
  store: Store;
  sync: SyncService;
  exceptions: ExceptionService;
  target: AccessTarget;
  mapping: () => MappingSet;
  clock: Clock;
  /** how long the exceptions a close adds last: the follow-up review is due by then */
  remediationDays?: number;
}

export interface StartReview {
  reviewers: string[];
  actor: string;
  /** `14d` or an ISO date */
  due?: string;
  project?: string | null;
  /**
   * The schedule's tick this start is for (`reviews.schedule`): the campaign's id is then the tick's, so replicas
   * that all fire on the same tick start one campaign between them.
   */
  scheduledFor?: Date;
}

export interface StartedReview {
  campaign: ReviewCampaign;
  items: ReviewItem[];
  /** false: the schedule's tick already had its campaign (another replica started it) and this is that one */
  started: boolean;
}

export interface DecideReview {
  decision: string;
  value?: string | null;
  actor: string;
  reason: string;
}

const DEFAULT_DUE = '14d';
const DEFAULT_REMEDIATION_DAYS = 90;
const lower = (s: string) => s.trim().toLowerCase();

/**
 * Access reviews (DESIGN §15): a campaign of items taken from what Heap has, decided by reviewers with a
 * justification (never on their own access), every event journaled in the hash chain, and closed through the
 * ordinary sync and its guards: revocations and reductions become exceptions that the run then applies.
 */
export function createReviewService(deps: ReviewDeps) {
  const now = () => deps.clock.now();

  async function journalHead(): Promise<{ sequence: number; hash: string }> {
    const [last] = await deps.store.listJournal({ limit: 1 });
    if (!last) return { sequence: 0, hash: '0'.repeat(64) };
    const record = await deps.store.getJournal(last.id);
    return { sequence: last.sequence, hash: record?.hash ?? '' };
  }

  /** One campaign event as a record of the journal's chain (`journal verify` covers it). */
  async function journal(actor: string, review: ReviewJournalEntry): Promise<string> {
    const at = now().toISOString();
    const record = eventRecord({
      trigger: 'review',
      actor,
      at,
      scope: null,
      mappingVersion: deps.mapping().version,
      review,
    });
    return (await deps.store.commitRun(record, new Map())).id;
  }

  async function requireCampaign(id: string): Promise<ReviewCampaign> {
    const campaign = await deps.store.getReview(id);
    if (!campaign) throw new NotFoundError(`no review campaign ${id}`);
    return campaign;
  }

  async function lastClosed(): Promise<ReviewCampaign | null> {
    const closed = (await deps.store.listReviews()).filter((c) => c.status === 'closed');
    closed.sort((a, b) => ((a.closedAt ?? '') < (b.closedAt ?? '') ? 1 : -1));
    return closed[0] ?? null;
  }

  return {
    async start(input: StartReview): Promise<StartedReview> {
      const reviewers = [...new Set((input.reviewers ?? []).map(lower).filter(Boolean))];
      const problems: string[] = [];
      if (!reviewers.length) problems.push('at least one reviewer is needed (--reviewers a@x,b@x)');
      if (!input.actor?.trim()) problems.push('the actor starting the campaign is needed (--actor)');
      const at = now();
      const due = parseExpiry(input.due ?? DEFAULT_DUE, at);
      if (!due || due.getTime() <= at.getTime())
        problems.push(`due "${input.due}" is not a future date or a duration like 14d`);
      const project = input.project ?? null;
      if (project !== null && !deps.mapping().projects.some((p) => p.key === project)) {
        problems.push(`unknown project "${project}"`);
      }
      if (problems.length) throw new BadRequestError(problems.join('; '), problems);

      const scheduledId = input.scheduledFor
        ? `rev-${input.scheduledFor.toISOString().replace(/\..*$/, '')}-schedule`
        : null;
      if (scheduledId) {
        const existing = await deps.store.getReview(scheduledId);
        if (existing)
          return { campaign: existing, items: await deps.store.listReviewItems(scheduledId), started: false };
      }
      // what Heap has, read completely, or no campaign: a review of a partial read would certify a fiction
      const preview = await deps.sync.plan();
      const previous = await lastClosed();
      const items = buildReviewItems({
        model: preview.mapping.model,
        actual: preview.actual,
        desired: preview.desired,
        exceptions: await deps.store.listExceptions({ now: at }),
        drift: preview.plan.drift,
        now: at,
        project,
        reportsActivity: deps.target.capabilities().lastActivity === true,
        previous: previous ? { campaign: previous.id, items: await deps.store.listReviewItems(previous.id) } : null,
      });
      const stamp = at.toISOString().slice(0, 10);
      const campaign: ReviewCampaign = {
        id: scheduledId ?? `rev-${stamp}-${randomUUID().slice(0, 6)}`,
        createdAt: at.toISOString(),
        createdBy: input.actor.trim(),
        dueAt: due!.toISOString(),
        status: 'open',
        project,
        reviewers,
        journalStart: await journalHead(),
        journalEnd: null,
        previous: previous?.id ?? null,
        items: items.length,
        closedAt: null,
        closedBy: null,
        remediation: null,
      };
      try {
        await deps.store.createReview(campaign, items);
      } catch (err) {
        // another replica created this tick's campaign between our look and our write: theirs stands
        const theirs = scheduledId ? await deps.store.getReview(scheduledId) : null;
        if (!theirs) throw err;
        return { campaign: theirs, items: await deps.store.listReviewItems(theirs.id), started: false };
      }
      await journal(campaign.createdBy, { campaign: campaign.id, event: 'started', items: items.length });
      return { campaign, items, started: true };
    },

    list: () => deps.store.listReviews(),

    async show(id: string): Promise<{ campaign: ReviewCampaign; items: ReviewItem[] }> {
      const campaign = await requireCampaign(id);
      return { campaign, items: await deps.store.listReviewItems(id) };
    },

    async decide(id: string, itemId: string, input: DecideReview): Promise<ReviewItem> {
      const campaign = await requireCampaign(id);
      if (campaign.status !== 'open') throw new BadRequestError(`review ${id} is closed`);
      const item = (await deps.store.listReviewItems(id)).find((i) => i.id === itemId);
      if (!item) throw new NotFoundError(`review ${id} has no item ${itemId}`);
      const actor = lower(input.actor ?? '');
      const problems: string[] = [];
      if (!actor) problems.push('the reviewer is needed (--actor)');
      else if (!campaign.reviewers.includes(actor)) problems.push(`${actor} is not a reviewer of ${id}`);
      if (actor && actor === item.user)
        problems.push('reviewers never decide on their own access: another reviewer must');
      if (!input.reason?.trim()) problems.push('a justification is needed (--reason): auditors ask why');
      const decision = input.decision as ReviewDecisionKind;
      if (!REVIEW_DECISIONS.includes(decision))
        problems.push(`decision "${input.decision}" is not one of ${REVIEW_DECISIONS.join(', ')}`);
      let value: string | null | undefined;
      if (decision === 'reduce') {
        value = input.value === undefined || input.value === '(none)' ? null : input.value;
        if (input.value === undefined) problems.push('reduce needs --value <lower value>');
        else {
          const wrong = checkReduction(deps.mapping().model, item.entitlement, item.actual, value);
          if (wrong) problems.push(wrong);
        }
      }
      if (decision === 'make-permanent' && !item.drift && !item.exception) {
        problems.push('make-permanent is for drift or an exception: this access already comes from the mapping');
      }
      if (problems.length) throw new BadRequestError(problems.join('; '), problems);
      const reason = input.reason.trim();
      const journalId = await journal(actor, {
        campaign: id,
        event: 'decided',
        item: item.id,
        user: item.user,
        entitlement: item.entitlement,
        actual: item.actual,
        decision,
        ...(value !== undefined && { value }),
        reason,
      });
      const decided: ReviewItem = {
        ...item,
        decision: {
          decision,
          ...(value !== undefined && { value }),
          actor,
          reason,
          at: now().toISOString(),
          journalId,
        },
      };
      await deps.store.putReviewItem(id, decided);
      return decided;
    },

    /**
     * Closes a campaign: undecided items take `defaultDecision`; revocations and reductions become exceptions
     * (the reviewer as approver, lasting until the follow-up review) applied by one ordinary run limited to those
     * users, through every guard; make-permanent decisions become suggested IdP changes, and drift made permanent
     * is held by an exception until then.
     */
    async close(
      id: string,
      input: { actor: string; defaultDecision?: UndecidedDefault },
    ): Promise<{ campaign: ReviewCampaign; items: ReviewItem[] }> {
      const campaign = await requireCampaign(id);
      if (campaign.status !== 'open') throw new BadRequestError(`review ${id} is already closed`);
      const actor = lower(input.actor ?? '');
      if (!actor) throw new BadRequestError('the actor closing the campaign is needed (--actor)');
      const defaultDecision = input.defaultDecision ?? 'keep';
      if (defaultDecision !== 'keep' && defaultDecision !== 'revoke') {
        throw new BadRequestError(`--default must be keep or revoke, not "${String(defaultDecision)}"`);
      }
      const items = await deps.store.listReviewItems(id);
      const days = deps.remediationDays ?? DEFAULT_REMEDIATION_DAYS;
      const remediation: ReviewRemediation = {
        runId: null,
        runStatus: null,
        exceptionsAdded: [],
        exceptionsRevoked: [],
        suggestions: [],
        undecided: items.filter((i) => !i.decision).length,
        defaultDecision,
      };
      const users = new Set<string>();
      for (const item of items) {
        const kind = item.decision?.decision ?? defaultDecision;
        const reason = `access review ${id}: ${item.decision?.reason ?? `undecided, closed with default ${defaultDecision}`}`;
        const approver = item.decision?.actor ?? actor;
        if (kind === 'make-permanent') {
          const suggestion = item.suggestion ?? 'add a rule or group that grants it in the IdP';
          remediation.suggestions.push(`${item.user} ${item.entitlement} = ${showAccess(item.actual)}: ${suggestion}`);
          // Until someone makes that IdP change, the next sync would revert what the reviewer decided to keep: an
          // exception holds it meanwhile, and ends at the follow-up review, which sees whether the IdP caught up.
          if (item.drift && !item.exception) {
            const added = await deps.exceptions.add({
              user: item.user,
              entitlement: item.entitlement,
              value: item.actual,
              reason: `${reason} (made permanent; held until the IdP change: ${suggestion})`,
              approver,
              expires: `${days}d`,
            });
            remediation.exceptionsAdded.push(added.id);
          }
          continue;
        }
        if (kind !== 'revoke' && kind !== 'reduce') continue;
        // everyone in Heap has an org role: revoking org Admin leaves the lowest one
        const lowest = item.entitlement === ORG ? (deps.mapping().model.orgRoles[0] ?? null) : null;
        const value = kind === 'reduce' ? (item.decision?.value ?? null) : lowest;
        if (item.actual === value && !item.exception) continue;
        if (item.exception) {
          await deps.exceptions.revoke(item.exception.id).catch(() => undefined);
          remediation.exceptionsRevoked.push(item.exception.id);
        }
        const added = await deps.exceptions.add({
          user: item.user,
          entitlement: item.entitlement,
          value,
          reason,
          approver,
          expires: `${days}d`,
        });
        remediation.exceptionsAdded.push(added.id);
        if (item.desired !== null && item.desired !== value) {
          remediation.suggestions.push(
            `${item.user} ${item.entitlement}: the mapping still gives ${item.desired} (${item.reasons.join('; ') || 'a rule'}): change the IdP groups before exception ${added.id} ends`,
          );
        }
        users.add(item.user);
      }
      if (users.size) {
        const outcome = await deps.sync.run({ trigger: 'review', actor, scope: [...users] });
        remediation.runId = outcome.record.id;
        remediation.runStatus = outcome.record.status;
      }
      await journal(actor, { campaign: id, event: 'closed', remediation });
      const closed: ReviewCampaign = {
        ...campaign,
        status: 'closed',
        closedAt: now().toISOString(),
        closedBy: actor,
        remediation,
        journalEnd: await journalHead(),
      };
      await deps.store.putReview(closed);
      return { campaign: closed, items };
    },

    /** Open campaigns with undecided items, for the reminders the alert sinks carry. */
    async pendingReminders(): Promise<{ campaign: ReviewCampaign; undecided: number; byReviewer: string[] }[]> {
      const out = [];
      for (const campaign of await deps.store.listReviews()) {
        if (campaign.status !== 'open') continue;
        const undecided = (await deps.store.listReviewItems(campaign.id)).filter((i) => !i.decision).length;
        if (undecided) out.push({ campaign, undecided, byReviewer: campaign.reviewers });
      }
      return out;
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
