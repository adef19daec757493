import type { EntitlementValue } from '../domain/entitlement.js';
import type { DriftCause } from '../domain/plan.js';

/**
 * Classifies an entitlement whose actual value A differs from the desired value D (DESIGN §4).
 * `baseline` is B for a reconciled user (null when the key is missing from B) and `undefined` for a user
 * the sync never reconciled.
 */
export function classifyDifference(
  actual: EntitlementValue,
  desired: EntitlementValue,
  baseline: EntitlementValue | undefined,
): 'idp-change' | DriftCause {
  if (baseline === undefined) return actual === null ? 'idp-change' : 'unmanaged';
  if (actual === baseline) return 'idp-change';
  if (desired === baseline) return 'manual-override';
  return 'conflict';
}
