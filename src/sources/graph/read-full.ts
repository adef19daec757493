import type { GraphApi } from './graph-api.js';
import { asGraphFailure, readAllPages } from './graph-api.js';
import type { DeltaDirectory } from './delta-state.js';
import { applyUserItems, emptyDirectory, MalformedDeltaItem } from './delta-state.js';
import { mapWithConcurrency } from '../shared/map-with-concurrency.js';
import type { EntraGroupSelection } from './select-snapshot.js';
import { UnknownGroupsError } from './select-snapshot.js';

/** Graph's largest page for directory collections. */
export const GRAPH_MAX_TOP = 999;
export const USER_FIELDS = 'id,displayName,mail,userPrincipalName,accountEnabled';

/**
 * A full read without delta: the selected groups, then each group's members (or transitive members), every page,
 * with user properties selected on the member list so no per-user request is needed. The result has the same
 * shape as a delta directory; transitive members are already flattened into each group's users.
 */
export async function readFullDirectory(
  api: GraphApi,
  options: { selection: EntraGroupSelection; transitive: boolean; concurrency: number; signal?: AbortSignal },
): Promise<DeltaDirectory> {
  const { signal } = options;
  const groups = await listSelectedGroups(api, options.selection, options.concurrency, signal);
  const relation = options.transitive ? 'transitiveMembers' : 'members';
  const memberLists = await mapWithConcurrency(groups, options.concurrency, async (g) => {
    const { items } = await readAllPages(
      api,
      `/groups/${encodeURIComponent(g.id)}/${relation}?$select=${USER_FIELDS}&$top=${GRAPH_MAX_TOP}`,
      signal,
    );
    return items.filter(isUser);
  });
  const directory = emptyDirectory();
  groups.forEach((g, i) => {
    const users = memberLists[i] ?? [];
    applyUserItems(directory, users);
    directory.groups.set(g.id, {
      displayName: g.displayName,
      users: new Set(users.map((u) => String(u.id))),
      groups: new Set(),
    });
  });
  return directory;
}

async function listSelectedGroups(
  api: GraphApi,
  selection: EntraGroupSelection,
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<{ id: string; displayName: string }[]> {
  const found = new Map<string, { id: string; displayName: string }>();
  const select = `$select=id,displayName&$top=${GRAPH_MAX_TOP}`;
  if (selection.groupPrefix !== undefined || selection.groupIds === undefined) {
    const filter =
      selection.groupPrefix === undefined
        ? ''
        : // the client does not encode $filter; OData escapes a quote by doubling it
          `$filter=${encodeURIComponent(`startswith(displayName,'${selection.groupPrefix.replace(/'/g, "''")}')`)}&`;
    const { items } = await readAllPages(api, `/groups?${filter}${select}`, signal);
    for (const item of items) found.set(...groupEntry(item));
  }
  const missing: string[] = [];
  await mapWithConcurrency(selection.groupIds ?? [], concurrency, async (id) => {
    try {
      found.set(...groupEntry(await api.getObject(`/groups/${encodeURIComponent(id)}?$select=id,displayName`, signal)));
    } catch (err) {
      if (asGraphFailure(err)?.statusCode !== 404) throw err;
      missing.push(id);
    }
  });
  if (missing.length > 0) throw new UnknownGroupsError(missing.sort());
  return [...found.values()];
}

function groupEntry(item: Record<string, unknown>): [string, { id: string; displayName: string }] {
  const { id, displayName } = item;
  if (typeof id !== 'string' || typeof displayName !== 'string')
    throw new MalformedDeltaItem('a group without id or displayName');
  return [id, { id, displayName }];
}

/** Member lists hold users, groups, devices, service principals; @odata.type tells them apart. */
function isUser(item: Record<string, unknown>): boolean {
  const type = item['@odata.type'];
  return type === '#microsoft.graph.user' || (type === undefined && typeof item.userPrincipalName === 'string');
}
