import type { DesiredUser, PolicyReason } from '../domain/desired.js';
import { normalizeUserKey } from '../domain/entitlement.js';
import type { MatchKey, UnmappedUsersPolicy } from '../domain/mapping.js';
import type { Teammate } from '../domain/teammate.js';
import type { PlanInput } from './input.js';

/**
 * How a user's desired access is decided:
 * - `mapped`: the mapping's entitlements;
 * - `deactivate`: only membership is managed (deactivated); other entitlements are left alone, because
 *   deactivation keeps the user's assets and history (the seed: update instead of remove and re-add);
 * - `remove`: every entitlement is revoked, the user leaves Heap.
 */
export type SubjectMode = 'mapped' | 'deactivate' | 'remove';

/** One user the planner manages: a teammate, a desired identity, or both joined. */
export interface Subject {
  /** the plan's user: the teammate's e-mail when in Heap, else the desired identity's */
  user: string;
  /** normalised e-mail: the key of baseline, exceptions and scope */
  key: string;
  teammate: Teammate | null;
  desired: DesiredUser | null;
  mode: SubjectMode;
  policyReason: PolicyReason | null;
}

export interface ResolvedSubjects {
  subjects: Subject[];
  warnings: string[];
}

const normalizeMatch = (match: MatchKey, value: string | undefined | null): string | null => {
  if (value === undefined || value === null || value === '') return null;
  // SCIM userName and e-mail compare case-insensitively; externalId is case-exact (RFC 7643).
  return match === 'externalId' ? value : normalizeUserKey(value);
};

const teammateMatchValue = (t: Teammate, match: MatchKey): string | undefined =>
  match === 'email' ? t.email : match === 'userName' ? t.userName : t.externalId;

const desiredMatchValue = (d: DesiredUser, match: MatchKey): string =>
  d.matchValue || (match === 'email' ? d.user : '');

/** Deterministic choice between two identities claiming the same Heap user: mapped first, then by source and id. */
const preferDesired = (x: DesiredUser, y: DesiredUser): DesiredUser => {
  if (x.mapped !== y.mapped) return x.mapped ? x : y;
  if (x.source !== y.source) return x.source < y.source ? x : y;
  return x.identityId <= y.identityId ? x : y;
};

const policyReason = (value: UnmappedUsersPolicy, detail: string): PolicyReason => ({
  policy: 'unmappedUsers',
  value,
  detail,
});

const UNMAPPED_DETAIL = 'no mapping rule applies to this identity, or it is inactive in the identity provider';
const UNKNOWN_DETAIL = 'not found in any identity source';

/**
 * Joins desired identities to Heap teammates by `policy.match` and decides how each user is managed.
 * Users under `unmappedUsers: keep`, and unmapped identities that are not in Heap, are not subjects at all.
 */
export function resolveSubjects(input: PlanInput): ResolvedSubjects {
  const { match, unmappedUsers } = input.mapping.policy;
  const warnings: string[] = [];

  const teammates = new Map<string, Teammate>();
  let unmatchable = 0;
  for (const t of input.actual) {
    const mk = normalizeMatch(match, teammateMatchValue(t, match));
    if (mk === null) {
      unmatchable++;
      continue;
    }
    const seen = teammates.get(mk);
    if (seen) {
      const pair = [seen.email, t.email].sort().join(' and ');
      warnings.push(`teammates ${pair} share the ${match} "${mk}": only the first is managed`);
      if (t.email < seen.email) teammates.set(mk, t);
    } else teammates.set(mk, t);
  }
  if (unmatchable) {
    warnings.push(
      `${unmatchable} teammate(s) have no ${match}: they cannot be matched to an identity and are left alone`,
    );
  }

  const claimed = new Map<Teammate, DesiredUser>();
  const absent = new Map<string, DesiredUser>();
  for (const d of input.desired.users) {
    const mk = normalizeMatch(match, desiredMatchValue(d, match));
    const t = mk === null ? undefined : teammates.get(mk);
    if (t) {
      const other = claimed.get(t);
      if (other) {
        const pair = [other.identityId, d.identityId].sort().join(' and ');
        warnings.push(`identities ${pair} both match teammate ${t.email}: one is used`);
      }
      claimed.set(t, other ? preferDesired(other, d) : d);
    } else {
      const key = normalizeUserKey(d.user);
      const other = absent.get(key);
      absent.set(key, other ? preferDesired(other, d) : d);
    }
  }

  const scope = input.scope ?? null;
  const inScope = (key: string, d: DesiredUser | null): boolean =>
    scope === null || scope.has(key) || (d !== null && scope.has(d.user));
  const subjects: Subject[] = [];
  for (const t of teammates.values()) {
    const d = claimed.get(t) ?? null;
    const key = normalizeUserKey(t.email);
    if (!inScope(key, d)) continue;
    if (d?.mapped) {
      subjects.push({ user: t.email, key, teammate: t, desired: d, mode: 'mapped', policyReason: null });
    } else if (unmappedUsers !== 'keep') {
      const reason = policyReason(unmappedUsers, d ? UNMAPPED_DETAIL : UNKNOWN_DETAIL);
      subjects.push({ user: t.email, key, teammate: t, desired: d, mode: unmappedUsers, policyReason: reason });
    }
  }
  // Matching by userName or externalId: an unmatched identity whose e-mail is already in Heap must not be created twice.
  const emails =
    match === 'email' || absent.size === 0 ? null : new Set(input.actual.map((t) => normalizeUserKey(t.email)));
  // Never create a user only to deactivate or remove them: unmapped identities outside Heap get nothing.
  for (const [key, d] of absent) {
    if (emails?.has(key)) {
      warnings.push(`identity ${d.identityId} matches no teammate by ${match}, but ${d.user} is in Heap: left alone`);
      continue;
    }
    if (d.mapped && inScope(key, d)) {
      subjects.push({ user: d.user, key, teammate: null, desired: d, mode: 'mapped', policyReason: null });
    }
  }
  return { subjects, warnings: warnings.sort() };
}
