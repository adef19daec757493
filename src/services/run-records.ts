import { randomUUID } from 'node:crypto';
import type { GrantReasons } from '../domain/desired.js';
import type { Access } from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import type { Plan } from '../domain/plan.js';

/** Facts a run derives about itself: its id, the users it touched, what its baseline write and approval cover. */

const EXPIRED_EXCEPTION_LOOKBACK_MS = 30 * 24 * 3600 * 1000;

/** Run ids sort by time and are unique: `run-20261128T101500Z-1a2b3c`. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${randomUUID().slice(0, 6)}`;
}

/** The baseline rows that differ from the stored ones: a run with nothing to do rewrites nothing. */
export function onlyChanged(
  next: Map<string, Access | null>,
  old: ReadonlyMap<string, Access>,
): Map<string, Access | null> {
  const out = new Map<string, Access | null>();
  for (const [user, access] of next) {
    const before = old.get(user);
    if (access === null ? before !== undefined : !before || !sameAccess(access, before)) out.set(user, access);
  }
  return out;
}

/**
 * The grant reasons a commit writes: those of every baseline row it writes, and of users whose access stays but whose
 * reasons changed (a second group now grants the same value: the first one's leaving must not be named later).
 */
export function reasonsToWrite(
  next: Map<string, GrantReasons>,
  written: ReadonlyMap<string, Access | null>,
  old: ReadonlyMap<string, GrantReasons | null> | undefined,
): Map<string, GrantReasons> {
  const out = new Map<string, GrantReasons>();
  for (const [user, reasons] of next) {
    const before = old?.get(user);
    if (written.has(user) || !before || JSON.stringify(before) !== JSON.stringify(reasons)) out.set(user, reasons);
  }
  return out;
}

function sameAccess(a: Access, b: Access): boolean {
  let n = 0;
  for (const key in a) {
    if (a[key] !== b[key]) return false;
    n++;
  }
  return n === Object.keys(b).length;
}

export function touchedUsers(plan: Plan): Set<string> {
  const users = new Set<string>();
  for (const c of plan.changes) users.add(c.user);
  for (const d of plan.drift) users.add(d.user);
  for (const r of plan.renames ?? []) users.add(r.from).add(r.to);
  return users;
}

/** Active exceptions, and ones that expired recently enough that the run reverting them must say why. */
export function relevantExceptions(all: AccessException[], now: Date): AccessException[] {
  return all.filter((e) => !e.revokedAt && Date.parse(e.expiresAt) > now.getTime() - EXPIRED_EXCEPTION_LOOKBACK_MS);
}

/**
 * An approval covers a fresh plan only if it revokes nothing the held plan did not: state may have moved since
 * the administrator looked, and an approval must never authorise revocations nobody saw.
 */
export function approvalCovers(heldPlan: Plan, fresh: Plan): boolean {
  const key = (c: { user: string; entitlement: string; to: string | null }) =>
    `${c.user}\u0000${c.entitlement}\u0000${c.to}`;
  const approved = new Set(heldPlan.changes.filter((c) => c.risk.includes('revokes-access')).map(key));
  return fresh.changes.every((c) => c.blocked || !c.risk.includes('revokes-access') || approved.has(key(c)));
}
