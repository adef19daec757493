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

/** Which IdP groups give which role (config `server.oidc`). */
export interface GroupRoles {
  adminGroups: string[];
  approverGroups: string[];
  viewerGroups: string[];
}

/** The role a person's groups give: the strongest that matches, or null (they may not sign in). */
export function roleFromGroups(groups: string[], mapping: GroupRoles): Role | null {
  const has = (wanted: string[]) => wanted.some((g) => groups.includes(g));
  return strongestRole([
    ...(has(mapping.adminGroups) ? (['admin'] as const) : []),
    ...(has(mapping.approverGroups) ? (['approver'] as const) : []),
    ...(has(mapping.viewerGroups) ? (['viewer'] as const) : []),
  ]);
}
