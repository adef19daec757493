import type { LoopbackServer, RouteContext, RouteResult } from './loopback-server.js';
import { extendServer, startLoopbackServer } from './loopback-server.js';

export interface GraphFakeUser {
  id: string;
  userPrincipalName: string;
  mail: string | null;
  displayName?: string;
  accountEnabled: boolean;
}

export interface GraphFakeGroup {
  id: string;
  displayName: string;
  /** ids of users or of other groups (nesting) */
  members: string[];
}

/**
 * Page sizes the fake serves. `$top` is capped at 999 as Graph documents for directory collections (default 100).
 * Delta pages are modelled: users/delta pages of 200 objects, groups/delta pages of 200 entries where one entry
 * carries at most 500 `members@delta` links and a larger group continues in later entries (the same group id
 * appears more than once during an initial sync, as on Graph).
 */
export const GRAPH_PAGE = { maxTop: 999, defaultTop: 100, deltaObjects: 200, deltaLinksPerEntry: 500 } as const;

export interface GraphFake extends LoopbackServer {
  /** https://127.0.0.1:PORT, the graphBaseUrl */
  readonly baseUrl: string;
  seed(directory: { users: GraphFakeUser[]; groups: GraphFakeGroup[] }): void;
  addMember(groupId: string, memberId: string): void;
  removeMember(groupId: string, memberId: string): void;
  upsertGroup(group: Omit<GraphFakeGroup, 'members'> & { members?: string[] }): void;
  deleteGroup(groupId: string): void;
  upsertUser(user: GraphFakeUser): void;
  deleteUser(userId: string): void;
  /** every delta token issued so far becomes invalid, answered like Graph does */
  expireDeltaTokens(as?: 'resyncRequired' | 'syncStateNotFound'): void;
}

type ChangeEvent =
  | { v: number; kind: 'group'; groupId: string }
  | { v: number; kind: 'member'; groupId: string; memberId: string; memberType: string; added: boolean }
  | { v: number; kind: 'user'; userId: string };

interface Cursor {
  items: unknown[];
  offset: number;
  pageSize: number;
  /** set for delta rounds: the link for the next round */
  deltaLink?: string;
}

const USER_TYPE = '#microsoft.graph.user';
const GROUP_TYPE = '#microsoft.graph.group';
const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Microsoft Graph v1.0 on https://127.0.0.1 with the directory endpoints and delta queries the Entra source uses. */
export interface GraphFakeOptions {
  /** when set, the only bearer token accepted */
  token?: string;
  users?: GraphFakeUser[];
  groups?: GraphFakeGroup[];
  /** serve at most this many items per page whatever `$top` asks (Graph may return fewer): many pages from little data */
  pageCap?: number;
}

