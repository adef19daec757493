import { ACTIVE, type Access, DEACTIVATED, MEMBERSHIP, ORG, normalizeUserKey } from '../domain/entitlement.js';
import type { Guards } from '../domain/mapping.js';
import type { TopRoles } from '../domain/model.js';
import type { Change, GuardName } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { type AdminCensus, adminKeysOf, isTopRole } from './census.js';

const PROJECT_PREFIX = 'project:';

/** Below this many users losing access, maxRevocationPercent does not apply (1 of 5 is 20%, and ordinary). */
export const MIN_USERS_FOR_PERCENT = 3;

export interface GuardContext {
  guards: Guards;
  top: TopRoles;
  /** an administrator approved the plan: nothing holds it */
  approved: boolean;
  /** users active in Heap and managed by the sync (in scope or not) */
  managedActive: number;
}

export interface GuardOutcome {
  held: boolean;
  heldBy: GuardName | null;
  holdReason: string | null;
  /** unblocked changes flagged revokes-access */
  revocations: number;
  /** distinct users with at least one of them */
  usersLosingAccess: number;
  orgAdminsAfter: number;
  risk: string[];
  warnings: string[];
}

/** A user's access as the plan applies to it: the teammate's access (never copied: megamorphic copies are slow) under an overlay. */
class UserState {
  private readonly overlay = new Map<string, string | null>();

  constructor(
    private readonly top: TopRoles,
    private readonly base: Access,
    public active: boolean,
  ) {}

  get(key: string): string | null {
    const v = this.overlay.get(key);
    return v !== undefined ? v : (this.base[key] ?? null);
  }

  set(key: string, value: string | null): void {
    this.overlay.set(key, value);
  }

  /** Admin roles that count for the guards: org and projects. */
  adminKeys(): string[] {
    const keys = adminKeysOf(this.top, this.base).filter((k) => !this.overlay.has(k));
    for (const [k, v] of this.overlay) if (isTopRole(this.top, k, v)) keys.push(k);
    return keys;
  }
}

/**
 * Runs the guards over a plan whose changes are in their final order, marking blocked changes in place.
 * Changes that only grant Admin roles count first; then every other change is applied in order to the census of the whole organisation (every teammate, in scope or not): a
 * change that would take the last Admin from a project or from the organisation is blocked and not counted.
 * `teammateOf` holds, by normalised e-mail, the teammate of every user with changes (null: not in Heap yet).
 */
