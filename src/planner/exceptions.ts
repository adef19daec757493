import type { ExceptionReason } from '../domain/desired.js';
import { normalizeUserKey } from '../domain/entitlement.js';
import { type AccessException, isExceptionActive } from '../domain/exception.js';

/** The exceptions bearing on one entitlement of one user. */
export interface ExceptionSlot {
  /** replaces the desired value while it lasts */
  active: AccessException | null;
  /** ran out (not revoked): the run that reverts its value says so */
  expired: AccessException | null;
}

/** user key -> entitlement -> slot; only users with exceptions appear. */
export type ExceptionIndex = Map<string, Map<string, ExceptionSlot>>;

// Ties are broken by id so that the input order never matters.
const later = (x: string, y: string, xId: string, yId: string): boolean => {
  const dx = Date.parse(x);
  const dy = Date.parse(y);
  if (dx > dy) return true;
  if (dx < dy) return false;
  return xId < yId;
};
const newerApproval = (x: AccessException, y: AccessException): boolean => later(x.createdAt, y.createdAt, x.id, y.id);
const laterExpiry = (x: AccessException, y: AccessException): boolean => later(x.expiresAt, y.expiresAt, x.id, y.id);

/** When several exceptions overlap, the most recently approved active one wins; revoked ones are ignored. */
export function indexExceptions(exceptions: readonly AccessException[], now: Date): ExceptionIndex {
  const index: ExceptionIndex = new Map();
  for (const e of exceptions) {
    if (e.revokedAt) continue;
    const key = normalizeUserKey(e.user);
    let slots = index.get(key);
    if (!slots) index.set(key, (slots = new Map()));
    let slot = slots.get(e.entitlement);
    if (!slot) slots.set(e.entitlement, (slot = { active: null, expired: null }));
    if (isExceptionActive(e, now)) {
      if (!slot.active || newerApproval(e, slot.active)) slot.active = e;
    } else if (!slot.expired || laterExpiry(e, slot.expired)) slot.expired = e;
  }
  return index;
}

export const exceptionReason = (e: AccessException, expired = false): ExceptionReason => ({
  exception: e.id,
  approver: e.approver,
  reason: e.reason,
  expiresAt: e.expiresAt,
  ...(expired && { expired: true }),
});