export async function startGraphFake(options: GraphFakeOptions = {}): Promise<GraphFake> {
  let users = new Map<string, GraphFakeUser>();
  let groups = new Map<string, GraphFakeGroup>();
  let version = 0;
  let oldestValidVersion = 0;
  let expiredAs: 'resyncRequired' | 'syncStateNotFound' = 'syncStateNotFound';
  const log: ChangeEvent[] = [];
  const cursors = new Map<string, Cursor>();
  let cursorSeq = 0;

  function seed(directory: { users: GraphFakeUser[]; groups: GraphFakeGroup[] }): void {
    users = new Map(directory.users.map((u) => [u.id, { ...u }]));
    groups = new Map(directory.groups.map((g) => [g.id, { ...g, members: [...new Set(g.members)] }]));
    log.length = 0;
    version += 1;
    oldestValidVersion = version;
  }
  seed({ users: options.users ?? [], groups: options.groups ?? [] });

  const typeOf = (id: string) => (groups.has(id) ? GROUP_TYPE : USER_TYPE);

  const mutators = {
    addMember(groupId: string, memberId: string) {
      const g = groups.get(groupId);
      if (!g || g.members.includes(memberId)) return;
      g.members.push(memberId);
      log.push({ v: ++version, kind: 'member', groupId, memberId, memberType: typeOf(memberId), added: true });
    },
    removeMember(groupId: string, memberId: string) {
      const g = groups.get(groupId);
      if (!g || !g.members.includes(memberId)) return;
      g.members = g.members.filter((m) => m !== memberId);
      log.push({ v: ++version, kind: 'member', groupId, memberId, memberType: typeOf(memberId), added: false });
    },
    upsertGroup(group: Omit<GraphFakeGroup, 'members'> & { members?: string[] }) {
      const existing = groups.get(group.id);
      groups.set(group.id, { id: group.id, displayName: group.displayName, members: existing?.members ?? [] });
      log.push({ v: ++version, kind: 'group', groupId: group.id });
      for (const m of group.members ?? []) mutators.addMember(group.id, m);
    },
    deleteGroup(groupId: string) {
      if (!groups.delete(groupId)) return;
      log.push({ v: ++version, kind: 'group', groupId });
      for (const g of groups.values()) if (g.members.includes(groupId)) mutators.removeMember(g.id, groupId);
    },
    upsertUser(user: GraphFakeUser) {
      users.set(user.id, { ...user });
      log.push({ v: ++version, kind: 'user', userId: user.id });
    },
    deleteUser(userId: string) {
      for (const g of groups.values()) if (g.members.includes(userId)) mutators.removeMember(g.id, userId);
      if (users.delete(userId)) log.push({ v: ++version, kind: 'user', userId });
    },
    expireDeltaTokens(as: 'resyncRequired' | 'syncStateNotFound' = 'syncStateNotFound') {
      version += 1;
      oldestValidVersion = version;
      expiredAs = as;
    },
  };

  function route(ctx: RouteContext): RouteResult {
    if (ctx.method !== 'GET') return graphError(405, 'Request_BadRequest', 'method not supported by the fake');
    const auth = ctx.headers.authorization ?? '';
    if (!/^Bearer \S+/.test(auth) || (options.token !== undefined && auth !== `Bearer ${options.token}`)) {
      return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
    }
    const skip = ctx.query.get('$skiptoken');
    if (skip !== null) return continueCursor(ctx, skip);
    const seg = ctx.path.split('/').filter(Boolean); // v1.0 groups {id} members
    if (seg[0] !== 'v1.0') return graphError(404, 'Request_ResourceNotFound', `unknown path ${ctx.path}`);
    if (seg[1] === 'groups' && seg[2] === 'delta' && seg.length === 3) return groupsDelta(ctx);
    if (seg[1] === 'users' && seg[2] === 'delta' && seg.length === 3) return usersDelta(ctx);
    if (seg[1] === 'groups' && seg.length === 2) return listGroups(ctx);
    if (seg[1] === 'users' && seg.length === 2)
      return list(
        ctx,
        [...users.values()].map((u) => userJson(u, select(ctx))),
      );
    if (seg[1] === 'groups' && seg.length >= 3) {
      const g = groups.get(decodeURIComponent(seg[2] ?? ''));
      if (!g) return graphError(404, 'Request_ResourceNotFound', `Resource '${seg[2]}' does not exist.`);
      if (seg.length === 3) return { status: 200, body: pick({ id: g.id, displayName: g.displayName }, select(ctx)) };
      if (seg[3] === 'members' && seg.length === 4) return list(ctx, memberObjects(g.members, select(ctx)));
      if (seg[3] === 'transitiveMembers' && seg.length === 4)
        return list(ctx, memberObjects(closure(g.id), select(ctx)));
    }
    return graphError(404, 'Request_ResourceNotFound', `unknown path ${ctx.path}`);
  }

  function listGroups(ctx: RouteContext): RouteResult {
    const filter = ctx.query.get('$filter');
    let all = [...groups.values()];
    if (filter !== null) {
      const m = /^startswith\(displayName,'((?:[^']|'')*)'\)$/i.exec(filter.trim());
      if (!m) return graphError(400, 'Request_UnsupportedQuery', `Unsupported Query: ${filter}`);
      const prefix = (m[1] ?? '').replace(/''/g, "'").toLowerCase();
      all = all.filter((g) => g.displayName.toLowerCase().startsWith(prefix));
    }
    return list(
      ctx,
      all.sort(byId).map((g) => pick({ id: g.id, displayName: g.displayName }, select(ctx))),
    );
  }

  /** Direct or transitive member objects, users and groups, with the selected properties and @odata.type. */
  function memberObjects(ids: string[], sel: string[] | null): unknown[] {
    return ids.flatMap((id) => {
      const u = users.get(id);
      if (u) return [{ '@odata.type': USER_TYPE, ...(userJson(u, sel) as object) }];
      const g = groups.get(id);
      return g
        ? [{ '@odata.type': GROUP_TYPE, ...(pick({ id: g.id, displayName: g.displayName }, sel) as object) }]
        : [];
    });
  }

  function closure(groupId: string): string[] {
    const seen = new Set<string>();
    const visit = (id: string) => {
      for (const m of groups.get(id)?.members ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        if (groups.has(m)) visit(m);
      }
    };
    visit(groupId);
    return [...seen].sort();
  }

  function list(ctx: RouteContext, items: unknown[]): RouteResult {
    const top = ctx.query.has('$top') ? Number(ctx.query.get('$top')) : GRAPH_PAGE.defaultTop;
    if (!Number.isInteger(top) || top < 1 || top > GRAPH_PAGE.maxTop) {
      return graphError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${ctx.query.get('$top')}'. Must be between 1 and 999 inclusive.`,
      );
    }
    return openCursor(ctx, { items, offset: 0, pageSize: Math.min(top, options.pageCap ?? top) });
  }

  function groupsDelta(ctx: RouteContext): RouteResult {
    const token = ctx.query.get('$deltatoken');
    let items: unknown[];
    if (token === null) {
      items = [...groups.values()].sort(byId).flatMap((g) => {
        const links = g.members.map((m) => ({ '@odata.type': typeOf(m), id: m }));
        const chunks: unknown[] = [];
        for (let i = 0; i === 0 || i < links.length; i += GRAPH_PAGE.deltaLinksPerEntry) {
          chunks.push({
            id: g.id,
            displayName: g.displayName,
            'members@delta': links.slice(i, i + GRAPH_PAGE.deltaLinksPerEntry),
          });
        }
        return chunks;
      });
    } else {
      const since = readToken(token);
      if (since === null) return expired();
      items = groupChangesSince(since);
    }
    return openCursor(ctx, {
      items,
      offset: 0,
      pageSize: Math.min(GRAPH_PAGE.deltaObjects, options.pageCap ?? Infinity),
      deltaLink: deltaLinkFor(ctx, 'groups'),
    });
  }

  function groupChangesSince(since: number): unknown[] {
    const touched = new Map<string, Map<string, { type: string; added: boolean }>>();
    for (const e of log) {
      if (e.v <= since || e.kind === 'user') continue;
      const links = touched.get(e.groupId) ?? new Map<string, { type: string; added: boolean }>();
      touched.set(e.groupId, links);
      if (e.kind === 'member') links.set(e.memberId, { type: e.memberType, added: e.added });
    }
    return [...touched.keys()].sort().map((id) => {
      const g = groups.get(id);
      if (!g) return { id, '@removed': { reason: 'changed' } };
      const links = [...(touched.get(id) ?? new Map<string, { type: string; added: boolean }>()).entries()].map(
        ([memberId, l]) =>
          l.added
            ? { '@odata.type': l.type, id: memberId }
            : { '@odata.type': l.type, id: memberId, '@removed': { reason: 'deleted' } },
      );
      return { id, displayName: g.displayName, ...(links.length > 0 && { 'members@delta': links }) };
    });
  }

  function usersDelta(ctx: RouteContext): RouteResult {
    const token = ctx.query.get('$deltatoken');
    const sel = select(ctx);
    let items: unknown[];
    if (token === null) {
      items = [...users.values()].sort(byId).map((u) => userJson(u, sel));
    } else {
      const since = readToken(token);
      if (since === null) return expired();
      const touched = [
        ...new Set(log.filter((e) => e.v > since && e.kind === 'user').map((e) => (e.kind === 'user' ? e.userId : ''))),
      ];
      items = touched.sort().map((id) => {
        const u = users.get(id);
        return u ? userJson(u, sel) : { id, '@removed': { reason: 'changed' } };
      });
    }
    return openCursor(ctx, {
      items,
      offset: 0,
      pageSize: Math.min(GRAPH_PAGE.deltaObjects, options.pageCap ?? Infinity),
      deltaLink: deltaLinkFor(ctx, 'users'),
    });
  }

  /** `$select` is baked into Graph's delta links; the fake keeps it in the token. */
  function deltaLinkFor(ctx: RouteContext, resource: 'groups' | 'users'): string {
    const previous = ctx.query.get('$deltatoken');
    const sel = previous !== null ? decodeToken(previous)?.select : ctx.query.get('$select');
    const token = Buffer.from(JSON.stringify({ v: version, select: sel ?? null })).toString('base64url');
    return `${ctx.origin}/v1.0/${resource}/delta?$deltatoken=${token}`;
  }

  function readToken(token: string): number | null {
    const t = decodeToken(token);
    return t && t.v >= oldestValidVersion ? t.v : null;
  }

  function expired(): RouteResult {
    return expiredAs === 'resyncRequired'
      ? graphError(410, 'resyncRequired', 'Resync required. Replace any local state with the results of a full read.')
      : graphError(
          400,
          'syncStateNotFound',
          'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
        );
  }

  function openCursor(ctx: RouteContext, cursor: Cursor): RouteResult {
    const id = `c${++cursorSeq}x${Math.random().toString(36).slice(2, 10)}`;
    cursors.set(id, cursor);
    return servePage(ctx, id, cursor);
  }

  function continueCursor(ctx: RouteContext, id: string): RouteResult {
    const cursor = cursors.get(id);
    if (!cursor) return graphError(400, 'Request_BadRequest', 'Invalid $skiptoken');
    return servePage(ctx, id, cursor);
  }

  function servePage(ctx: RouteContext, id: string, cursor: Cursor): RouteResult {
    const value = cursor.items.slice(cursor.offset, cursor.offset + cursor.pageSize);
    cursor.offset += cursor.pageSize;
    const body: Record<string, unknown> = { '@odata.context': `${ctx.origin}/v1.0/$metadata#directoryObjects`, value };
    if (cursor.offset < cursor.items.length) {
      body['@odata.nextLink'] = `${ctx.origin}${ctx.path}?$skiptoken=${id}`;
    } else {
      cursors.delete(id);
      if (cursor.deltaLink) body['@odata.deltaLink'] = cursor.deltaLink;
    }
    return { status: 200, body };
  }

  const server = await startLoopbackServer({ tls: true, route, jsonType: JSON_TYPE });
  return extendServer(server, { baseUrl: server.origin, seed, ...mutators });
}

