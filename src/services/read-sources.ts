import { createHash } from 'node:crypto';
import type { DirectorySnapshot } from '../domain/identity.js';
import type { IdentitySource, SourceSnapshot } from '../ports/identity-source.js';
import { SourceReadError } from '../ports/identity-source.js';
import type { SourceReading } from '../planner/input.js';

export interface SourceReadReport {
  name: string;
  ok: boolean;
  users: number;
  groups: number;
  requests: number;
  ms: number;
  error?: string;
}

export interface SourcesSnapshot extends DirectorySnapshot {
  version: string;
  perSource: {
    name: string;
    users: number;
    groups: number;
    requests: number;
    ms: number;
    waitingForFirstPush: boolean;
  }[];
}

/**
 * Reads every source; any failure fails the whole read (never plan revocations from an incomplete read).
 * Sources are merged deterministically: ordered by source name, then id. Ids are namespaced by source so two
 * sources' ids never collide.
 */
export async function readAllSources(
  sources: IdentitySource[],
  options: { signal?: AbortSignal; report?: (reports: SourceReadReport[]) => Promise<void> | void } = {},
): Promise<SourcesSnapshot> {
  const ordered = [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const results = await Promise.allSettled(
    ordered.map(async (s) => {
      const started = performance.now();
      const snap = await s.read(options.signal ? { signal: options.signal } : {});
      return { source: s, snap, ms: performance.now() - started };
    }),
  );
  await options.report?.(
    results.map((r, i): SourceReadReport => {
      const name = ordered[i]!.name;
      if (r.status === 'rejected') {
        const error = r.reason instanceof Error ? r.reason.message : String(r.reason);
        return { name, ok: false, users: 0, groups: 0, requests: 0, ms: 0, error };
      }
      const { snap, ms } = r.value;
      return { name, ok: true, users: snap.users.length, groups: snap.groups.length, requests: snap.requests ?? 0, ms };
    }),
  );
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [{ name: ordered[i]!.name, err: r.reason }] : [],
  );
  if (failures.length) {
    const message = failures.map((f) => (f.err instanceof Error ? f.err.message : String(f.err))).join('; ');
    throw new SourceReadError(failures.map((f) => f.name).join(','), message, failures[0]?.err);
  }
  const merged: DirectorySnapshot = { users: [], groups: [] };
  const hash = createHash('sha256');
  const perSource: SourcesSnapshot['perSource'] = [];
  for (const r of results) {
    if (r.status !== 'fulfilled') continue;
    const { source, snap, ms } = r.value;
    const ns = (id: string) => (ordered.length > 1 ? `${source.name}:${id}` : id);
    const users = [...snap.users].sort(byId).map((u) => ({ ...u, id: ns(u.id), source: source.name }));
    const groups = [...snap.groups]
      .sort(byId)
      .map((g) => ({ ...g, id: ns(g.id), members: g.members.map(ns), source: source.name }));
    merged.users.push(...users);
    merged.groups.push(...groups);
    hash.update(`${source.name}:${snap.version ?? digest(snap)}\n`);
    perSource.push({
      name: source.name,
      users: users.length,
      groups: groups.length,
      requests: snap.requests ?? 0,
      ms,
      waitingForFirstPush: snap.waitingForFirstPush ?? false,
    });
  }
  return { ...merged, version: hash.digest('hex').slice(0, 16), perSource };
}

/**
 * What each source's read looked like beside its last good read, for the suspicious-read guard (DESIGN §10).
 * `lastGoodUsers` answers from the store: the users of the last read a run acted on, null when there was none.
 */
export function sourceReadings(
  snapshot: SourcesSnapshot,
  lastGoodUsers: (source: string) => number | null,
): SourceReading[] {
  return snapshot.perSource.map((s) => ({
    source: s.name,
    users: s.users,
    previousUsers: lastGoodUsers(s.name),
    waitingForFirstPush: s.waitingForFirstPush,
  }));
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function digest(snap: SourceSnapshot): string {
  const h = createHash('sha256');
  for (const u of snap.users) h.update(`${u.id}|${u.userName}|${u.email}|${u.active}\n`);
  for (const g of snap.groups) h.update(`${g.id}|${g.displayName}|${g.members.join(',')}\n`);
  return h.digest('hex').slice(0, 16);
}
