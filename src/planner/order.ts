import { compareEntitlements } from '../domain/entitlement.js';

/** The order of every listing in a plan: by user, then entitlement (membership, org, projects, modules). */
export const compareByUserThenEntitlement = (
  a: { user: string; entitlement: string },
  b: { user: string; entitlement: string },
): number => (a.user < b.user ? -1 : a.user > b.user ? 1 : compareEntitlements(a.entitlement, b.entitlement));

/** Reasons in a stable order, whatever order the evaluation listed them in. */
export const compareReasons = (a: object, b: object): number => {
  const ka = JSON.stringify(a);
  const kb = JSON.stringify(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
