import type { Logger } from 'pino';
import { compareEntitlements, entitlementKind, normalizeUserKey, TEAM_MEMBER } from '../../domain/entitlement.js';
import type { Teammate } from '../../domain/teammate.js';
import {
  type AccessTarget,
  type ApplyOptions,
  type TargetCapabilities,
  TargetReadError,
  TargetWriteError,
  type UserChangeSet,
} from '../../ports/access-target.js';
import { createRoleCodec, type RoleCodec, type RoleEncoding } from '../role-encoding.js';
import { createAdminApi } from './admin-api.js';
import { afterCall, PATCH_SCHEMA, planUserCall, UnencodableChangeError, type UserCall } from './apply.js';
import {
  CallAbortedError,
  createScimHttp,
  RetriesExhaustedError,
  type ScimHttpStats,
  type ScimResponse,
} from './http.js';
import { profileCapabilities, type ScimProfile, standInAdminApiOf } from './profile.js';
import { findUsersByExternalId, findUsersByUserName, readAllGroups, readAllUsers } from './read.js';
import { teamCallsOf, TeamWriteError, writeTeamMembership, type TeamWrites } from './teams.js';
import { MalformedUserError, readScimUser, type ReadUser, type RemoteUser } from './transform.js';
import { createWriteBudget, type WriteBudgetState } from './write-budget.js';

export interface ScimTargetOptions {
  /** the SCIM root, e.g. http://127.0.0.1:9100/scim/v2 */
  url: string;
  token: string;
  /** the variable the token came from, named in errors when Heap refuses it (default HEAP_SCIM_TOKEN) */
  tokenEnv?: string;
  /** what the endpoint carries (default `full`, the role-carrying encoding) */
  profile?: ScimProfile;
  roleEncoding: RoleEncoding;
  /** a call that has not answered after this long is aborted and retried */
  timeoutMs?: number;
  /** retries after the first attempt, for 429, 5xx, time-outs and dropped connections */
  retries?: number;
  pageSize?: number;
  /** parallel lookups in readUsers */
  concurrency?: number;
  /** first backoff step (doubled per retry, with jitter); tests make it small */
  retryBaseMs?: number;
  /** cap of one wait between retries, Retry-After included */
  maxRetryDelayMs?: number;
  /** writes per second to Heap (token bucket, slowed down by 429s); unset: unpaced */
  writesPerSecond?: number;
  /**
   * Heap's admin API (activity log, Team bindings): the stand-in's `/api`. Unset: beside `/scim/v2` for the
   * `full` profile (the stand-in), none for `heap-documented` (real Heap has none); null: none.
   */
  adminApiUrl?: string | null;
  logger?: Logger;
  fetch?: typeof fetch;
  name?: string;
}

export interface ScimTarget extends AccessTarget {
  readonly requestTimeoutMs: number;
  /** requests sent and retries so far (for benchmarks and health) */
  stats(): ScimHttpStats;
  /** the write pacing now (rate after 429s, pauses); null when unpaced */
  writeBudget(): WriteBudgetState | null;
}

/** The user changed under us (deleted, created or changed by someone else): read it again and re-plan. */
class StaleStateError extends Error {}

const MAX_REPLANS = 2;

const rank = (t: Teammate) => t.email;
const sortAccess = (access: Teammate['access']): Teammate['access'] =>
  Object.fromEntries(Object.entries(access).sort(([a], [b]) => compareEntitlements(a, b)));

/**
 * Heap through its SCIM 2.0 endpoint (or the stand-in's). Reads are complete or throw TargetReadError; writes are
 * one call per user (and one per Team joined or left), idempotent, paced, retried on 429/5xx/time-outs, and throw
 * TargetWriteError once they give up, `ambiguous` when Heap may hold the change anyway. What the last read saw of
 * each user (id, roles) is kept so a write needs no read of its own.
 */
