import crypto from 'node:crypto';
import type { LoopbackServer, RouteContext, RouteResult } from './loopback-server.js';
import { extendServer, startLoopbackServer } from './loopback-server.js';

export type OktaUserStatus =
  'STAGED' | 'PROVISIONED' | 'ACTIVE' | 'RECOVERY' | 'PASSWORD_EXPIRED' | 'LOCKED_OUT' | 'SUSPENDED' | 'DEPROVISIONED';

export interface OktaFakeUser {
  id: string;
  status: OktaUserStatus;
  login: string;
  email: string | null;
  firstName?: string;
  lastName?: string;
}

export interface OktaFakeGroup {
  id: string;
  name: string;
  type?: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  /** user ids */
  members: string[];
}

/** Okta's documented maximum `limit` per endpoint (developer.okta.com; see src/sources/okta/page-sizes.ts). */
export const OKTA_MAX_LIMIT = { groups: 10_000, groupUsers: 1000, users: 200 } as const;

export interface OktaFakeOptions {
  users?: OktaFakeUser[];
  groups?: OktaFakeGroup[];
  /** API token accepted as `SSWS <token>`; default 'okta-test-token' */
  token?: string;
  /** OAuth 2.0 client credentials with private_key_jwt at /oauth2/v1/token */
  oauth?: { clientId: string; publicKeyPem: string; accessToken?: string };
  /**
   * Okta's per-endpoint budget, reported in X-Rate-Limit-* on every API answer. With `enforce`, a request
   * over budget gets 429 (E0000047) and counts in `rateLimited`. Windows are aligned to multiples of windowMs.
   */
  rateLimit?: { limit: number; windowMs: number; enforce: boolean };
  /** serve at most this many items per page whatever `limit` asks (Okta may return fewer): many pages from little data */
  pageCap?: number;
}

export interface OktaFake extends LoopbackServer {
  /** http://127.0.0.1:PORT, the orgUrl for the SDK */
  readonly orgUrl: string;
  readonly token: string;
  /** 429 answers caused by the enforced budget (not injected faults) */
  readonly rateLimited: number;
  /** OAuth token requests answered */
  readonly tokenRequests: number;
  seed(directory: { users: OktaFakeUser[]; groups: OktaFakeGroup[] }): void;
  setRateLimit(rateLimit: OktaFakeOptions['rateLimit']): void;
}

