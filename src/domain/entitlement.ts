/**
 * Access flattens to entitlements: a key with one value, or none (null).
 * Keys: `membership` (active | deactivated), `org`, `project:<projectKey>`, `module:<module>:<projectKey>`,
 * `team:<Team name>` (`member`: the user is in that Heap Team).
 */
export type EntitlementKey = string;
export type EntitlementValue = string | null;

/** A user's access: entitlement key -> value. An absent key means null (no access). */
export type Access = Record<EntitlementKey, string>;

export const MEMBERSHIP = 'membership';
export const ORG = 'org';
export const ACTIVE = 'active';
export const DEACTIVATED = 'deactivated';
/** the one value of a `team:<name>` entitlement */
export const TEAM_MEMBER = 'member';

/** The kinds of entitlement, each of which a target may or may not be able to observe and write. */
export const ENTITLEMENT_KINDS = ['membership', 'org', 'project', 'module', 'team'] as const;
export type EntitlementKind = (typeof ENTITLEMENT_KINDS)[number];

/**
 * How far the sync reaches an entitlement in this Heap: `enforced` (written and read back), `assisted` (read but
 * not written: a Heap administrator makes the change, the next run verifies it) or `unobservable` (not read: a
 * change is a task the administrator attests, and nothing about it is ever reported as drift).
 */
export type Enforcement = 'enforced' | 'assisted' | 'unobservable';
export type KindEnforcement = Record<EntitlementKind, Enforcement>;

export type EntitlementRef =
  | { kind: 'membership' }
  | { kind: 'org' }
  | { kind: 'project'; project: string }
  | { kind: 'module'; module: string; project: string }
  | { kind: 'team'; team: string };

export const projectEntitlement = (project: string): EntitlementKey => `project:${project}`;
export const moduleEntitlement = (module: string, project: string): EntitlementKey => `module:${module}:${project}`;
/** Team names are Heap's display names: they may hold spaces and colons, so everything after `team:` is the name. */
export const teamEntitlement = (team: string): EntitlementKey => `team:${team}`;

export function parseEntitlement(key: EntitlementKey): EntitlementRef | null {
  if (key === MEMBERSHIP) return { kind: 'membership' };
  if (key === ORG) return { kind: 'org' };
  const parts = key.split(':');
  if (parts[0] === 'project' && parts.length === 2 && parts[1]) return { kind: 'project', project: parts[1] };
  if (parts[0] === 'module' && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: 'module', module: parts[1], project: parts[2] };
  }
  if (key.startsWith('team:') && key.length > 'team:'.length) return { kind: 'team', team: key.slice('team:'.length) };
  return null;
}

/** The kind of an entitlement key, or null when the key is not one. */
export const entitlementKind = (key: EntitlementKey): EntitlementKind | null => parseEntitlement(key)?.kind ?? null;

/** Order of entitlements in every listing: membership, org, projects, modules, teams; then by name. */
export function compareEntitlements(a: EntitlementKey, b: EntitlementKey): number {
  const rank = (k: string) =>
    k === MEMBERSHIP ? 0 : k === ORG ? 1 : k.startsWith('project:') ? 2 : k.startsWith('team:') ? 4 : 3;
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Users are identified in Heap by e-mail, compared case-insensitively. */
export const normalizeUserKey = (email: string): string =>
  isNormalizedAscii(email) ? email : email.trim().toLowerCase();

/**
 * Whether an e-mail is already its normalised form (ASCII, no capitals, nothing to trim): the usual case, which then
 * costs no new string (the planner normalises 200,000 e-mails a run).
 */
function isNormalizedAscii(s: string): boolean {
  const n = s.length;
  if (n === 0) return true;
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(n - 1) <= 32) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 126) return false;
  }
  return true;
}

/** How "no access" is written for people, everywhere (CLI, alerts, dashboard, planner text). */
export const NO_ACCESS = '(none)';

export const showAccess = (value: EntitlementValue | undefined): string => value ?? NO_ACCESS;