export function createScimTarget(options: ScimTargetOptions): ScimTarget {
  const profile = options.profile ?? 'full';
  const kinds = profileCapabilities(profile);
  const codec: RoleCodec | null = profile === 'full' ? createRoleCodec(options.roleEncoding) : null;
  const logger = options.logger;
  const tokenEnv = options.tokenEnv ?? 'HEAP_SCIM_TOKEN';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const budget =
    options.writesPerSecond !== undefined ? createWriteBudget({ perSecond: options.writesPerSecond }) : undefined;
  const http = createScimHttp({
    baseUrl: options.url,
    token: options.token,
    tokenEnv,
    timeoutMs,
    retries: options.retries ?? 4,
    retryBaseMs: options.retryBaseMs ?? 250,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
    fetch: fetchImpl,
    ...(budget && { budget }),
    ...(logger && { logger }),
  });
  const adminUrl =
    options.adminApiUrl === undefined
      ? profile === 'full'
        ? standInAdminApiOf(options.url)
        : null
      : options.adminApiUrl;
  const admin = adminUrl
    ? createAdminApi({ url: adminUrl, token: options.token, tokenEnv, timeoutMs, fetch: fetchImpl })
    : null;
  const pageSize = options.pageSize ?? 200;
  const concurrency = options.concurrency ?? 8;
  const known = new Map<string, RemoteUser>();
  const teams: TeamWrites = { ids: new Map() };
  /** after a full read, a user missing from `known` is known to be absent */
  let completeRead = false;
  let reportsFacts = false;
  const unknownRoles = new Set<string>();
  const onUnknownRole = (role: string) => {
    if (unknownRoles.has(role)) return;
    unknownRoles.add(role);
    logger?.warn({ role }, 'Heap user has a role value the role encoding does not map; it is ignored');
  };

  /** Team memberships by user id, from every Group; remembers each Team's Group id for writes. */
  const readTeamsOfUsers = async (signal?: AbortSignal): Promise<Map<string, string[]>> => {
    const groups = await readAllGroups(http, pageSize, signal);
    const byUser = new Map<string, string[]>();
    teams.ids.clear();
    for (const g of groups) {
      const group = g as { id?: unknown; displayName?: unknown; members?: unknown };
      if (typeof group.displayName !== 'string' || !group.displayName) {
        throw new TargetReadError(`${http.origin}: GET /Groups: a Group without a displayName`);
      }
      teams.ids.set(group.displayName.toLowerCase(), String(group.id));
      for (const m of Array.isArray(group.members) ? group.members : []) {
        const value = (m as { value?: unknown } | null)?.value;
        if (typeof value !== 'string') continue;
        const list = byUser.get(value) ?? [];
        list.push(group.displayName);
        byUser.set(value, list);
      }
    }
    return byUser;
  };

  const toTeammates = (
    users: unknown[],
    teamsOf: Map<string, string[]>,
  ): { read: ReadUser[]; teammates: Teammate[] } => {
    const read: ReadUser[] = [];
    try {
      for (const u of users) read.push(readScimUser(u, codec, onUnknownRole));
    } catch (err) {
      if (err instanceof MalformedUserError)
        throw new TargetReadError(`${http.origin}: GET /Users: ${err.message}`, err);
      throw err;
    }
    const byEmail = new Map<string, ReadUser>();
    for (const r of read) {
      const key = normalizeUserKey(r.teammate.email);
      if (byEmail.has(key)) {
        logger?.warn({ user: key }, 'two Heap users share one e-mail; the first is used');
        continue;
      }
      byEmail.set(key, r);
    }
    const unique = [...byEmail.values()];
    if (unique.some((r) => r.reportsFacts)) reportsFacts = true;
    const teammates = unique
      .map((r) => {
        const access = { ...r.teammate.access };
        for (const team of teamsOf.get(r.remote.id) ?? []) access[`team:${team}`] = TEAM_MEMBER;
        return { ...r.teammate, access: sortAccess(access) };
      })
      .sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
    return { read: unique, teammates };
  };

  const lookup = async (
    find: (signal?: AbortSignal) => Promise<unknown[]>,
    matches: (u: RemoteUser) => boolean,
    signal?: AbortSignal,
  ): Promise<RemoteUser | null> => {
    const users = (await find(signal)).map((u) => readScimUser(u, codec, onUnknownRole).remote);
    return users.find(matches) ?? users[0] ?? null;
  };
  const lookupByName = (userName: string, signal?: AbortSignal) =>
    lookup(
      (s) => findUsersByUserName(http, userName, s),
      (u) => normalizeUserKey(u.userName) === normalizeUserKey(userName),
      signal,
    );

  /**
   * Where the user is in Heap now: under the old key of a rename, the new one, or (a rename) the IdP's id.
   * `fresh`: ask Heap, whatever the last read said (the user changed under a write).
   */
  const locate = async (changes: UserChangeSet, fresh: boolean, signal?: AbortSignal): Promise<RemoteUser | null> => {
    const userName = changes.userName ?? changes.user;
    const from = changes.rename ? [changes.rename.from] : [];
    if (!fresh) {
      for (const k of [...from, changes.user]) {
        const cached = known.get(normalizeUserKey(k));
        if (cached) return cached;
      }
      if (completeRead && !changes.rename) return null;
    }
    for (const k of [...from, userName]) {
      const found = await lookupByName(k, signal);
      if (found) return found;
    }
    if (changes.rename && changes.externalId !== undefined) {
      const id = changes.externalId;
      return lookup(
        (s) => findUsersByExternalId(http, id, s),
        (u) => u.externalId === id,
        signal,
      );
    }
    return null;
  };

  const send = async (call: UserCall, opts: ApplyOptions): Promise<{ res: ScimResponse; id: string } | null> => {
    const req = { ...(opts.signal && { signal: opts.signal }), ...(opts.runId !== undefined && { runId: opts.runId }) };
    switch (call.kind) {
      case 'none':
        return null;
      case 'create': {
        const res = await http.request('POST', '/Users', { body: call.body, ...req });
        const id = (res.body as { id?: unknown } | undefined)?.id;
        return { res, id: typeof id === 'string' ? id : '' };
      }
      case 'patch':
        return {
          res: await http.request('PATCH', `/Users/${encodeURIComponent(call.id)}`, {
            body: { schemas: [PATCH_SCHEMA], Operations: call.ops },
            ...req,
          }),
          id: call.id,
        };
      case 'delete':
        return { res: await http.request('DELETE', `/Users/${encodeURIComponent(call.id)}`, req), id: call.id };
    }
  };

  const where = (user: string) => `${http.origin}: ${user}`;

  /** Interprets the answer: done, stale (re-read and re-plan), or a failure that retrying will not fix. */
  const check = (call: UserCall, res: ScimResponse, user: string): void => {
    const { status } = res;
    if (status >= 200 && status < 300) {
      if (call.kind === 'create' && !(res.body as { id?: unknown } | undefined)?.id) {
        throw new StaleStateError('created, but the answer has no id');
      }
      return;
    }
    const scimType = (res.body as { scimType?: unknown } | undefined)?.scimType;
    if (call.kind === 'delete' && status === 404) return;
    if (
      (call.kind === 'create' && status === 409) ||
      (call.kind === 'patch' && (status === 404 || scimType === 'noTarget'))
    ) {
      throw new StaleStateError(http.explain(res));
    }
    const verb =
      call.kind === 'patch' || call.kind === 'delete' ? `${call.kind.toUpperCase()} /Users/${call.id}` : 'POST /Users';
    throw new TargetWriteError(
      `${where(user)}: ${verb}: ${http.explain(res)}`,
      status,
      false,
      undefined,
      res.uncertain,
    );
  };

  /** What this profile cannot write, or a Team value that is not one: refused before anything is sent. */
  const refuseUnwritable = (changes: UserChangeSet): void => {
    const problems: string[] = [];
    const removing = changes.set.membership === null;
    for (const [key, value] of Object.entries(changes.set)) {
      const kind = entitlementKind(key);
      if (!kind) problems.push(`"${key}" is not an entitlement`);
      else if (!kinds[kind].write && !(removing && value === null)) {
        problems.push(`${key}: the ${profile} profile cannot write ${kind} entitlements (change it in Heap's UI)`);
      } else if (kind === 'team' && value !== null && value !== TEAM_MEMBER) {
        problems.push(`${key}: a Team entitlement is "${TEAM_MEMBER}" or null, not "${value}"`);
      }
    }
    if (problems.length) throw new UnencodableChangeError(problems.join('; '));
  };

  async function applyUserChanges(changes: UserChangeSet, opts: ApplyOptions = {}): Promise<void> {
    const key = normalizeUserKey(changes.user);
    const oldKey = changes.rename ? normalizeUserKey(changes.rename.from) : null;
    // for `ambiguous`: a call of this set went through, or may have
    let applied = false;
    let uncertain = false;
    const forget = () => {
      known.delete(key);
      if (oldKey) known.delete(oldKey);
    };
    try {
      refuseUnwritable(changes);
      let current: RemoteUser | null | undefined;
      let lastStale = '';
      let userId: string | null = null;
      for (let replan = 0; ; replan++) {
        if (replan > MAX_REPLANS) {
          forget();
          throw new TargetWriteError(
            `${where(changes.user)}: Heap kept changing under the write (${lastStale})`,
            undefined,
            true,
            undefined,
            applied || uncertain,
          );
        }
        if (current === undefined) current = await locate(changes, replan > 0, opts.signal);
        const call = planUserCall(changes, current, codec);
        const sent = await send(call, opts);
        if (!sent) {
          userId = current?.id ?? null;
          break;
        }
        uncertain ||= sent.res.uncertain;
        try {
          check(call, sent.res, changes.user);
        } catch (err) {
          if (!(err instanceof StaleStateError)) throw err;
          lastStale = err.message;
          logger?.debug({ user: key, call: call.kind, reason: err.message }, 'Heap user changed meanwhile; re-reading');
          forget();
          current = undefined;
          continue;
        }
        applied = true;
        const after = afterCall(changes, current, sent.id);
        if (oldKey && oldKey !== key) known.delete(oldKey);
        if (after) known.set(key, after);
        else known.delete(key);
        userId = after ? sent.id : null;
        break;
      }
      const teamCalls = changes.set.membership === null ? [] : teamCallsOf(changes.set);
      if (teamCalls.length && !userId) {
        if (teamCalls.some((c) => c.member)) {
          throw new UnencodableChangeError(`${changes.user} is not in Heap; creating them needs membership "active"`);
        }
        return;
      }
      for (const call of teamCalls) {
        await writeTeamMembership(http, teams, userId as string, call, opts);
        applied = true;
      }
    } catch (err) {
      forget();
      if (err instanceof TargetWriteError) throw err;
      const ambiguous = applied || uncertain;
      if (err instanceof CallAbortedError) {
        throw new TargetWriteError(
          `${where(changes.user)}: the write was aborted${err.sent ? ' while a request was in flight' : ''}`,
          undefined,
          false,
          err,
          ambiguous || err.sent,
        );
      }
      if (err instanceof RetriesExhaustedError) {
        throw new TargetWriteError(
          `${where(changes.user)}: ${err.message}`,
          err.status,
          true,
          err,
          ambiguous || err.uncertain,
        );
      }
      if (err instanceof UnencodableChangeError)
        throw new TargetWriteError(`${where(changes.user)}: ${err.message}`, undefined, false, err, ambiguous);
      if (err instanceof TeamWriteError) {
        throw new TargetWriteError(
          `${where(changes.user)}: ${err.message}`,
          err.res.status,
          false,
          err,
          ambiguous || err.res.uncertain,
        );
      }
      if (err instanceof TargetReadError)
        throw new TargetWriteError(`${where(changes.user)}: ${err.message}`, undefined, true, err, ambiguous);
      throw new TargetWriteError(`${where(changes.user)}: ${(err as Error).message}`, undefined, true, err, ambiguous);
    }
  }

  const readAll = async (opts: { signal?: AbortSignal } = {}): Promise<Teammate[]> => {
    const users = await readAllUsers(http, pageSize, opts.signal);
    const teamsOf = await readTeamsOfUsers(opts.signal);
    const { read, teammates } = toTeammates(users, teamsOf);
    known.clear();
    for (const r of read) known.set(normalizeUserKey(r.teammate.email), r.remote);
    completeRead = true;
    return teammates;
  };

  return {
    name: options.name ?? `scim:${new URL(options.url).host}`,
    requestTimeoutMs: timeoutMs,

    readAll,

    async readUsers(emails, opts = {}) {
      const wanted = [...new Set(emails.map(normalizeUserKey))];
      // One filtered request per user, or the pages of a full read when those are fewer (a first sync touches
      // everyone: 10,000 requests where 51 pages would do). The organisation's size is known after a full read.
      if (completeRead && wanted.length > Math.ceil(known.size / pageSize)) {
        const wantedSet = new Set(wanted);
        return (await readAll(opts)).filter((t) => wantedSet.has(normalizeUserKey(t.email)));
      }
      const found: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (next < wanted.length) {
          const email = wanted[next++] as string;
          found.push(...(await findUsersByUserName(http, email, opts.signal)));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
      const teamsOf = found.length ? await readTeamsOfUsers(opts.signal) : new Map<string, string[]>();
      const { read, teammates } = toTeammates(found, teamsOf);
      const wantedSet = new Set(wanted);
      const result = teammates.filter((t) => wantedSet.has(normalizeUserKey(t.email)));
      for (const r of read) known.set(normalizeUserKey(r.teammate.email), r.remote);
      const returned = new Set(result.map((t) => normalizeUserKey(t.email)));
      for (const email of wanted) if (!returned.has(email)) known.delete(email);
      return result;
    },

    applyUserChanges,

    capabilities(): TargetCapabilities {
      return {
        assetOwnership: reportsFacts,
        lastActivity: reportsFacts,
        entitlements: kinds,
        activityLog: admin !== null,
        teamBindings: admin !== null,
        identities: true,
      };
    },

    ...(admin && {
      readActivity: (query, opts = {}) => admin.readActivity(query, opts.signal),
      readTeams: (opts = {}) => admin.readTeams(opts.signal),
    }),

    stats: () => http.stats(),
    writeBudget: () => budget?.state() ?? null,
  } satisfies ScimTarget;
}