/** An Okta org on http://127.0.0.1 speaking the management API wire format the Okta SDK 8 expects. */
export async function startOktaFake(options: OktaFakeOptions = {}): Promise<OktaFake> {
  let users = new Map<string, OktaFakeUser>();
  let groups = new Map<string, OktaFakeGroup>();
  const token = options.token ?? 'okta-test-token';
  const oauthToken = options.oauth?.accessToken ?? 'okta-oauth-at-1';
  let rateLimit = options.rateLimit;
  let rateLimited = 0;
  let tokenRequests = 0;
  const windows = new Map<string, { start: number; used: number }>();

  function seed(directory: { users: OktaFakeUser[]; groups: OktaFakeGroup[] }): void {
    users = new Map(directory.users.map((u) => [u.id, { ...u }]));
    groups = new Map(directory.groups.map((g) => [g.id, { ...g, members: [...g.members] }]));
  }
  seed({ users: options.users ?? [], groups: options.groups ?? [] });

  function route(ctx: RouteContext): RouteResult {
    if (ctx.method === 'POST' && ctx.path === '/oauth2/v1/token') return issueToken(ctx);
    if (!ctx.path.startsWith('/api/v1/'))
      return oktaError(404, 'E0000022', 'The endpoint does not support the provided HTTP method');
    if (!authorized(ctx.headers.authorization)) return oktaError(401, 'E0000011', 'Invalid token provided');
    const budget = spendBudget(ctx.path);
    if (budget.exceeded) {
      rateLimited += 1;
      return {
        ...oktaError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
        headers: budget.headers,
      };
    }
    const result = routeApi(ctx);
    return { ...result, headers: { ...budget.headers, ...result.headers } };
  }

  function routeApi(ctx: RouteContext): RouteResult {
    if (ctx.method !== 'GET') return oktaError(405, 'E0000022', 'method not supported by the fake');
    const segments = ctx.path.split('/').filter(Boolean); // api v1 groups {id} users
    if (segments[2] === 'groups' && segments.length === 3) return listGroups(ctx);
    if (segments[2] === 'groups' && segments.length === 4) {
      const g = groups.get(decodeURIComponent(segments[3] ?? ''));
      return g ? { status: 200, body: groupJson(g) } : notFound();
    }
    if (segments[2] === 'groups' && segments.length === 5 && segments[4] === 'users') {
      const g = groups.get(decodeURIComponent(segments[3] ?? ''));
      if (!g) return notFound();
      const members = [...new Set(g.members)].flatMap((id) => {
        const u = users.get(id);
        return u ? [u] : [];
      });
      return page(ctx, members, OKTA_MAX_LIMIT.groupUsers, userJson);
    }
    if (segments[2] === 'users' && segments.length === 3)
      return page(ctx, [...users.values()], OKTA_MAX_LIMIT.users, userJson);
    return notFound();
  }

  function listGroups(ctx: RouteContext): RouteResult {
    const search = ctx.query.get('search');
    let matches: (g: OktaFakeGroup) => boolean = () => true;
    if (search !== null) {
      const parsed = parseSearch(search);
      if (!parsed) return oktaError(400, 'E0000031', `Invalid search criteria: ${search}`);
      matches = parsed;
    }
    if (ctx.query.has('q')) return oktaError(400, 'E0000031', 'the fake supports `search`, not `q` (q cannot page)');
    return page(ctx, [...groups.values()].filter(matches), OKTA_MAX_LIMIT.groups, groupJson);
  }

  /** Cursor paging as Okta does it: sorted by id, `after` is the last id, absolute Link headers. */
  function page<T extends { id: string }>(
    ctx: RouteContext,
    all: T[],
    max: number,
    toJson: (t: T) => unknown,
  ): RouteResult {
    const requested = Number(ctx.query.get('limit') ?? max);
    if (!Number.isInteger(requested) || requested < 1)
      return oktaError(400, 'E0000001', 'limit must be a positive integer');
    const limit = Math.min(requested, max, options.pageCap ?? max);
    const after = ctx.query.get('after');
    const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const rest = after === null ? sorted : sorted.filter((t) => t.id > after);
    const items = rest.slice(0, limit);
    const links = [`<${ctx.origin}${ctx.path}?${ctx.rawQuery}>; rel="self"`];
    const last = items.at(-1);
    if (rest.length > limit && last) {
      const next = new URLSearchParams(ctx.query);
      next.set('after', last.id);
      next.set('limit', String(limit));
      links.push(`<${ctx.origin}${ctx.path}?${next.toString()}>; rel="next"`);
    }
    return { status: 200, headers: { Link: links }, body: items.map(toJson) };
  }

  function authorized(header: string | undefined): boolean {
    if (header === `SSWS ${token}`) return true;
    return options.oauth !== undefined && header === `Bearer ${oauthToken}`;
  }

  function spendBudget(path: string): { exceeded: boolean; headers: Record<string, string> } {
    const limit = rateLimit?.limit ?? 100_000;
    const windowMs = rateLimit?.windowMs ?? 60_000;
    const now = Date.now();
    const start = Math.floor(now / windowMs) * windowMs;
    const key = bucketOf(path);
    let w = windows.get(key);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      windows.set(key, w);
    }
    const exceeded = rateLimit?.enforce === true && w.used >= limit;
    if (!exceeded) w.used += 1;
    return {
      exceeded,
      headers: {
        'X-Rate-Limit-Limit': String(limit),
        'X-Rate-Limit-Remaining': String(Math.max(0, limit - w.used)),
        'X-Rate-Limit-Reset': String(Math.ceil((start + windowMs) / 1000)),
      },
    };
  }

  function issueToken(ctx: RouteContext): RouteResult {
    tokenRequests += 1;
    const form = new URLSearchParams(ctx.body);
    if (!options.oauth)
      return { status: 400, body: { error: 'invalid_client', error_description: 'OAuth is not configured' } };
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    const problem = checkAssertion(form.get('client_assertion') ?? '', options.oauth, `${ctx.origin}/oauth2/v1/token`);
    if (problem) return { status: 401, body: { error: 'invalid_client', error_description: problem } };
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: 3600, access_token: oauthToken, scope: form.get('scope') ?? '' },
    };
  }

  const server = await startLoopbackServer({ tls: false, route });
  return extendServer(server, {
    orgUrl: server.origin,
    token,
    get rateLimited() {
      return rateLimited;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    seed,
    setRateLimit: (next: OktaFakeOptions['rateLimit']) => {
      rateLimit = next;
      windows.clear();
    },
  });
}

