import { type EntitlementValue, normalizeUserKey } from './entitlement.js';

/**
 * When the sync first saw a manual change in Heap (DESIGN §11, grace before revert): one per user and entitlement
 * while it stays drift with the same actual value. Another value, or the drift resolved, starts afresh.
 */
export interface DriftSighting {
  user: string;
  entitlement: string;
  actual: EntitlementValue;
  /** ISO 8601: the run that first saw this value */
  firstSeen: string;
  /** who made the change in Heap, and when, when the target can tell */
  changedBy?: string;
  changedAt?: string;
}

/** The key sightings are found by: normalised e-mail and entitlement. */
export const sightingKey = (user: string, entitlement: string): string =>
  `${normalizeUserKey(user)}\u0000${entitlement}`;

export function indexSightings(sightings: readonly DriftSighting[]): Map<string, DriftSighting> {
  return new Map(sightings.map((s) => [sightingKey(s.user, s.entitlement), s]));
}
