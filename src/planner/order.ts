import { compareEntitlements } from '../domain/entitlement.js';

/** The order of every listing in a plan: by user, then entitlement (membership, org, projects, modules). */
export const compareByUserThenEntitlement = (
  a: { user: string; entitlement: string },
  b: { user: string; entitlement: string },
): number => (a.user < b.user ? -1 : a.user > b.user ? 1 : compareEntitlements(a.entitlement, b.entitlement));

/** Reasons in a stable order, whatever order the evaluation listed them in: by their JSON, each written once. */
export function sortReasons<T extends object>(reasons: readonly T[]): T[] {
  if (reasons.length < 2) return [...reasons];
  const keyed = reasons.map((reason) => ({ reason, key: JSON.stringify(reason) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.reason);
}