/** Okta budgets per endpoint; ids are replaced so every group's member list shares one bucket. */
function bucketOf(path: string): string {
  return path
    .split('/')
    .map((s, i) => (i >= 4 && i % 2 === 0 ? '*' : s))
    .join('/');
}

/** The subset of Okta's search grammar the source sends: `profile.name sw|eq "x"`, `id eq "x"`, joined by `or`. */
function parseSearch(expression: string): ((g: OktaFakeGroup) => boolean) | null {
  const term = /^\s*(profile\.name|id)\s+(sw|eq)\s+"((?:[^"\\]|\\.)*)"\s*/i;
  const tests: ((g: OktaFakeGroup) => boolean)[] = [];
  let rest = expression;
  for (;;) {
    const m = term.exec(rest);
    if (!m) return null;
    const [whole, attr = '', op = '', raw = ''] = m;
    const value = raw.replace(/\\(.)/g, '$1').toLowerCase();
    const pick = (g: OktaFakeGroup) => (attr.toLowerCase() === 'id' ? g.id : g.name).toLowerCase();
    tests.push(op.toLowerCase() === 'sw' ? (g) => pick(g).startsWith(value) : (g) => pick(g) === value);
    rest = rest.slice(whole.length);
    if (rest === '') break;
    const or = /^or\s+/i.exec(rest);
    if (!or) return null;
    rest = rest.slice(or[0].length);
  }
  return (g) => tests.some((t) => t(g));
}

function checkAssertion(
  jwt: string,
  oauth: { clientId: string; publicKeyPem: string },
  audience: string,
): string | null {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return 'client_assertion is not a JWT';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (claims.iss !== oauth.clientId || claims.sub !== oauth.clientId) return 'iss/sub must be the client id';
  if (claims.aud !== audience) return `aud must be ${audience}`;
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), oauth.publicKeyPem, Buffer.from(s, 'base64url'));
  return ok ? null : 'client_assertion signature does not verify';
}

const STAMP = '2024-01-01T00:00:00.000Z';

function groupJson(g: OktaFakeGroup): unknown {
  // no _links.self: the SDK's default cache would otherwise keep single-resource GETs forever
  return {
    id: g.id,
    created: STAMP,
    lastUpdated: STAMP,
    lastMembershipUpdated: STAMP,
    objectClass: ['okta:user_group'],
    type: g.type ?? 'OKTA_GROUP',
    profile: { name: g.name, description: null },
    _links: {},
  };
}

function userJson(u: OktaFakeUser): unknown {
  return {
    id: u.id,
    status: u.status,
    created: STAMP,
    activated: STAMP,
    statusChanged: STAMP,
    lastLogin: null,
    lastUpdated: STAMP,
    passwordChanged: null,
    type: { id: 'oty1' },
    profile: { login: u.login, email: u.email, firstName: u.firstName ?? null, lastName: u.lastName ?? null },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: {},
  };
}

function oktaError(status: number, code: string, summary: string): RouteResult {
  return {
    status,
    body: { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${status}`, errorCauses: [] },
  };
}

function notFound(): RouteResult {
  return oktaError(404, 'E0000007', 'Not found: Resource not found');
}

/** An Okta 429 as a fault: Reset 0 makes the SDK retry at once. */
export function oktaRateLimitFault(): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: 429,
    headers: { 'X-Rate-Limit-Limit': '600', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': '0' },
    body: JSON.stringify({
      errorCode: 'E0000047',
      errorSummary: 'API call exceeded rate limit due to too many requests.',
    }),
  };
}
