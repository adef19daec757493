import type { Group, Identity } from '../../domain/identity.js';
import type { DeltaDirectory, DirectoryUser } from './delta-state.js';

/** Which groups to read: a display-name prefix, explicit object ids, or both (their union); neither: every group. */
export interface EntraGroupSelection {
  groupPrefix?: string;
  groupIds?: string[];
}

export class UnknownGroupsError extends Error {
  constructor(readonly groupIds: string[]) {
    super(`configured Entra group id(s) not found: ${groupIds.join(', ')}`);
    this.name = 'UnknownGroupsError';
  }
}

export class NoMatchingGroupsError extends Error {
  constructor(readonly groupPrefix: string) {
    super(`no Entra group displayName starts with groupPrefix ${JSON.stringify(groupPrefix)}`);
    this.name = 'NoMatchingGroupsError';
  }
}

/**
 * The snapshot of the selected groups: each group's members are its direct users, or with `transitive` every user
 * reachable through nested groups. Graph's `startswith` is case-insensitive, and so is the prefix match here.
 * Members the directory has no user record for are left out and counted.
 */
export function selectSnapshot(
  directory: DeltaDirectory,
  options: { selection: EntraGroupSelection; transitive: boolean; sourceName: string },
): { users: Identity[]; groups: Group[]; unknownMembers: number } {
  const { groupPrefix, groupIds } = options.selection;
  const missing = (groupIds ?? []).filter((id) => !directory.groups.has(id));
  if (missing.length > 0) throw new UnknownGroupsError(missing);
  const prefix = groupPrefix?.toLowerCase();
  const everything = groupPrefix === undefined && groupIds === undefined;
  const chosen = [...directory.groups.entries()].filter(
    ([id, g]) =>
      everything || groupIds?.includes(id) || (prefix !== undefined && g.displayName.toLowerCase().startsWith(prefix)),
  );
  // a prefix that matches nothing is a typo ("Heap_" for "Heap "), not a tenant without Heap users
  if (prefix !== undefined && !chosen.some(([, g]) => g.displayName.toLowerCase().startsWith(prefix))) {
    throw new NoMatchingGroupsError(groupPrefix!);
  }
  const users = new Map<string, Identity>();
  let unknownMembers = 0;
  const groups = chosen.map(([id, g]): Group => {
    const memberIds = options.transitive ? transitiveUsers(directory, id) : [...g.users];
    const members: string[] = [];
    for (const userId of memberIds) {
      const user = directory.users.get(userId);
      if (!user) {
        unknownMembers += 1;
        continue;
      }
      users.set(userId, toIdentity(userId, user, options.sourceName));
      members.push(userId);
    }
    return { id, displayName: g.displayName, members: members.sort(), source: options.sourceName };
  });
  return { users: [...users.values()].sort(byId), groups: groups.sort(byId), unknownMembers };
}

/** Entra user → Identity: userPrincipalName is the userName, accountEnabled is active. */
export function toIdentity(id: string, user: DirectoryUser, sourceName: string): Identity {
  return {
    id,
    userName: user.userPrincipalName,
    email: user.mail,
    ...(user.displayName !== undefined && { displayName: user.displayName }),
    active: user.accountEnabled,
    source: sourceName,
  };
}

function transitiveUsers(directory: DeltaDirectory, groupId: string): string[] {
  const users = new Set<string>();
  const seen = new Set<string>([groupId]);
  const pending = [groupId];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const group = directory.groups.get(id);
    if (!group) continue;
    for (const u of group.users) users.add(u);
    for (const nested of group.groups) {
      if (seen.has(nested)) continue;
      seen.add(nested);
      pending.push(nested);
    }
  }
  return [...users];
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
