import { ACTIVE, type Access, DEACTIVATED, MEMBERSHIP, ORG, normalizeUserKey } from '../domain/entitlement.js';
import type { Guards } from '../domain/mapping.js';
import { ADMIN } from '../domain/model.js';
import type { Change, GuardName } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';

const PROJECT_PREFIX = 'project:';

export interface GuardOutcome {
  held: boolean;
  heldBy: GuardName | null;
  /** unblocked changes flagged revokes-access */
  revocations: number;
  orgAdminsAfter: number;
  risk: string[];
  warnings: string[];
}

interface UserState {
  active: boolean;
  access: Access;
}

const isActive = (t: Teammate): boolean => t.access[MEMBERSHIP] !== DEACTIVATED;

/** Users with membership active and Admin on each project: counted once over every teammate, only when needed. */
function countProjectAdmins(actual: readonly Teammate[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of actual) {
    if (!isActive(t)) continue;
    const access = t.access;
    for (const key in access) {
      if (access[key] === ADMIN && key.startsWith(PROJECT_PREFIX)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Runs the guards over a plan whose changes are in their final order, marking blocked changes in place.
 * Changes are applied in order to a model of the whole organisation (every teammate, in scope or not): a change
 * that would take the last Admin from a project or from the organisation is blocked, and the model skips it.
 */
export function runGuards(
  changes: Change[],
  actual: readonly Teammate[],
  teammateOf: ReadonlyMap<string, Teammate | null>,
  guards: Guards,
  approved: boolean,
): GuardOutcome {
  let orgAdmins = 0;
  for (const t of actual) if (t.access[ORG] === ADMIN && isActive(t)) orgAdmins++;
  let projectAdmins: Map<string, number> | null = null;
  const projectCounts = () => (projectAdmins ??= countProjectAdmins(actual));

  const states = new Map<string, UserState>();
  const stateOf = (user: string): UserState => {
    let s = states.get(user);
    if (!s) {
      const t = teammateOf.get(user) ?? null;
      s = t ? { active: isActive(t), access: { ...t.access } } : { active: false, access: {} };
      states.set(user, s);
    }
    return s;
  };

  const adminKeysOf = (s: UserState): string[] => (s.active ? adminKeysOfAccess(s.access) : []);
  const countOf = (key: string): number => (key === ORG ? orgAdmins : (projectCounts().get(key) ?? 0));
  const adjust = (key: string, delta: number): void => {
    if (key === ORG) orgAdmins += delta;
    else if (guards.lastProjectAdmin) {
      // the first adjustment counts from the untouched organisation, so later ones stay consistent
      const counts = projectCounts();
      counts.set(key, (counts.get(key) ?? 0) + delta);
    }
  };
  const guardFor = (key: string): GuardName | null => {
    if (key === ORG) return guards.lastOrgAdmin ? 'lastOrgAdmin' : null;
    return guards.lastProjectAdmin ? 'lastProjectAdmin' : null;
  };
  /** The guard that forbids losing these Admin roles, org first. */
  const blockerFor = (lost: string[]): GuardName | null => {
    const ordered = lost.includes(ORG) ? [ORG, ...lost.filter((k) => k !== ORG)] : lost;
    for (const key of ordered) {
      const guard = guardFor(key);
      if (guard && countOf(key) <= 1) return guard;
    }
    return null;
  };

  for (const c of changes) {
    const key = c.entitlement;
    const isMembership = key === MEMBERSHIP;
    // module permissions never make anyone an Admin
    if (!isMembership && key !== ORG && !key.startsWith(PROJECT_PREFIX)) continue;
    const s = stateOf(normalizeUserKey(c.user));
    const before = adminKeysOf(s);
    const after = isMembership
      ? c.to === ACTIVE
        ? adminKeysOfAccess(s.access)
        : []
      : s.active
        ? c.to === ADMIN
          ? [...new Set([...before, key])]
          : before.filter((k) => k !== key)
        : [];
    const lost = before.filter((k) => !after.includes(k));
    const blocked = lost.length ? blockerFor(lost) : null;
    if (blocked) {
      c.blocked = blocked;
      continue;
    }
    for (const k of lost) adjust(k, -1);
    for (const k of after) if (!before.includes(k)) adjust(k, +1);
    applyTo(s, c);
  }

  const revocations = changes.filter((c) => !c.blocked && c.risk.includes('revokes-access')).length;
  const held = revocations > guards.maxRevocations && !approved;
  const risk: string[] = [];
  const warnings: string[] = [];
  if (revocations > guards.maxRevocations) {
    risk.push(
      `${revocations} revocations exceed maxRevocations (${guards.maxRevocations}): ${approved ? 'approved' : 'plan held for approval'}`,
    );
  }
  if (orgAdmins > guards.maxOrgAdmins) {
    const note = `the organization would have ${orgAdmins} Admins, more than maxOrgAdmins (${guards.maxOrgAdmins})`;
    risk.push(note);
    warnings.push(note);
  }
  return { held, heldBy: held ? 'maxRevocations' : null, revocations, orgAdminsAfter: orgAdmins, risk, warnings };
}

/** Admin roles that count for the guards: org and projects. */
function adminKeysOfAccess(access: Access): string[] {
  const keys: string[] = [];
  for (const key in access) {
    if (access[key] === ADMIN && (key === ORG || key.startsWith(PROJECT_PREFIX))) keys.push(key);
  }
  return keys;
}

function applyTo(s: UserState, c: Change): void {
  if (c.to === null) delete s.access[c.entitlement];
  else s.access[c.entitlement] = c.to;
  if (c.entitlement === MEMBERSHIP) s.active = c.to !== null && c.to !== DEACTIVATED;
}
