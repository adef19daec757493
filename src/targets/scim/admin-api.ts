import { normalizeUserKey } from '../../domain/entitlement.js';
import { type ActivityQuery, type ActivityRecord, type HeapTeam, TargetReadError } from '../../ports/access-target.js';
import { describe } from './http.js';

export interface AdminApiOptions {
  /** e.g. http://127.0.0.1:9100/api (the stand-in's Heap UI) */
  url: string;
  token: string;
  tokenEnv: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

const PAGE = 1000;
/** past this many users a query reads everything since `since` and keeps theirs, rather than a URL per user */
const MAX_USERS_IN_QUERY = 50;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toActivity(raw: unknown): (ActivityRecord & { seq: number }) | null {
  if (!isRecord(raw) || typeof raw.seq !== 'number') return null;
  const user = text(raw.teammate);
  const entitlement = text(raw.entitlement);
  const at = text(raw.at);
  if (!user || !entitlement || !at) return null;
  return {
    seq: raw.seq,
    user,
    entitlement,
    from: text(raw.from),
    to: text(raw.to),
    actor: text(raw.actor) ?? 'unknown',
    via: raw.via === 'scim' ? 'scim' : 'ui',
    ...(text(raw.runId) && { runId: text(raw.runId) as string }),
    at,
  };
}

function toTeam(raw: unknown): HeapTeam | null {
  if (!isRecord(raw) || typeof raw.name !== 'string') return null;
  const projects: Record<string, string> = {};
  if (isRecord(raw.projects)) {
    for (const [key, role] of Object.entries(raw.projects)) if (typeof role === 'string') projects[key] = role;
  }
  const members = Array.isArray(raw.members) ? raw.members.filter((m): m is string => typeof m === 'string') : [];
  return { name: raw.name, projects, members };
}

/**
 * Heap's admin API where it has one (the stand-in's `/api`, which plays Heap's UI): the activity log (who changed
 * what, when) and the projects each Team gives. Real Heap documents neither, so its targets have none of this.
 */
export function createAdminApi(options: AdminApiOptions) {
  const base = options.url.replace(/\/+$/, '');
  const origin = `Heap admin API at ${base}`;

  async function getJson(path: string, params: [string, string][], signal?: AbortSignal): Promise<unknown> {
    const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let res: Response;
    try {
      res = await options.fetch(`${base}${path}${query ? `?${query}` : ''}`, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new TargetReadError(`${origin}: GET ${path}: ${describe(err, options.timeoutMs) ?? 'failed'}`, err);
    }
    const body = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ` (check ${options.tokenEnv})` : '';
      throw new TargetReadError(`${origin}: GET ${path}: HTTP ${res.status}${hint}`);
    }
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new TargetReadError(`${origin}: GET ${path}: the answer is not JSON`);
    }
  }

  return {
    /** every change matching the query, oldest first, page by page */
    async readActivity(query: ActivityQuery, signal?: AbortSignal): Promise<ActivityRecord[]> {
      const wanted = query.users && new Set(query.users.map(normalizeUserKey));
      if (wanted && wanted.size === 0) return [];
      const byUser = wanted && wanted.size <= MAX_USERS_IN_QUERY ? [...wanted] : [];
      const out: ActivityRecord[] = [];
      let after = 0;
      for (;;) {
        const params: [string, string][] = [
          ['order', 'asc'],
          ['limit', String(PAGE)],
          ['after', String(after)],
          ...(query.since !== undefined ? ([['since', query.since]] as [string, string][]) : []),
          ...byUser.map((u): [string, string] => ['teammate', u]),
        ];
        const body = await getJson('/activity', params, signal);
        const raw = isRecord(body) && Array.isArray(body.activity) ? body.activity : null;
        if (!raw) throw new TargetReadError(`${origin}: GET /activity: the answer has no "activity" list`);
        for (const entry of raw) {
          const record = toActivity(entry);
          if (!record) throw new TargetReadError(`${origin}: GET /activity: a malformed entry`);
          after = Math.max(after, record.seq);
          if (wanted && !wanted.has(normalizeUserKey(record.user))) continue;
          const { seq: _seq, ...rest } = record;
          out.push(rest);
        }
        if (raw.length < PAGE) return out;
      }
    },

    async readTeams(signal?: AbortSignal): Promise<HeapTeam[]> {
      const body = await getJson('/teams', [], signal);
      const raw = isRecord(body) && Array.isArray(body.teams) ? body.teams : null;
      if (!raw) throw new TargetReadError(`${origin}: GET /teams: the answer has no "teams" list`);
      return raw.map((t) => {
        const team = toTeam(t);
        if (!team) throw new TargetReadError(`${origin}: GET /teams: a malformed Team`);
        return team;
      });
    },
  };
}
