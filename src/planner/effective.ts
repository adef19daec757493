import type { Reason } from '../domain/desired.js';
import { type Access, DEACTIVATED, type EntitlementValue, MEMBERSHIP } from '../domain/entitlement.js';
import type { AccessException } from '../domain/exception.js';
import { type ExceptionSlot, exceptionReason } from './exceptions.js';
import type { Subject } from './subjects.js';

/** One compared entitlement: its effective desired value and why. */
export interface Wanted {
  key: string;
  value: EntitlementValue;
  /** rule or policy reasons; null when nothing grants the entitlement (a revocation) */
  reasons: readonly Reason[] | null;
  /** the active exception that set the value */
  exception: AccessException | null;
  slot: ExceptionSlot | undefined;
}

export const EMPTY_ACCESS: Access = Object.freeze({}) as Access;

/**
 * Calls `visit` once for every entitlement that is managed for this subject, with its effective desired
 * value D (mapping or policy, replaced by an active exception). `access` is the actual access whose extra
 * keys must be compared too (a key only in the baseline has D = A = null and never differs).
 * The same `Wanted` object is reused between calls: copy what you keep.
 */
export function visitWanted(
  subject: Subject,
  access: Access,
  slots: ReadonlyMap<string, ExceptionSlot> | undefined,
  visit: (w: Wanted) => void,
): void {
  const w: Wanted = { key: '', value: null, reasons: null, exception: null, slot: undefined };
  const emit = (key: string, value: EntitlementValue, reasons: readonly Reason[] | null): void => {
    const slot = slots?.get(key);
    w.key = key;
    w.slot = slot;
    if (slot?.active) {
      w.value = slot.active.value;
      w.reasons = [exceptionReason(slot.active)];
      w.exception = slot.active;
    } else {
      w.value = value;
      w.reasons = reasons;
      w.exception = null;
    }
    visit(w);
  };

  if (subject.mode === 'mapped' && subject.desired) {
    const ents = subject.desired.entitlements;
    for (const key in ents) {
      const e = ents[key];
      if (e) emit(key, e.value, e.reasons);
    }
    for (const key in access) if (ents[key] === undefined) emit(key, null, null);
    if (slots)
      for (const key of slots.keys()) if (ents[key] === undefined && access[key] === undefined) emit(key, null, null);
    return;
  }

  const policy = subject.policyReason ? [subject.policyReason] : [];
  if (subject.mode === 'deactivate') {
    emit(MEMBERSHIP, DEACTIVATED, policy);
    // Other entitlements of a deactivated user are left as they are, unless an exception says otherwise.
    if (slots) for (const [key, slot] of slots) if (key !== MEMBERSHIP && slot.active) emit(key, null, policy);
    return;
  }
  for (const key in access) emit(key, null, policy);
  if (slots) for (const [key, slot] of slots) if (slot.active && access[key] === undefined) emit(key, null, policy);
}

/** Whether `visitWanted` compares this entitlement at all (deactivated users keep their other access untouched). */
export function isManaged(
  subject: Subject,
  key: string,
  slots: ReadonlyMap<string, ExceptionSlot> | undefined,
): boolean {
  return subject.mode !== 'deactivate' || key === MEMBERSHIP || slots?.get(key)?.active != null;
}
