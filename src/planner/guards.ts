import { ACTIVE, type Access, DEACTIVATED, MEMBERSHIP, ORG, normalizeUserKey } from '../domain/entitlement.js';
import type { Guards } from '../domain/mapping.js';
import { ADMIN } from '../domain/model.js';
import type { Change, GuardName } from '../domain/plan.js';
import type { Teammate } from '../domain/teammate.js';
import { type AdminCensus, adminKeysOf } from './census.js';

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

/** A user's access as the plan applies to it: the teammate's access (never copied: megamorphic copies are slow) under an overlay. */
class UserState {
  private readonly overlay = new Map<string, string | null>();

  constructor(
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
    const keys = adminKeysOf(this.base).filter((k) => !this.overlay.has(k));
    for (const [k, v] of this.overlay) if (v === ADMIN && (k === ORG || k.startsWith(PROJECT_PREFIX))) keys.push(k);
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
  guards: Guards,
  approved: boolean,
): GuardOutcome {
  const states = new Map<string, UserState>();
  const stateOf = (user: string): UserState => {
    let s = states.get(user);
    if (!s) {
      const t = teammateOf.get(user) ?? null;
      s = t ? new UserState(t.access, t.access[MEMBERSHIP] !== DEACTIVATED) : new UserState({}, false);
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
      const was = s.get(key) === ADMIN;
      const will = c.to === ADMIN;
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

  const revocations = changes.filter((c) => !c.blocked && c.risk.includes('revokes-access')).length;
  const tooMany = revocations > guards.maxRevocations && !approved;
  const owners = assetOwnersLowered(changes);
  const ownersHold = owners.length > 0 && guards.ownedAssets === 'hold' && !approved;
  const held = tooMany || ownersHold;
  const orgAdmins = census.orgAdmins;
  const risk: string[] = [];
  const warnings: string[] = [];
  if (revocations > guards.maxRevocations) {
    risk.push(
      `${revocations} revocations exceed maxRevocations (${guards.maxRevocations}): ${approved ? 'approved' : 'plan held for approval'}`,
    );
  }
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
  const heldBy: GuardName | null = tooMany ? 'maxRevocations' : ownersHold ? 'ownedAssets' : null;
  return { held, heldBy, revocations, orgAdminsAfter: orgAdmins, risk, warnings };
}

/** Users whose unblocked changes lower them while they own assets, once each, in plan order. */
function assetOwnersLowered(changes: readonly Change[]): { user: string; ownedAssets: number }[] {
  const seen = new Map<string, number>();
  for (const c of changes) {
    if (!c.blocked && c.risk.includes('owns-assets') && !seen.has(c.user)) seen.set(c.user, c.ownedAssets ?? 0);
  }
  return [...seen].map(([user, ownedAssets]) => ({ user, ownedAssets }));
}
