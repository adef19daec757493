/**
 * What a caller may do. A viewer reads; an approver also decides pending approvals; an admin does everything
 * (syncs, exceptions, held plans, and approvals too).
 */
export const ROLES = ['viewer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `needed` may. */
export const roleAtLeast = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/** The strongest of several roles (a person in both an admin and a viewer group is an admin). */
export const strongestRole = (roles: Role[]): Role | null =>
  roles.reduce<Role | null>((best, r) => (best === null || roleAtLeast(r, best) ? r : best), null);
