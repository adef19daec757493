import type { DesiredUser, PolicyReason } from '../domain/desired.js';
import { type Access, normalizeUserKey } from '../domain/entitlement.js';
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
  /** teammates that are not subjects (left alone, out of scope, unmatchable): guards still count them */
  others: Teammate[];
  warnings: string[];
}

/** The baseline entry of a subject, whichever form of its e-mail the caller keyed it by. */
export const baselineOf = (baseline: ReadonlyMap<string, Access>, s: Subject): Access | undefined =>
  baseline.get(s.key) ?? (s.key === s.user ? undefined : baseline.get(s.user));

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
  const others: Teammate[] = [];
  const actual = input.actual;

  // Teammates by match key, as positions in `actual`; `keys[i]` is teammate i's match key.
  const index = new Map<string, number>();
  const keys: (string | null)[] = new Array<string | null>(actual.length);
  let unmatchable = 0;
  for (let i = 0; i < actual.length; i++) {
    const t = actual[i] as Teammate;
    const mk = normalizeMatch(match, teammateMatchValue(t, match));
    keys[i] = mk;
    if (mk === null) {
      unmatchable++;
      others.push(t);
      continue;
    }
    const seen = index.get(mk);
    if (seen === undefined) {
      index.set(mk, i);
      continue;
    }
    const first = actual[seen] as Teammate;
    warnings.push(
      `teammates ${[first.email, t.email].sort().join(' and ')} share the ${match} "${mk}": only the first is managed`,
    );
    if (t.email < first.email) {
      index.set(mk, i);
      others.push(first);
    } else others.push(t);
  }
  if (unmatchable) {
    warnings.push(
      `${unmatchable} teammate(s) have no ${match}: they cannot be matched to an identity and are left alone`,
    );
  }

  const claimed: (DesiredUser | undefined)[] = new Array<DesiredUser | undefined>(actual.length);
  const absent = new Map<string, DesiredUser>();
  for (const d of input.desired.users) {
    const mk = normalizeMatch(match, desiredMatchValue(d, match));
    const i = mk === null ? undefined : index.get(mk);
    if (i !== undefined) {
      const other = claimed[i];
      if (other) {
        const pair = [other.identityId, d.identityId].sort().join(' and ');
        warnings.push(`identities ${pair} both match teammate ${(actual[i] as Teammate).email}: one is used`);
      }
      claimed[i] = other ? preferDesired(other, d) : d;
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
  for (const i of index.values()) {
    const t = actual[i] as Teammate;
    const d = claimed[i] ?? null;
    const key = match === 'email' ? (keys[i] as string) : normalizeUserKey(t.email);
    if (!inScope(key, d)) others.push(t);
    else if (d?.mapped) {
      subjects.push({ user: t.email, key, teammate: t, desired: d, mode: 'mapped', policyReason: null });
    } else if (unmappedUsers !== 'keep') {
      const reason = policyReason(unmappedUsers, d ? UNMAPPED_DETAIL : UNKNOWN_DETAIL);
      subjects.push({ user: t.email, key, teammate: t, desired: d, mode: unmappedUsers, policyReason: reason });
    } else others.push(t);
  }
  // Matching by userName or externalId: an unmatched identity whose e-mail is already in Heap must not be created twice.
  const emails = match === 'email' || absent.size === 0 ? null : new Set(actual.map((t) => normalizeUserKey(t.email)));
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
  return { subjects, others, warnings: warnings.sort() };
}
