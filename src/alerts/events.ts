import type { PendingApproval } from '../domain/approval.js';
import { createHash } from 'node:crypto';
import { normalizeUserKey, showAccess } from '../domain/entitlement.js';
import type { Issue } from '../domain/errors.js';
import { formatIssue } from '../domain/errors.js';
import type { AccessException } from '../domain/exception.js';
import type { JournalRecord } from '../domain/journal.js';
import type { Change, DriftItem, GuardName, PlanSummary } from '../domain/plan.js';
import type { ReviewCampaign } from '../domain/review.js';
import type { Alert } from '../ports/alert-sink.js';

/** How long an `exception-expiring` alert stands before the same exception may alert again. */
export const EXCEPTION_ALERT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The same mapping problems alert at most once in this window. */
export const MAPPING_ALERT_WINDOW_MS = 60 * 60 * 1000;

export const driftAlertKey = (user: string, entitlement: string): string =>
  `drift:${normalizeUserKey(user)}:${entitlement}`;
export const exceptionAlertKey = (exceptionId: string): string => `exception-expiring:${exceptionId}`;

const show = (value: string | null): string => showAccess(value);
const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Doing it by hand in Heap is how an administrator raises their own access; that one is urgent (the planner marks it). */
const isEscalation = (item: DriftItem): boolean => item.escalation === true;

function driftDetails(item: DriftItem): Record<string, unknown> {
  return {
    user: item.user,
    entitlement: item.entitlement,
    baseline: item.baseline,
    actual: item.actual,
    desired: item.desired,
    cause: item.cause,
    action: item.action,
    suggestion: item.suggestion,
    suggestedActions: item.suggestedActions,
    ...(item.sideEffects !== undefined && { sideEffects: item.sideEffects }),
    ...(item.suggestions !== undefined && { suggestions: item.suggestions }),
    ...(item.firstSeen !== undefined && { firstSeen: item.firstSeen }),
    ...(item.revertsAt !== undefined && { revertsAt: item.revertsAt }),
    ...(item.changedBy !== undefined && { changedBy: item.changedBy }),
    ...(item.changedAt !== undefined && { changedAt: item.changedAt }),
  };
}

/** What happens to a drift item next, as the alert says it. */
function nextStep(item: DriftItem, now: Date): string {
  if (item.action !== 'revert') return 'kept by policy';
  const to = show(item.desired);
  if (!item.revertsAt || Date.parse(item.revertsAt) <= now.getTime()) return `reverted now to ${to}`;
  return `reverted to ${to} by the first sync after ${item.revertsAt} unless an exception accepts it or the IdP changes`;
}

export function driftDetected(item: DriftItem, runId: string | undefined, now: Date = new Date()): Alert {
  const what =
    item.cause === 'unmanaged'
      ? 'Access the sync never set'
      : item.cause === 'conflict'
        ? 'Conflicting change'
        : 'Manual change';
  const then = nextStep(item, now);
  const by = item.changedBy ? ` by ${item.changedBy}` : '';
  return {
    key: driftAlertKey(item.user, item.entitlement),
    event: 'drift-detected',
    severity: isEscalation(item) ? 'critical' : 'warning',
    summary: `${what} in Heap${by}: ${item.user} ${item.entitlement} ${show(item.baseline)} → ${show(item.actual)}; ${then}`,
    details: driftDetails(item),
    runId,
    at: now.toISOString(),
  };
}

/** `detected` is the details of the drift-detected alert being closed. */
export function driftResolved(
  key: string,
  detected: Record<string, unknown>,
  runId: string | undefined,
  now: Date = new Date(),
): Alert {
  const user = typeof detected.user === 'string' ? detected.user : key;
  const entitlement = typeof detected.entitlement === 'string' ? detected.entitlement : '';
  return {
    key,
    event: 'drift-resolved',
    severity: 'info',
    summary: `Drift resolved: ${user} ${entitlement} matches the mapping again`.replace(/\s+/g, ' '),
    details: detected,
    runId,
    at: now.toISOString(),
  };
}

export type RunFailedInput = Pick<JournalRecord, 'id' | 'status' | 'error'> & Partial<JournalRecord>;

export function runFailed(input: RunFailedInput | { runId: string; error: string }, now: Date = new Date()): Alert {
  const runId = 'runId' in input ? input.runId : input.id;
  const error = input.error ?? 'unknown error';
  const details: Record<string, unknown> = { runId, error };
  if ('id' in input) {
    details.status = input.status;
    if (input.trigger) details.trigger = input.trigger;
    if (input.results) {
      details.applied = input.results.filter((r) => r.outcome === 'applied').length;
      details.failed = input.results.filter((r) => r.outcome === 'failed').length;
    }
  }
  return {
    key: `run-failed:${runId}`,
    event: 'run-failed',
    severity: 'critical',
    summary: `Sync run ${runId} ${'id' in input && input.status === 'partial' ? 'partially failed' : 'failed'}: ${error}`,
    details,
    runId,
    at: now.toISOString(),
  };
}

export function planHeld(
  runId: string,
  summary: PlanSummary,
  heldBy: GuardName | null = 'maxRevocations',
  now: Date = new Date(),
  /** who started the held run: four eyes keep them from approving it */
  startedBy?: string,
): Alert {
  const approver = startedBy ? ` (by someone other than ${startedBy})` : '';
  return {
    key: `plan-held:${runId}`,
    event: 'plan-held',
    severity: 'warning',
    summary:
      `Plan ${runId} held for approval (${heldBy ?? 'guard'}): ${summary.changes} change(s), ` +
      `${summary.revocations} revocation(s); approve${approver} with \`heap-access-sync sync --approve ${runId}\``,
    details: { runId, heldBy, ...summary, ...(startedBy && { startedBy }) },
    runId,
    at: now.toISOString(),
  };
}

