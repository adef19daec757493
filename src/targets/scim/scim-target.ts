import type { Logger } from 'pino';
import { compareEntitlements, normalizeUserKey } from '../../domain/entitlement.js';
import type { Teammate } from '../../domain/teammate.js';
import {
  type AccessTarget,
  type TargetCapabilities,
  TargetReadError,
  TargetWriteError,
  type UserChangeSet,
} from '../../ports/access-target.js';
import { createRoleCodec, type RoleEncoding } from '../role-encoding.js';
import { afterCall, PATCH_SCHEMA, planUserCall, UnencodableChangeError, type UserCall } from './apply.js';
import { createScimHttp, errorDetail, RetriesExhaustedError, type ScimHttpStats, type ScimResponse } from './http.js';
import { findUsersByUserName, readAllUsers } from './read.js';
import { MalformedUserError, readScimUser, type ReadUser, type RemoteUser } from './transform.js';

export interface ScimTargetOptions {
  /** the SCIM root, e.g. http://127.0.0.1:9100/scim/v2 */
  url: string;
  token: string;
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
  logger?: Logger;
  fetch?: typeof fetch;
  name?: string;
}

export interface ScimTarget extends AccessTarget {
  /** requests sent and retries so far (for benchmarks and health) */
  stats(): ScimHttpStats;
}

/** The user changed under us (deleted, created or changed by someone else): read it again and re-plan. */
class StaleStateError extends Error {}

const MAX_REPLANS = 2;

/**
 * Heap through its SCIM 2.0 endpoint (or the stand-in's). Reads are complete or throw TargetReadError; writes are
 * one call per user, idempotent, retried on 429/5xx/time-outs, and throw TargetWriteError once they give up.
 * What the last read saw of each user (id, roles) is kept so a write needs no read of its own.
 */
