import { randomUUID } from 'node:crypto';
import {
  approvalGround,
  approvalStatus,
  sameGrant,
  type ApprovalStatus,
  type PendingApproval,
} from '../domain/approval.js';
import { BadRequestError, NotFoundError, NotPermittedError } from '../domain/errors.js';
import type { AccessException } from '../domain/exception.js';
import type { ChangeResult } from '../domain/journal.js';
import type { MappingSet } from '../domain/mapping.js';
import type { Plan } from '../domain/plan.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { JournalService } from './journal.js';
import { parseExpiry } from './exceptions.js';
import { eventRecord } from './journal-events.js';

/** An approval as shown: its status read from the clock (`expired`). */
export type ApprovalView = Omit<PendingApproval, 'status'> & { status: ApprovalStatus };

export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  /** who decides: the signed-in person's e-mail or the service account's name */
  actor: string;
  reason: string;
}

/** Stored statuses that still mean something for the next run. */
const LIVE = ['pending', 'approved'] as const;

/**
 * Grants `policy.approvals` names (org Admin, Admin on production, listed modules) wait as pending approvals while
 * the rest of the run goes on. An approver other than the requester decides; the subject never does. An approval
 * lasts `policy.approvalTtl` from its request: the next run after that does not apply it, and asks again.
 */
export function createApprovalService(deps: {
  store: Store;
  clock: Clock;
  mapping: () => MappingSet;
  /** where a decision is recorded (a record of the chain); the sync's own use (waiting, applied) needs none */
  journal?: Pick<JournalService, 'append'>;
}) {
  const view = (a: PendingApproval, now: Date): ApprovalView => ({ ...a, status: approvalStatus(a, now) });

  /** The decision as a record of the journal's chain, so `journal verify` covers who approved what and why. */
  const journalDecision = (decided: PendingApproval, now: Date) => {
    const at = now.toISOString();
    const record = eventRecord({
      trigger: 'approval',
      actor: decided.decidedBy!,
      at,
      scope: [decided.user],
      event: { kind: 'approval-decided', approval: decided },
    });
    return deps.journal!.append(record);
  };

  return {
    /** waiting and approved-but-not-yet-applied approvals; every one with all=true, newest last */
    async list(options: { all?: boolean } = {}): Promise<ApprovalView[]> {
      const now = deps.clock.now();
      const stored = await deps.store.listApprovals(options.all ? {} : { statuses: LIVE });
      const views = stored.map((a) => view(a, now));
      return options.all ? views : views.filter((a) => a.status !== 'expired');
    },

    async get(id: string): Promise<ApprovalView> {
      const found = await deps.store.getApproval(id);
      if (!found) throw new NotFoundError(`no approval ${id}`);
      return view(found, deps.clock.now());
    },

    /** approves or rejects a waiting approval, with a reason; the next run applies an approved grant */
    async decide(id: string, input: ApprovalDecision): Promise<ApprovalView> {
      const now = deps.clock.now();
      const found = await deps.store.getApproval(id);
      if (!found) throw new NotFoundError(`no approval ${id}`);
      const actor = input.actor.trim();
      const reason = input.reason?.trim() ?? '';
      const problems: string[] = [];
      if (!actor) problems.push('actor is required');
      if (!reason) problems.push('reason is required (auditors ask why)');
      if (problems.length) throw new BadRequestError(problems.join('; '), problems);
      const status = approvalStatus(found, now);
      if (status !== 'pending') throw new BadRequestError(`approval ${id} is ${status}, not pending`);
      if (actor.toLowerCase() === found.user.toLowerCase()) {
        throw new NotPermittedError(`${actor} is the subject of approval ${id}: someone else must decide it`);
      }
      if (found.origin === 'exception' && actor.toLowerCase() === found.requestedBy.toLowerCase()) {
        throw new NotPermittedError(`${actor} requested approval ${id}: someone else must decide it`);
      }
      const decided: PendingApproval = {
        ...found,
        status: input.decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: actor,
        decidedAt: now.toISOString(),
        reason,
      };
      if (!deps.journal) throw new Error('deciding an approval journals it: this approval service has no journal');
      if (!(await deps.store.updateApproval(decided, 'pending'))) {
        throw new BadRequestError(`approval ${id} was decided meanwhile; list the approvals again`);
      }
      try {
        await journalDecision(decided, now);
      } catch (err) {
        // a decision the journal does not hold did not happen: it waits again
        await deps.store.updateApproval(found, decided.status);
        throw err;
      }
      return view(decided, now);
    },

    /**
     * After a run's plan: a new pending approval for each grant the plan held back that has no live one yet (a
     * rejected one counts until its expiry). The requester of an IdP-driven grant is the IdP change; of an
     * exception's, whoever made the exception.
     */
    async recordWaiting(plan: Plan, runId: string, exceptions: readonly AccessException[]): Promise<PendingApproval[]> {
      const now = deps.clock.now();
      const { policy } = deps.mapping();
      // a rejection stands until the approval would have expired: the same grant is not asked again before then
      const live = (await deps.store.listApprovals({ statuses: [...LIVE, 'rejected'] })).filter(
        (a) => Date.parse(a.expiresAt) > now.getTime(),
      );
      const expiresAt = parseExpiry(policy.approvalTtl, now)!.toISOString();
      const created: PendingApproval[] = [];
      for (const c of plan.changes) {
        const ground = c.blocked === 'approval' ? approvalGround(c, policy.approvals) : null;
        if (!ground) continue;
        const waiting = live.find((a) => sameGrant(a, c));
        if (waiting) {
          c.approval = waiting.id;
          continue;
        }
        const exception =
          c.cause === 'exception'
            ? exceptions.find((e) => e.user === c.user && e.entitlement === c.entitlement && e.value === c.to)
            : undefined;
        const approval: PendingApproval = {
          id: `apr-${randomUUID().slice(0, 8)}`,
          user: c.user,
          entitlement: c.entitlement,
          from: c.from,
          value: c.to,
          ground,
          origin: exception ? 'exception' : 'idp',
          requestedBy: exception ? (exception.requestedBy ?? exception.approver) : 'idp',
          exceptionId: exception?.id ?? null,
          runId,
          createdAt: now.toISOString(),
          expiresAt,
          status: 'pending',
          decidedBy: null,
          decidedAt: null,
          reason: null,
          appliedRunId: null,
        };
        c.approval = approval.id;
        created.push(approval);
        live.push(approval);
      }
      if (created.length) await deps.store.addApprovals(created);
      return created;
    },

    /** After apply: each approved grant that reached Heap is done; its approval is not used again. */
    async markApplied(results: readonly ChangeResult[], runId: string): Promise<void> {
      for (const r of results) {
        if (r.outcome !== 'applied' || !r.change.approval) continue;
        const approval = await deps.store.getApproval(r.change.approval);
        if (approval?.status !== 'approved') continue;
        await deps.store.updateApproval({ ...approval, status: 'applied', appliedRunId: runId }, 'approved');
      }
    },
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