/** One alert for all changes a run's guards blocked. */
export function guardBlocked(changes: readonly Change[], runId?: string, now: Date = new Date()): Alert {
  const blocked = changes.filter((c) => c.blocked !== null);
  const listed = blocked.length > 0 ? blocked : changes;
  const guards = [...new Set(listed.map((c) => c.blocked).filter((g): g is GuardName => g !== null))].sort();
  const identity = listed.map((c) => `${c.user}|${c.entitlement}|${c.to ?? ''}`).join('\n');
  return {
    key: `guard-blocked:${runId ?? shortHash(identity)}`,
    event: 'guard-blocked',
    severity: 'warning',
    summary: `${listed.length} change(s) blocked by guard${guards.length === 1 ? '' : 's'} ${guards.join(', ') || 'unknown'}`,
    details: {
      guards,
      changes: listed.map((c) => ({
        user: c.user,
        entitlement: c.entitlement,
        from: c.from,
        to: c.to,
        blocked: c.blocked,
      })),
    },
    runId,
    at: now.toISOString(),
  };
}

export function exceptionExpiring(exception: AccessException, now: Date = new Date()): Alert {
  const hours = Math.max(0, Math.round((Date.parse(exception.expiresAt) - now.getTime()) / 3_600_000));
  return {
    key: exceptionAlertKey(exception.id),
    event: 'exception-expiring',
    severity: 'warning',
    summary:
      `Exception ${exception.id} (${exception.user} ${exception.entitlement} = ${show(exception.value)}) ` +
      `expires in about ${hours} h; the next sync after ${exception.expiresAt} reverts it`,
    details: {
      id: exception.id,
      user: exception.user,
      entitlement: exception.entitlement,
      value: exception.value,
      reason: exception.reason,
      approver: exception.approver,
      expiresAt: exception.expiresAt,
    },
    at: now.toISOString(),
  };
}

/** A grant policy.approvals names waits for an approver: once per approval. */
export function approvalWaiting(approval: PendingApproval, now: Date = new Date()): Alert {
  return {
    key: `approval:${approval.id}`,
    event: 'approval-waiting',
    severity: 'warning',
    summary:
      `Approval ${approval.id}: ${approval.user} ${approval.entitlement} ${show(approval.from)} -> ` +
      `${show(approval.value)} (${approval.ground}, from ${approval.origin === 'idp' ? 'the IdP' : approval.exceptionId}) ` +
      `waits for an approver until ${approval.expiresAt}: heap-access-sync approvals approve ${approval.id}`,
    details: {
      id: approval.id,
      user: approval.user,
      entitlement: approval.entitlement,
      from: approval.from,
      value: approval.value,
      ground: approval.ground,
      origin: approval.origin,
      requestedBy: approval.requestedBy,
      expiresAt: approval.expiresAt,
    },
    at: now.toISOString(),
  };
}

/** Active exceptions that expire within `withinMs` of `now` (DESIGN: alert within 24 hours). */
export function findExpiringExceptions(
  exceptions: readonly AccessException[],
  now: Date,
  withinMs: number = EXCEPTION_ALERT_WINDOW_MS,
): AccessException[] {
  const t = now.getTime();
  return exceptions.filter((e) => {
    const expires = Date.parse(e.expiresAt);
    return !e.revokedAt && expires > t && expires - t <= withinMs;
  });
}

/** The last good mapping stays in force; the alert says what is wrong with the new one. */
export function mappingReloadFailed(issues: readonly (Issue | string)[], now: Date = new Date()): Alert {
  const lines = issues.map((i) => (typeof i === 'string' ? i : formatIssue(i)));
  return {
    key: `mapping-reload-failed:${shortHash(lines.join('\n'))}`,
    event: 'mapping-reload-failed',
    severity: 'critical',
    summary: `Mapping reload failed with ${lines.length} problem(s); the last good mapping stays in force`,
    details: { issues: lines },
    at: now.toISOString(),
  };
}

/**
 * The journal's signed head after a run, so a copy lives outside the database: a receiver that keeps these can
 * pin the journal (`journal verify --expect-head <sequence>:<hash>`) and see a truncation.
 */
export function journalCheckpoint(
  checkpoint: { sequence: number; hash: string; id: string; at: string; signature: string | null },
  now: Date = new Date(),
): Alert {
  return {
    key: `journal-checkpoint:${checkpoint.sequence}`,
    event: 'journal-checkpoint',
    severity: 'info',
    summary: `Journal head #${checkpoint.sequence} (${checkpoint.id}) ${checkpoint.hash}`,
    details: { ...checkpoint },
    runId: checkpoint.id,
    at: now.toISOString(),
  };
}

/** A reminder for an open access review with undecided items: one a day per campaign (the key holds the day). */
export function reviewReminder(campaign: ReviewCampaign, undecided: number, now: Date = new Date()): Alert {
  const overdue = Date.parse(campaign.dueAt) <= now.getTime();
  return {
    key: `review:${campaign.id}:${now.toISOString().slice(0, 10)}`,
    event: 'review-reminder',
    severity: overdue ? 'warning' : 'info',
    summary:
      `Access review ${campaign.id}: ${undecided} item(s) undecided, ${overdue ? 'overdue since' : 'due'} ` +
      `${campaign.dueAt.slice(0, 10)}; reviewers ${campaign.reviewers.join(', ')}`,
    details: { campaign: campaign.id, undecided, dueAt: campaign.dueAt, reviewers: campaign.reviewers },
    at: now.toISOString(),
  };
}

/** Reminders start this long before a campaign is due, and go on daily until it is closed. */
export const REVIEW_REMINDER_BEFORE_MS = 3 * 24 * 3600 * 1000;
