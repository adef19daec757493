import type { DesiredUser, PolicyReason } from '../domain/desired.js';
import { type Access, DEACTIVATED, MEMBERSHIP, normalizeUserKey } from '../domain/entitlement.js';
import type { UnmappedUsersPolicy } from '../domain/mapping.js';
import type { Rename } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import type { PlanInput } from './input.js';
import { joinIdentities } from './join.js';

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
  /** the teammate's e-mail in Heap when the identity provider now knows this person by another (a rename) */
  renamedFrom: string | null;
}

export interface ResolvedSubjects {
  subjects: Subject[];
  /** teammates that are not subjects (left alone, out of scope, unmatchable): guards still count them */
  others: Teammate[];
  warnings: string[];
}

/** The baseline entry of a subject, whichever form of its e-mail the caller keyed it by (before a rename, the old one). */
export const baselineOf = (baseline: ReadonlyMap<string, Access>, s: Subject): Access | undefined =>
  baseline.get(s.key) ??
  (s.key === s.user ? undefined : baseline.get(s.user)) ??
  (s.renamedFrom === null ? undefined : baseline.get(normalizeUserKey(s.renamedFrom)));

const policyReason = (value: UnmappedUsersPolicy, detail: string): PolicyReason => ({
  policy: 'unmappedUsers',
  value,
  detail,
});

const UNMAPPED_DETAIL = 'no mapping rule applies to this identity, or it is inactive in the identity provider';
const UNKNOWN_DETAIL = 'not found in any identity source';

export interface SubjectWalk {
  /** how many subjects were visited */
  count: number;
  /**
   * teammates active in Heap that the sync manages but that were not visited (out of scope). With the active
   * subjects that have a teammate (which `visit` sees, and reads the access of anyway), the mass-change guard's
   * denominator. Counted apart because reading one property of 100k access objects, each with its own hidden
   * class, costs as much as the planner's whole walk over them.
   */
  managedActiveUnvisited: number;
  /** teammates the identity provider now knows by another e-mail (same immutable id), by old e-mail */
  renames: Rename[];
  /** teammates that are not subjects (left alone, out of scope, unmatchable): guards still count them */
  others: Teammate[];
  warnings: string[];
}

/**
 * Joins desired identities to Heap teammates by `policy.match`, decides how each user is managed, and calls
 * `visit` once per subject. Users under `unmappedUsers: keep`, and unmapped identities that are not in Heap,
 * are not subjects at all. For 100k users no object is made per user: `visit` gets the same Subject object
 * each time, refilled; copy it to keep it.
 */
export function forEachSubject(input: PlanInput, visit: (s: Subject) => void): SubjectWalk {
  const { match, unmappedUsers } = input.mapping.policy;
  const actual = input.actual;
  const { managed, keys, claimed, absent, unjoinable, warnings } = joinIdentities(actual, input.desired.users, match);
  const others = [...unjoinable];
  const cursor: Subject = {
    user: '',
    key: '',
    teammate: null,
    desired: null,
    mode: 'mapped',
    policyReason: null,
    renamedFrom: null,
  };
  const renames: Rename[] = [];
  let count = 0;
  let managedActiveUnvisited = 0;
  const emit = (user: string, key: string, t: Teammate | null, d: DesiredUser | null, mode: SubjectMode) => {
    cursor.user = user;
    cursor.key = key;
    cursor.teammate = t;
    cursor.desired = d;
    cursor.mode = mode;
    cursor.policyReason = mode === 'mapped' ? null : policyReason(mode, d ? UNMAPPED_DETAIL : UNKNOWN_DETAIL);
    cursor.renamedFrom = null;
    count++;
    visit(cursor);
  };

  const emitRenamed = (t: Teammate, d: DesiredUser): void => {
    cursor.user = d.user;
    cursor.key = d.user;
    cursor.teammate = t;
    cursor.desired = d;
    cursor.mode = 'mapped';
    cursor.policyReason = null;
    cursor.renamedFrom = t.email;
    count++;
    visit(cursor);
  };

  const scope = input.scope ?? null;
  const inScope = (key: string, d: DesiredUser | null): boolean =>
    scope === null || scope.has(key) || (d !== null && scope.has(d.user));
  const visitTeammate = (i: number): void => {
    const t = actual[i] as Teammate;
    const d = claimed[i] ?? null;
    const key = match === 'email' ? (keys[i] as string) : normalizeUserKey(t.email);
    if (!inScope(key, d)) {
      if ((d?.mapped || unmappedUsers !== 'keep') && t.access[MEMBERSHIP] !== DEACTIVATED) managedActiveUnvisited++;
      others.push(t);
    } else if (d?.mapped && isRename(t, d)) {
      renames.push({ id: d.externalId as string, from: t.email, to: d.user });
      emitRenamed(t, d);
    } else if (d?.mapped) {
      const update = input.identities ? identityUpdate(t, d) : null;
      if (update) renames.push(update);
      emit(t.email, key, t, d, 'mapped');
    } else if (unmappedUsers !== 'keep') emit(t.email, key, t, d, unmappedUsers);
    else others.push(t);
  };
  if (managed === null) for (let i = 0; i < actual.length; i++) visitTeammate(i);
  else for (const i of managed) visitTeammate(i);

  // Matching by userName or externalId: an unmatched identity whose e-mail is already in Heap must not be created twice.
  const emails = match === 'email' || absent.size === 0 ? null : new Set(actual.map((t) => normalizeUserKey(t.email)));
  // Never create a user only to deactivate or remove them: unmapped identities outside Heap get nothing.
  for (const [key, d] of absent) {
    if (emails?.has(key)) {
      warnings.push(`identity ${d.identityId} matches no teammate by ${match}, but ${d.user} is in Heap: left alone`);
      continue;
    }
    if (d.mapped && inScope(key, d)) emit(d.user, key, null, d, 'mapped');
  }
  renames.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return { count, managedActiveUnvisited, renames, others, warnings: warnings.sort() };
}

/** The same immutable id under another e-mail: the teammate is renamed, never replaced. */
/**
 * The identity Heap lacks for a teammate joined to its identity by e-mail: the immutable id, written on the sync's
 * first write of a teammate that has none (so a later rename is found), and a changed userName of the same id.
 * A rename of the same e-mail (`from` equals `to`).
 */
function identityUpdate(t: Teammate, d: DesiredUser): Rename | null {
  if (d.externalId === undefined) return null;
  if (t.externalId === undefined) return { id: d.externalId, from: t.email, to: t.email };
  if (t.externalId !== d.externalId || t.userName === undefined) return null;
  const userName = d.userName ?? d.user;
  if (t.userName.toLowerCase() === userName.toLowerCase()) return null;
  return { id: d.externalId, from: t.email, to: t.email, userName: { from: t.userName, to: userName } };
}

const isRename = (t: Teammate, d: DesiredUser): boolean =>
  d.externalId !== undefined && t.externalId === d.externalId && normalizeUserKey(t.email) !== d.user;

/** Every subject as its own object (see forEachSubject), for callers that are not on the hot path. */
export function resolveSubjects(input: PlanInput): ResolvedSubjects {
  const subjects: Subject[] = [];
  const { others, warnings } = forEachSubject(input, (s) => subjects.push({ ...s }));
  return { subjects, others, warnings };
}
