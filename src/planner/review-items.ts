import type { DesiredState } from '../domain/desired.js';
import {
  compareEntitlements,
  DEACTIVATED,
  type EntitlementValue,
  MEMBERSHIP,
  normalizeUserKey,
  ORG,
  parseEntitlement,
} from '../domain/entitlement.js';
import { type AccessException, isExceptionActive } from '../domain/exception.js';
import { type AccessModel, rankOf, topRolesOf } from '../domain/model.js';
import type { DriftItem } from '../domain/plan.js';
import type { ReviewFlag, ReviewItem } from '../domain/review.js';
import type { Teammate } from '../domain/teammate.js';
import { exceptionReason } from './exceptions.js';
import { describeReason } from './render.js';

const UNUSED_MS = 90 * 24 * 3600 * 1000;

export interface ReviewItemsInput {
  /** the mapping's model: its top org and project roles are the Admins a review flags */
  model: AccessModel;
  /** what Heap has: the items come from here, never from what the mapping intends */
  actual: readonly Teammate[];
  desired: DesiredState;
  exceptions: readonly AccessException[];
  drift: readonly DriftItem[];
  now: Date;
  /** limit to one project's entitlements */
  project: string | null;
  /** the target reports last activity: a user without any is then unused */
  reportsActivity: boolean;
  /** the items of the last closed campaign, for delta reviews */
  previous: { campaign: string; items: readonly ReviewItem[] } | null;
}

/**
 * The items of a campaign: every active teammate × org role, project role and module grant Heap has, and every
 * active exception, each with desired vs actual, reasons, activity, owned assets and flags. Pure and ordered
 * (by user, then entitlement), ids `i-00001`… in that order.
 */
export function buildReviewItems(input: ReviewItemsInput): ReviewItem[] {
  const desiredOf = new Map(input.desired.users.map((u) => [u.user, u]));
  const top = topRolesOf(input.model);
  const isAdmin = (key: string, value: EntitlementValue): boolean =>
    value !== null && (key === ORG ? value === top.org : key.startsWith('project:') && value === top.project);
  const exceptionOf = new Map<string, AccessException>();
  for (const e of input.exceptions) {
    if (isExceptionActive(e, input.now)) exceptionOf.set(`${normalizeUserKey(e.user)}\u0000${e.entitlement}`, e);
  }
  const driftOf = new Map(input.drift.map((d) => [`${d.user}\u0000${d.entitlement}`, d]));
  const previousOf = new Map((input.previous?.items ?? []).map((i) => [`${i.user}\u0000${i.entitlement}`, i]));
  const inScope = (key: string): boolean => {
    const ref = parseEntitlement(key);
    if (!ref || ref.kind === 'membership' || ref.kind === 'team') return false;
    if (input.project === null) return true;
    return (ref.kind === 'project' || ref.kind === 'module') && ref.project === input.project;
  };

  const drafts: Omit<ReviewItem, 'id'>[] = [];
  const seen = new Set<string>();
  const add = (user: string, key: string, actual: EntitlementValue, t: Teammate | null): void => {
    const slot = `${user}\u0000${key}`;
    seen.add(slot);
    const d = desiredOf.get(user);
    const wanted = d?.entitlements[key];
    const exception = exceptionOf.get(slot) ?? null;
    const desired = wanted?.value ?? null;
    const effective = exception ? exception.value : desired;
    const reasons = (wanted?.reasons ?? []).map(describeReason);
    if (exception) reasons.unshift(describeReason(exceptionReason(exception)));
    const flags: ReviewFlag[] = [];
    if (isAdmin(key, actual)) flags.push('admin');
    const last = t?.lastActiveAt ?? null;
    if (input.reportsActivity && (last === null || input.now.getTime() - Date.parse(last) > UNUSED_MS)) {
      flags.push('unused-90-days');
    }
    if (!d) flags.push('unknown-to-idp');
    if (actual !== effective) flags.push('drift');
    if (exception) flags.push('exception');
    if ((t?.ownedAssets ?? 0) > 0) flags.push('owns-assets');
    const before = previousOf.get(slot);
    drafts.push({
      user,
      ...((d?.displayName ?? t?.displayName) && { displayName: (d?.displayName ?? t?.displayName)! }),
      entitlement: key,
      actual,
      desired,
      drift: actual !== effective,
      reasons,
      exception: exception && {
        id: exception.id,
        value: exception.value,
        expiresAt: exception.expiresAt,
        approver: exception.approver,
        reason: exception.reason,
      },
      suggestion: driftOf.get(slot)?.suggestion ?? null,
      lastActiveAt: last,
      ownedAssets: t?.ownedAssets ?? null,
      flags,
      unchangedSince:
        before && input.previous && before.actual === actual
          ? { campaign: input.previous.campaign, decision: before.decision?.decision ?? null }
          : null,
      decision: null,
    });
  };

  for (const t of input.actual) {
    if (t.access[MEMBERSHIP] === DEACTIVATED) continue;
    const user = normalizeUserKey(t.email);
    for (const key of Object.keys(t.access)) if (inScope(key)) add(user, key, t.access[key] ?? null, t);
  }
  const teammateOf = new Map(input.actual.map((t) => [normalizeUserKey(t.email), t]));
  for (const [slot, e] of exceptionOf) {
    if (seen.has(slot) || !inScope(e.entitlement)) continue;
    const user = normalizeUserKey(e.user);
    const t = teammateOf.get(user) ?? null;
    add(user, e.entitlement, t?.access[e.entitlement] ?? null, t);
  }
  drafts.sort((a, b) =>
    a.user < b.user ? -1 : a.user > b.user ? 1 : compareEntitlements(a.entitlement, b.entitlement),
  );
  return drafts.map((d, i) => ({ id: `i-${String(i + 1).padStart(5, '0')}`, ...d }));
}

/** A `reduce` must name a value below the actual one (or none); anything else is a mistake, said plainly. */
export function checkReduction(
  model: AccessModel,
  key: string,
  actual: EntitlementValue,
  value: EntitlementValue,
): string | null {
  if (value === null) return null;
  const rank = rankOf(model, key, value);
  if (rank < 0) return `"${value}" is not a value of ${key}`;
  if (actual !== null && rank >= rankOf(model, key, actual)) return `"${value}" is not lower than ${actual}`;
  return null;
}
