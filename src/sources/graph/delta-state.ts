import { z } from 'zod';
import { isRecord } from './graph-api.js';

/**
 * What the Entra source remembers between delta rounds: both delta links and the tenant's groups (direct
 * members, users and nested groups apart) and users, rebuilt from delta pages. It is JSON, stored through the
 * source's `stateStore`. Every group and every user of the tenant is tracked, not only the selected ones: a group
 * renamed into the prefix, or a user added to a selected group, is then already known.
 */
const storedUser = z.object({
  userPrincipalName: z.string(),
  mail: z.string().nullable(),
  displayName: z.string().optional(),
  accountEnabled: z.boolean(),
});
const storedGroup = z.object({ displayName: z.string(), users: z.array(z.string()), groups: z.array(z.string()) });
const storedState = z.object({
  format: z.literal('entra-delta/1'),
  graphOrigin: z.string(),
  groupsDeltaLink: z.string(),
  usersDeltaLink: z.string(),
  groups: z.record(z.string(), storedGroup),
  users: z.record(z.string(), storedUser),
});

export type StoredDeltaState = z.infer<typeof storedState>;
export type DirectoryUser = z.infer<typeof storedUser>;

/** The working form: sets for cheap membership changes. */
export interface DeltaDirectory {
  groups: Map<string, { displayName: string; users: Set<string>; groups: Set<string> }>;
  users: Map<string, DirectoryUser>;
}

export function emptyDirectory(): DeltaDirectory {
  return { groups: new Map(), users: new Map() };
}

/** A stored state usable for `graphOrigin`, or null (absent, from another Graph endpoint, or unreadable). */
export function parseStoredState(value: unknown, graphOrigin: string): StoredDeltaState | null {
  const parsed = storedState.safeParse(value);
  if (!parsed.success || parsed.data.graphOrigin !== graphOrigin) return null;
  if (!sameOrigin(parsed.data.groupsDeltaLink, graphOrigin) || !sameOrigin(parsed.data.usersDeltaLink, graphOrigin))
    return null;
  return parsed.data;
}

export function toDirectory(state: StoredDeltaState): DeltaDirectory {
  const directory = emptyDirectory();
  for (const [id, g] of Object.entries(state.groups)) {
    directory.groups.set(id, { displayName: g.displayName, users: new Set(g.users), groups: new Set(g.groups) });
  }
  for (const [id, u] of Object.entries(state.users)) directory.users.set(id, u);
  return directory;
}

export function toStoredState(
  directory: DeltaDirectory,
  links: { graphOrigin: string; groupsDeltaLink: string; usersDeltaLink: string },
): StoredDeltaState {
  const groups: StoredDeltaState['groups'] = {};
  for (const [id, g] of [...directory.groups.entries()].sort(byKey)) {
    groups[id] = { displayName: g.displayName, users: [...g.users].sort(), groups: [...g.groups].sort() };
  }
  const users: StoredDeltaState['users'] = {};
  for (const [id, u] of [...directory.users.entries()].sort(byKey)) users[id] = u;
  return { format: 'entra-delta/1', ...links, groups, users };
}

export class MalformedDeltaItem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedDeltaItem';
  }
}

const USER = '#microsoft.graph.user';
const GROUP = '#microsoft.graph.group';

/**
 * Applies groups/delta items in order. A group may appear several times (its members split over entries); an
 * entry's `members@delta` lists added links and, with `@removed`, removed ones. A removed group (`@removed`,
 * soft or hard deleted) leaves the directory. Members that are neither users nor groups are ignored.
 */
export function applyGroupItems(directory: DeltaDirectory, items: readonly Record<string, unknown>[]): void {
  for (const item of items) {
    const id = requireString(item.id, 'group id');
    if (item['@removed'] !== undefined) {
      directory.groups.delete(id);
      continue;
    }
    const displayName = item.displayName;
    let group = directory.groups.get(id);
    if (!group) {
      group = {
        displayName: requireString(displayName, `displayName of new group ${id}`),
        users: new Set(),
        groups: new Set(),
      };
      directory.groups.set(id, group);
    } else if (typeof displayName === 'string') {
      group.displayName = displayName;
    }
    const links = item['members@delta'];
    if (links === undefined) continue;
    if (!Array.isArray(links)) throw new MalformedDeltaItem(`members@delta of group ${id} is not an array`);
    for (const link of links as unknown[]) {
      if (!isRecord(link)) throw new MalformedDeltaItem(`a members@delta entry of group ${id} is not an object`);
      const memberId = requireString(link.id, `member id in group ${id}`);
      const set = link['@odata.type'] === USER ? group.users : link['@odata.type'] === GROUP ? group.groups : null;
      if (!set) continue;
      if (link['@removed'] !== undefined) set.delete(memberId);
      else set.add(memberId);
    }
  }
}

/**
 * Applies users/delta items: a removed user leaves the directory; a changed one is merged (Graph sends the
 * selected properties). `accountEnabled` must be readable: without User.Read.All it is absent, and guessing
 * "disabled" would revoke everyone.
 */
export function applyUserItems(directory: DeltaDirectory, items: readonly Record<string, unknown>[]): void {
  for (const item of items) {
    const id = requireString(item.id, 'user id');
    if (item['@removed'] !== undefined) {
      directory.users.delete(id);
      continue;
    }
    const known = directory.users.get(id);
    const userPrincipalName =
      typeof item.userPrincipalName === 'string' ? item.userPrincipalName : known?.userPrincipalName;
    const accountEnabled = typeof item.accountEnabled === 'boolean' ? item.accountEnabled : known?.accountEnabled;
    if (userPrincipalName === undefined) throw new MalformedDeltaItem(`user ${id} has no userPrincipalName`);
    if (accountEnabled === undefined)
      throw new MalformedDeltaItem(`user ${id} has no accountEnabled (does the app have User.Read.All?)`);
    const mail = 'mail' in item ? (typeof item.mail === 'string' ? item.mail : null) : (known?.mail ?? null);
    const displayName =
      typeof item.displayName === 'string' ? item.displayName : 'displayName' in item ? undefined : known?.displayName;
    directory.users.set(id, {
      userPrincipalName,
      mail,
      ...(displayName !== undefined && { displayName }),
      accountEnabled,
    });
  }
}

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new MalformedDeltaItem(`missing ${what}`);
  return value;
}

function sameOrigin(link: string, origin: string): boolean {
  try {
    return new URL(link).origin === origin;
  } catch {
    return false;
  }
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