export function runGuards(
  changes: Change[],
  census: AdminCensus,
  teammateOf: ReadonlyMap<string, Teammate | null>,
  { guards, top, approved, managedActive }: GuardContext,
): GuardOutcome {
  const states = new Map<string, UserState>();
  const stateOf = (user: string): UserState => {
    let s = states.get(user);
    if (!s) {
      const t = teammateOf.get(user) ?? null;
      s = t ? new UserState(top, t.access, t.access[MEMBERSHIP] !== DEACTIVATED) : new UserState(top, {}, false);
      states.set(user, s);
    }
    return s;
  };
  const guardFor = (key: string): GuardName | null => {
    if (key === ORG) return guards.lastOrgAdmin ? 'lastOrgAdmin' : null;
    return guards.lastProjectAdmin ? 'lastProjectAdmin' : null;
  };
  /** The guard that forbids losing these Admin roles, org first. */
  const blockerFor = (lost: readonly string[]): GuardName | null => {
    const ordered = lost.includes(ORG) ? [ORG, ...lost.filter((k) => k !== ORG)] : lost;
    for (const key of ordered) {
      const guard = guardFor(key);
      if (guard && census.countOf(key) <= 1) return guard;
    }
    return null;
  };

  // Grants first, then the rest in plan order: an Admin handover (the new Admin granted, the old one removed in
  // the same plan) must go through whichever of the two users sorts first.
  const done = new Set<Change>();
  const consider = (c: Change, grantsOnly: boolean): void => {
    // a grant already held back (waiting for an approval) changes nobody's access in this run
    if (c.blocked) return;
    const key = c.entitlement;
    const isMembership = key === MEMBERSHIP;
    // module permissions never make anyone an Admin
    if (!isMembership && key !== ORG && !key.startsWith(PROJECT_PREFIX)) return;
    const s = stateOf(normalizeUserKey(c.user));
    let lost: string[] = [];
    let gained: string[] = [];
    if (isMembership) {
      const willBeActive = c.to === ACTIVE;
      if (s.active && !willBeActive) lost = s.adminKeys();
      else if (!s.active && willBeActive) gained = s.adminKeys();
    } else if (s.active) {
      const was = isTopRole(top, key, s.get(key));
      const will = isTopRole(top, key, c.to);
      if (was && !will) lost = [key];
      else if (!was && will) gained = [key];
    }
    // an activation gains nothing yet for a new user, but must come first so that user's Admin grants count
    const grants = !lost.length && (gained.length > 0 || (isMembership && c.to === ACTIVE));
    if (grantsOnly && !grants) return;
    done.add(c);
    const blocked = lost.length ? blockerFor(lost) : null;
    if (blocked) {
      c.blocked = blocked;
      return;
    }
    for (const k of lost) census.adjust(k, -1);
    for (const k of gained) census.adjust(k, +1);
    s.set(key, c.to);
    if (isMembership) s.active = c.to !== null && c.to !== DEACTIVATED;
  };
  for (const c of changes) consider(c, true);
  for (const c of changes) if (!done.has(c)) consider(c, false);

  let revocations = 0;
  const losing = new Set<string>();
  for (const c of changes) {
    if (c.blocked || !c.risk.includes('revokes-access')) continue;
    revocations++;
    losing.add(normalizeUserKey(c.user));
  }
  const mass = massChange(losing.size, managedActive, guards);
  const owners = assetOwnersLowered(changes);
  const ownersHold = owners.length > 0 && guards.ownedAssets === 'hold' && !approved;
  const orgAdmins = census.orgAdmins;
  const risk: string[] = [];
  const warnings: string[] = [];
  if (mass) risk.push(`${mass.reason}: ${approved ? 'approved' : 'plan held for approval'}`);
  if (owners.length) {
    const who = owners.map((o) => `${o.user} (${o.ownedAssets})`).join(', ');
    const verdict =
      guards.ownedAssets === 'warn'
        ? 'transfer their assets first (guards.ownedAssets: warn)'
        : approved
          ? 'transfer confirmed by the approval'
          : 'plan held until someone confirms the transfer';
    const note = `${owners.length} user(s) losing access own assets in Heap: ${who}: ${verdict}`;
    risk.push(note);
    if (guards.ownedAssets === 'warn') warnings.push(note);
  }
  if (orgAdmins > guards.maxOrgAdmins) {
    const note = `the organization would have ${orgAdmins} Admins, more than maxOrgAdmins (${guards.maxOrgAdmins})`;
    risk.push(note);
    warnings.push(note);
  }
  const hold = approved
    ? null
    : mass
      ? mass
      : ownersHold
        ? { guard: 'ownedAssets' as const, reason: `${owners.length} user(s) losing access own assets in Heap` }
        : null;
  return {
    held: hold !== null,
    heldBy: hold?.guard ?? null,
    holdReason: hold?.reason ?? null,
    revocations,
    usersLosingAccess: losing.size,
    orgAdminsAfter: orgAdmins,
    risk,
    warnings,
  };
}

/**
 * The mass-change guard (DESIGN §10): more users losing access than `maxRevocations`, or (from
 * MIN_USERS_FOR_PERCENT of them) more than `maxRevocationPercent` percent of the active users the sync manages.
 * Counted in users, not entitlements: one offboarding is one, however many roles it takes away.
 */
export function massChange(
  losing: number,
  managedActive: number,
  guards: Pick<Guards, 'maxRevocations' | 'maxRevocationPercent'>,
): { guard: 'maxRevocations' | 'maxRevocationPercent'; reason: string } | null {
  const of = `${losing} of ${managedActive} managed active user(s) would lose access`;
  if (losing > guards.maxRevocations) {
    return { guard: 'maxRevocations', reason: `${of}, more than maxRevocations (${guards.maxRevocations})` };
  }
  if (losing >= MIN_USERS_FOR_PERCENT && losing * 100 > guards.maxRevocationPercent * managedActive) {
    return {
      guard: 'maxRevocationPercent',
      reason: `${of}, more than maxRevocationPercent (${guards.maxRevocationPercent}%)`,
    };
  }
  return null;
}

/** Users whose unblocked changes lower them while they own assets, once each, in plan order. */
function assetOwnersLowered(changes: readonly Change[]): { user: string; ownedAssets: number }[] {
  const seen = new Map<string, number>();
  for (const c of changes) {
    if (!c.blocked && c.risk.includes('owns-assets') && !seen.has(c.user)) seen.set(c.user, c.ownedAssets ?? 0);
  }
  return [...seen].map(([user, ownedAssets]) => ({ user, ownedAssets }));
}
