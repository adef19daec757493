import type SCIMMY from 'scimmy';
import type { ScimGroupLookup, ScimSortKey, ScimUserLookup } from '../../sources/scim/repository.js';
import type { ScimContext } from './context.js';
import { matchFilter, planGroupFilter, planUserFilter } from './filter-plan.js';
import { toScimGroup, toScimUser, type ScimResourceObject } from './records.js';

export interface ListRequest<L = never> {
  filter?: SCIMMY.Types.Filter;
  /** an equality already recognised without scimmy (see simpleEquality); then `filter` is not needed */
  lookup?: L;
  /** 0-based offset and page size; without it every match is returned */
  page?: { offset: number; limit: number };
  sortBy?: string;
  descending: boolean;
}

export interface ListResult {
  total: number;
  resources: ScimResourceObject[];
}

const SORT_KEYS: Record<string, ScimSortKey> = {
  id: 'id',
  username: 'userName',
  displayname: 'displayName',
  externalid: 'externalId',
  'meta.created': 'created',
  'meta.lastmodified': 'lastModified',
};

export const sqlSortKey = (sortBy: string | undefined): ScimSortKey | undefined =>
  sortBy === undefined ? undefined : SORT_KEYS[sortBy.toLowerCase()];

/** The value a sort compares: for a multi-valued attribute its primary (else first) value, as scimmy does. */
function sortValue(resource: Record<string, unknown>, path: string): unknown {
  let current: unknown = resource;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    const entry = Object.entries(current).find(([k]) => k.toLowerCase() === part.toLowerCase());
    current = entry?.[1];
    if (Array.isArray(current)) {
      const chosen = (current.find((v) => (v as { primary?: unknown })?.primary === true) ?? current[0]) as unknown;
      current = typeof chosen === 'object' && chosen !== null && 'value' in chosen ? chosen.value : chosen;
    }
  }
  return current;
}

function sortInMemory(resources: ScimResourceObject[], sortBy: string, descending: boolean): ScimResourceObject[] {
  const sorted = [...resources].sort((a, b) => {
    const va = sortValue(a, sortBy);
    const vb = sortValue(b, sortBy);
    // Missing values go last whatever the order.
    if (va === undefined || va === null) return vb === undefined || vb === null ? 0 : 1;
    if (vb === undefined || vb === null) return -1;
    const cmp =
      typeof va === 'number' && typeof vb === 'number'
        ? va - vb
        : String(va).localeCompare(String(vb), undefined, { sensitivity: 'base' });
    return descending ? -cmp : cmp;
  });
  return sorted;
}

function pageOf<T>(items: T[], page: ListRequest['page']): T[] {
  return page ? items.slice(page.offset, page.offset + page.limit) : items;
}

const mentions = (filter: SCIMMY.Types.Filter | undefined, attribute: string) =>
  filter !== undefined && filter.expression.toLowerCase().includes(attribute);

/**
 * Users matching a SCIM filter. An `eq` on an indexed attribute (userName, externalId, id, displayName, emails.value)
 * and the paging go to SQL with a real COUNT; anything else is matched by scimmy over the candidates, then sorted
 * and paged in memory.
 */
export async function queryUsers(ctx: ScimContext, request: ListRequest<ScimUserLookup>): Promise<ListResult> {
  const { repository, baseUri } = ctx;
  const { lookup, residual } = request.lookup
    ? { lookup: request.lookup, residual: undefined }
    : planUserFilter(request.filter);
  const sort = sqlSortKey(request.sortBy);
  const withGroups = (ids: string[]) => repository.groupsOfUsers(ids);
  if (!residual && (request.sortBy === undefined || sort)) {
    // One read for the users and their groups: the filtered GET of every push takes this path.
    const found = await repository.listUsersWithGroups({
      ...(lookup && { lookup }),
      ...(request.page && { page: request.page }),
      ...(sort && { sort: { by: sort, descending: request.descending } }),
    });
    return { total: found.total, resources: found.items.map((u) => toScimUser(u.user, u.groups, baseUri)) };
  }
  const candidates = (await repository.listUsers(lookup ? { lookup } : {})).items;
  const needGroups = mentions(residual, 'groups') || request.sortBy?.toLowerCase().startsWith('groups') === true;
  const groups = needGroups ? await withGroups(candidates.map((u) => u.id)) : null;
  let resources = candidates.map((u) => toScimUser(u, groups?.get(u.id) ?? null, baseUri));
  if (residual) resources = matchFilter(residual, resources);
  if (request.sortBy !== undefined) resources = sortInMemory(resources, request.sortBy, request.descending);
  const paged = pageOf(resources, request.page);
  if (groups) return { total: resources.length, resources: paged };
  const byId = new Map(candidates.map((u) => [u.id, u]));
  const pageGroups = await withGroups(paged.map((r) => r.id));
  return {
    total: resources.length,
    resources: paged.map((r) => {
      const user = byId.get(r.id);
      return user ? toScimUser(user, pageGroups.get(r.id) ?? [], baseUri) : r;
    }),
  };
}

/** Groups matching a SCIM filter; members are read only when the response includes them. */
export async function queryGroups(ctx: ScimContext, request: ListRequest<ScimGroupLookup>): Promise<ListResult> {
  const { repository, baseUri } = ctx;
  const { lookup, residual } = request.lookup
    ? { lookup: request.lookup, residual: undefined }
    : planGroupFilter(request.filter);
  const sort = sqlSortKey(request.sortBy);
  if (!residual && (request.sortBy === undefined || sort)) {
    const options = {
      ...(lookup && { lookup }),
      ...(request.page && { page: request.page }),
      ...(sort && { sort: { by: sort, descending: request.descending } }),
    };
    if (ctx.withMembers) {
      const found = await repository.listGroupsWithMembers(options);
      return { total: found.total, resources: found.items.map((g) => toScimGroup(g.group, g.members, baseUri)) };
    }
    const found = await repository.listGroups(options);
    return { total: found.total, resources: found.items.map((g) => toScimGroup(g, null, baseUri)) };
  }
  const candidates = (await repository.listGroups(lookup ? { lookup } : {})).items;
  const needMembers = ctx.withMembers || mentions(residual, 'members');
  const members = needMembers ? await repository.membersOf(candidates.map((g) => g.id)) : null;
  let resources = candidates.map((g) => toScimGroup(g, members ? (members.get(g.id) ?? []) : null, baseUri));
  if (residual) resources = matchFilter(residual, resources);
  if (request.sortBy !== undefined) resources = sortInMemory(resources, request.sortBy, request.descending);
  return { total: resources.length, resources: pageOf(resources, request.page) };
}