export function createScimTarget(options: ScimTargetOptions): ScimTarget {
  const codec = createRoleCodec(options.roleEncoding);
  const logger = options.logger;
  const http = createScimHttp({
    baseUrl: options.url,
    token: options.token,
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: options.retries ?? 4,
    retryBaseMs: options.retryBaseMs ?? 250,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
    fetch: options.fetch ?? globalThis.fetch,
    ...(logger && { logger }),
  });
  const pageSize = options.pageSize ?? 200;
  const concurrency = options.concurrency ?? 8;
  const known = new Map<string, RemoteUser>();
  /** after a full read, a user missing from `known` is known to be absent */
  let completeRead = false;
  let reportsFacts = false;
  const unknownRoles = new Set<string>();
  const onUnknownRole = (role: string) => {
    if (unknownRoles.has(role)) return;
    unknownRoles.add(role);
    logger?.warn({ role }, 'Heap user has a role value the role encoding does not map; it is ignored');
  };

  const toTeammates = (users: unknown[]): { read: ReadUser[]; teammates: Teammate[] } => {
    const read: ReadUser[] = [];
    try {
      for (const u of users) read.push(readScimUser(u, codec, onUnknownRole));
    } catch (err) {
      if (err instanceof MalformedUserError) throw new TargetReadError(`GET /Users: ${err.message}`, err);
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
      .map((r) => ({ ...r.teammate, access: sortAccess(r.teammate.access) }))
      .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    return { read: unique, teammates };
  };

  const lookup = async (userName: string, signal?: AbortSignal): Promise<RemoteUser | null> => {
    const found = await findUsersByUserName(http, userName, signal);
    const users = found.map((u) => readScimUser(u, codec, onUnknownRole));
    const exact = users.find((u) => normalizeUserKey(u.remote.userName) === normalizeUserKey(userName)) ?? users[0];
    return exact?.remote ?? null;
  };

  const send = async (call: UserCall, signal?: AbortSignal): Promise<{ res: ScimResponse; id: string } | null> => {
    const signalOpt = signal ? { signal } : {};
    switch (call.kind) {
      case 'none':
        return null;
      case 'create': {
        const res = await http.request('POST', '/Users', { body: call.body, ...signalOpt });
        const id = (res.body as { id?: unknown } | undefined)?.id;
        return { res, id: typeof id === 'string' ? id : '' };
      }
      case 'patch':
        return {
          res: await http.request('PATCH', `/Users/${encodeURIComponent(call.id)}`, {
            body: { schemas: [PATCH_SCHEMA], Operations: call.ops },
            ...signalOpt,
          }),
          id: call.id,
        };
      case 'delete':
        return { res: await http.request('DELETE', `/Users/${encodeURIComponent(call.id)}`, signalOpt), id: call.id };
    }
  };

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
      throw new StaleStateError(errorDetail(res));
    }
    const verb =
      call.kind === 'patch' || call.kind === 'delete' ? `${call.kind.toUpperCase()} /Users/${call.id}` : 'POST /Users';
    throw new TargetWriteError(`${user}: ${verb}: ${errorDetail(res)}`, status, false);
  };

  async function applyUserChanges(changes: UserChangeSet, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const key = normalizeUserKey(changes.user);
    const userName = changes.userName ?? changes.user;
    let current: RemoteUser | null | undefined = known.get(key) ?? (completeRead ? null : undefined);
    let lastStale = '';
    try {
      for (let replan = 0; replan <= MAX_REPLANS; replan++) {
        if (current === undefined) current = await lookup(userName, opts.signal);
        const call = planUserCall(changes, current, codec);
        const sent = await send(call, opts.signal);
        if (!sent) return;
        try {
          check(call, sent.res, changes.user);
        } catch (err) {
          if (!(err instanceof StaleStateError)) throw err;
          lastStale = err.message;
          logger?.debug({ user: key, call: call.kind, reason: err.message }, 'Heap user changed meanwhile; re-reading');
          current = undefined;
          continue;
        }
        const after = afterCall(changes, current, sent.id);
        if (after) known.set(key, after);
        else known.delete(key);
        return;
      }
    } catch (err) {
      known.delete(key);
      if (err instanceof TargetWriteError || opts.signal?.aborted) throw err;
      if (err instanceof RetriesExhaustedError)
        throw new TargetWriteError(`${changes.user}: ${err.message}`, err.status, true, err);
      if (err instanceof UnencodableChangeError) throw new TargetWriteError(err.message, undefined, false, err);
      throw new TargetWriteError(`${changes.user}: ${(err as Error).message}`, undefined, true, err);
    }
    known.delete(key);
    throw new TargetWriteError(`${changes.user}: Heap kept changing under the write (${lastStale})`, undefined, true);
  }

  return {
    name: options.name ?? `scim:${new URL(options.url).host}`,

    async readAll(opts = {}) {
      const users = await readAllUsers(http, pageSize, opts.signal);
      const { read, teammates } = toTeammates(users);
      known.clear();
      for (const r of read) known.set(normalizeUserKey(r.teammate.email), r.remote);
      completeRead = true;
      return teammates;
    },

    async readUsers(emails, opts = {}) {
      const wanted = [...new Set(emails.map(normalizeUserKey))];
      const found: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (next < wanted.length) {
          const email = wanted[next++] as string;
          found.push(...(await findUsersByUserName(http, email, opts.signal)));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
      const { read, teammates } = toTeammates(found);
      const wantedSet = new Set(wanted);
      const result = teammates.filter((t) => wantedSet.has(normalizeUserKey(t.email)));
      for (const r of read) known.set(normalizeUserKey(r.teammate.email), r.remote);
      for (const email of wanted) if (!result.some((t) => normalizeUserKey(t.email) === email)) known.delete(email);
      return result;
    },

    applyUserChanges,

    capabilities(): TargetCapabilities {
      return { assetOwnership: reportsFacts, lastActivity: reportsFacts };
    },

    stats: () => http.stats(),
  };
}

const sortAccess = (access: Teammate['access']): Teammate['access'] =>
  Object.fromEntries(Object.entries(access).sort(([a], [b]) => compareEntitlements(a, b)));
