/**
 * Access flattens to entitlements: a key with one value, or none (null).
 * Keys: `membership` (active | deactivated), `org`, `project:<projectKey>`, `module:<module>:<projectKey>`.
 */
export type EntitlementKey = string;
export type EntitlementValue = string | null;

/** A user's access: entitlement key -> value. An absent key means null (no access). */
export type Access = Record<EntitlementKey, string>;

export const MEMBERSHIP = 'membership';
export const ORG = 'org';
export const ACTIVE = 'active';
export const DEACTIVATED = 'deactivated';

export type EntitlementRef =
  | { kind: 'membership' }
  | { kind: 'org' }
  | { kind: 'project'; project: string }
  | { kind: 'module'; module: string; project: string };

export const projectEntitlement = (project: string): EntitlementKey => `project:${project}`;
export const moduleEntitlement = (module: string, project: string): EntitlementKey => `module:${module}:${project}`;

export function parseEntitlement(key: EntitlementKey): EntitlementRef | null {
  if (key === MEMBERSHIP) return { kind: 'membership' };
  if (key === ORG) return { kind: 'org' };
  const parts = key.split(':');
  if (parts[0] === 'project' && parts.length === 2 && parts[1]) return { kind: 'project', project: parts[1] };
  if (parts[0] === 'module' && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: 'module', module: parts[1], project: parts[2] };
  }
  return null;
}

/** Order of entitlements in every listing: membership, org, projects, modules; then by name. */
export function compareEntitlements(a: EntitlementKey, b: EntitlementKey): number {
  const rank = (k: string) => (k === MEMBERSHIP ? 0 : k === ORG ? 1 : k.startsWith('project:') ? 2 : 3);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Users are identified in Heap by e-mail, compared case-insensitively. */
export const normalizeUserKey = (email: string): string => email.trim().toLowerCase();

/** How "no access" is written for people, everywhere (CLI, alerts, dashboard, planner text). */
export const NO_ACCESS = '(none)';

export const showAccess = (value: EntitlementValue | undefined): string => value ?? NO_ACCESS;
