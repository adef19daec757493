import type { Client, Group as OktaGroup, User as OktaUser } from '@okta/okta-sdk-nodejs';
import type { Group, Identity } from '../../domain/identity.js';
import { SourceReadError } from '../../ports/identity-source.js';
import { mapWithConcurrency } from '../shared/map-with-concurrency.js';
import { isActiveOktaStatus } from './okta-user-status.js';
import { OKTA_PAGE_SIZE } from './page-sizes.js';

/** Which groups to read: a name prefix, an explicit list of ids or exact names, or both (their union). */
export interface OktaGroupSelection {
  groupPrefix?: string;
  groups?: string[];
}

/** Explicit entries per search request: keeps the `search` expression (and the Link header) short. */
const ENTRIES_PER_SEARCH = 10;

/**
 * Reads the selected groups, then every member of each (at most `concurrency` groups at a time). All pages of
 * every list are read or the whole read fails.
 */
export async function readOktaDirectory(
  client: Client,
  options: { sourceName: string; selection: OktaGroupSelection; concurrency: number },
): Promise<{ users: Identity[]; groups: Group[] }> {
  const oktaGroups = await listSelectedGroups(client, options.selection, options.sourceName);
  const memberLists = await mapWithConcurrency(oktaGroups, options.concurrency, (g) =>
    collect(client.groupApi.listGroupUsers({ groupId: g.id, limit: OKTA_PAGE_SIZE.groupUsers })),
  );
  const users = new Map<string, Identity>();
  const groups = oktaGroups.map((g, i): Group => {
    const members = (memberLists[i] ?? []).map((u) => toIdentity(u, options.sourceName));
    for (const m of members) users.set(m.id, m);
    return {
      id: g.id,
      displayName: g.name,
      members: [...new Set(members.map((m) => m.id))].sort(),
      source: options.sourceName,
    };
  });
  return { users: [...users.values()].sort(byId), groups: groups.sort(byId) };
}

interface SelectedGroup {
  id: string;
  name: string;
}

async function listSelectedGroups(
  client: Client,
  selection: OktaGroupSelection,
  sourceName: string,
): Promise<SelectedGroup[]> {
  const searches: string[] = [];
  // Okta's `q` cannot page (300 results at most); `search` pages and supports `sw` on profile.name
  if (selection.groupPrefix !== undefined) searches.push(`profile.name sw ${quote(selection.groupPrefix)}`);
  const explicit = selection.groups ?? [];
  for (let i = 0; i < explicit.length; i += ENTRIES_PER_SEARCH) {
    const chunk = explicit.slice(i, i + ENTRIES_PER_SEARCH);
    searches.push(chunk.map((e) => `id eq ${quote(e)} or profile.name eq ${quote(e)}`).join(' or '));
  }
  const lists =
    searches.length === 0
      ? [await collect(client.groupApi.listGroups({ limit: OKTA_PAGE_SIZE.groups }))]
      : await Promise.all(
          searches.map(async (search) => collect(client.groupApi.listGroups({ search, limit: OKTA_PAGE_SIZE.groups }))),
        );
  // a prefix that matches nothing is a typo ("Heap_" for "Heap "), not an organisation without Heap users
  if (selection.groupPrefix !== undefined && lists[0]?.length === 0) {
    throw new SourceReadError(sourceName, `no Okta group name starts with groupPrefix ${quote(selection.groupPrefix)}`);
  }
  const byGroupId = new Map<string, SelectedGroup>();
  for (const g of lists.flat())
    byGroupId.set(requireField(g.id, 'group id', sourceName), toSelectedGroup(g, sourceName));
  const found = [...byGroupId.values()];
  // `search` matches names case-insensitively; an explicit entry must name an existing group
  const missing = explicit.filter((e) => !found.some((g) => g.id === e || g.name.toLowerCase() === e.toLowerCase()));
  if (missing.length > 0)
    throw new SourceReadError(sourceName, `configured Okta group(s) not found: ${missing.join(', ')}`);
  return found.sort(byId);
}

function toSelectedGroup(g: OktaGroup, sourceName: string): SelectedGroup {
  return {
    id: requireField(g.id, 'group id', sourceName),
    name: requireField(g.profile?.name, `profile.name of group ${g.id}`, sourceName),
  };
}

/** Okta user → Identity: login is the userName; see okta-user-status.ts for which statuses are active. */
export function toIdentity(u: OktaUser, sourceName: string): Identity {
  const id = requireField(u.id, 'user id', sourceName);
  const profile = u.profile;
  const displayName =
    profile?.displayName ?? ([profile?.firstName, profile?.lastName].filter(Boolean).join(' ') || undefined);
  return {
    id,
    userName: requireField(profile?.login, `profile.login of user ${id}`, sourceName),
    email: profile?.email ?? null,
    ...(displayName !== undefined && { displayName }),
    active: isActiveOktaStatus(u.status),
    source: sourceName,
  };
}

/**
 * Drains a Collection. The SDK yields a `null` item for an empty page that still links a next page; that item
 * is skipped, never treated as the end.
 */
async function collect<T>(pending: Promise<AsyncIterable<T | null>>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of await pending) {
    if (item !== null && item !== undefined) items.push(item);
  }
  return items;
}

function requireField(value: string | null | undefined, what: string, sourceName: string): string {
  if (typeof value !== 'string' || value === '')
    throw new SourceReadError(sourceName, `malformed Okta response: missing ${what}`);
  return value;
}

/** Okta filter string literal: double quotes, backslash escapes. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