function decodeToken(token: string): { v: number; select: string | null } | null {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; select?: unknown };
    return typeof parsed.v === 'number'
      ? { v: parsed.v, select: typeof parsed.select === 'string' ? parsed.select : null }
      : null;
  } catch {
    return null;
  }
}

function select(ctx: RouteContext): string[] | null {
  const raw = ctx.query.get('$select');
  if (raw !== null) return raw.split(',').map((s) => s.trim());
  const token = ctx.query.get('$deltatoken');
  const baked = token !== null ? decodeToken(token)?.select : null;
  return baked ? baked.split(',').map((s) => s.trim()) : null;
}

function userJson(u: GraphFakeUser, sel: string[] | null): unknown {
  return pick(
    {
      id: u.id,
      displayName: u.displayName ?? null,
      mail: u.mail,
      userPrincipalName: u.userPrincipalName,
      accountEnabled: u.accountEnabled,
    },
    sel,
  );
}

function pick(obj: Record<string, unknown>, sel: string[] | null): unknown {
  if (!sel) return obj;
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k === 'id' || sel.includes(k)));
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function graphError(status: number, code: string, message: string): RouteResult {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString(), 'request-id': `req-${status}`, 'client-request-id': 'fake' },
      },
    },
  };
}

/** A Graph throttling answer as a fault: Retry-After 0 makes the SDK's RetryHandler retry at once. */
export function graphThrottleFault(status: 429 | 503 | 504 = 429): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  return {
    status,
    headers: { 'Retry-After': '0' },
    body: JSON.stringify({
      error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'throttled', innerError: {} },
    }),
  };
}
