import type { EntitlementKey, EntitlementValue } from './entitlement.js';

/** An approved, time-bound override of the mapping for one entitlement of one user (the seed's temporary elevation). */
export interface AccessException {
  id: string;
  user: string;
  entitlement: EntitlementKey;
  value: EntitlementValue;
  reason: string;
  approver: string;
  /** who asked for it (`--actor`, the API caller): four eyes compare it with the approver */
  requestedBy?: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string | null;
}

/** An exception as a store reads it back: a requester it does not know (older rows) is left out, not null. */
export function storedException(
  row: Omit<AccessException, 'requestedBy'> & { requestedBy: string | null },
): AccessException {
  const { requestedBy, ...rest } = row;
  return requestedBy === null ? rest : { ...rest, requestedBy };
}

export const isExceptionActive = (e: AccessException, now: Date): boolean =>
  !e.revokedAt && Date.parse(e.expiresAt) > now.getTime();
