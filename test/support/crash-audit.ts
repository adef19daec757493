import Database from 'better-sqlite3';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { WriteAttempt } from '../../src/stand-in/traffic.js';

/** A value change in Heap's activity log, as the stand-in's `GET /api/activity` returns it. */
export interface ActivityWrite {
  seq: number;
  via: string;
  teammate: string;
  entitlement: string;
  from: string | null;
  to: string | null;
  runId?: string;
}

/**
 * What a crash test checks after its runs, from three independent records: the write attempts Heap received,
 * the changes Heap made (its activity log) and the sync's journal. Each list names what went wrong; all empty is
 * the contract (DESIGN §10): every attempt is journaled, nothing is written twice, no write lands late.
 */
export interface CrashAudit {
  attempts: number;
  /** write attempts that carried no run id, or whose run has no journal record (or only a pending one) */
  unaccounted: string[];
  /** Heap changes whose run does not journal them applied */
  unjournaled: string[];
  /** a request Heap applied that changed nothing (Heap had it already), or one applied more than once */
  doubleWrites: string[];
  /** a run's change landing after a later run's change: a write from a dead run arriving late */
  lateWrites: string[];
}

/** The journal of a SQLite store, oldest first. */
export function readJournal(storeFile: string): JournalRecord[] {
  const db = new Database(storeFile, { readonly: true });
  try {
    return db
      .prepare<[], { record: string }>('SELECT record FROM journal ORDER BY sequence')
      .all()
      .map((r) => JSON.parse(r.record) as JournalRecord);
  } finally {
    db.close();
  }
}

/** The stand-in's SCIM write activity, oldest first. */
export async function scimActivity(baseUrl: string, token: string): Promise<ActivityWrite[]> {
  const res = await fetch(`${baseUrl}/api/activity?limit=100000`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /api/activity: ${res.status}`);
  const { activity } = (await res.json()) as { activity: ActivityWrite[] };
  return activity.filter((a) => a.via === 'scim' && a.from !== a.to).reverse();
}

/** SCIM id -> userName of every user in the stand-in. */
export async function userNamesById(scimUrl: string, token: string): Promise<Map<string, string>> {
  const res = await fetch(`${scimUrl}/Users?count=100000`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /Users: ${res.status}`);
  const body = (await res.json()) as { Resources?: { id: string; userName: string }[] };
  return new Map((body.Resources ?? []).map((u) => [u.id, u.userName.toLowerCase()]));
}

/** The user a SCIM write attempt is about: a POST names it in its body, the others by id in the path. */
function userOf(a: WriteAttempt, names: ReadonlyMap<string, string>): string {
  if (a.method === 'POST' && a.path === '/Users') {
    const userName = (JSON.parse(a.body) as { userName?: string } | null)?.userName;
    return (userName ?? '?').toLowerCase();
  }
  const id = /^\/Users\/([^/]+)$/.exec(a.path)?.[1];
  return id ? (names.get(decodeURIComponent(id)) ?? `id:${id}`) : a.path;
}

export function auditCrashes(
  journal: readonly JournalRecord[],
  attempts: readonly WriteAttempt[],
  activity: readonly ActivityWrite[],
  names: ReadonlyMap<string, string>,
): CrashAudit {
  const records = new Map(journal.map((r) => [r.id, r]));
  const order = new Map(journal.map((r) => [r.id, r.startedAt]));
  const unaccounted: string[] = [];
  const unjournaled: string[] = [];
  const doubleWrites: string[] = [];
  const lateWrites: string[] = [];

  // every attempt: named by a journaled run, whose record says what became of that user's changes
  const requests = new Map<string, WriteAttempt[]>();
  for (const a of attempts) {
    const user = userOf(a, names);
    const what = `#${a.seq} ${a.method} ${user} (run ${a.runId ?? 'none'})`;
    const record = a.runId ? records.get(a.runId) : undefined;
    if (!record) {
      unaccounted.push(`${what}: ${a.runId ? 'no journal record of the run' : 'no run id'}`);
      continue;
    }
    const results = record.results.filter((r) => r.change.user.toLowerCase() === user);
    const renamed = (record.renames ?? []).some((r) => r.rename.to.toLowerCase() === user);
    if (!results.length && !renamed) unaccounted.push(`${what}: the run's record has no change for the user`);
    else if (a.changed && results.length && results.every((r) => r.outcome === 'skipped' || r.outcome === 'blocked')) {
      unaccounted.push(`${what}: changed Heap, journaled ${results[0]!.outcome} (${results[0]!.error ?? ''})`);
    }
    const key = `${a.runId}|${a.method}|${a.path}|${a.body}`;
    requests.set(key, [...(requests.get(key) ?? []), a]);
  }
  // a request (retries resend the same one) is applied once: never zero times when Heap processed it, never twice
  for (const same of requests.values()) {
    const processed = same.filter((a) => a.processed);
    const changed = same.filter((a) => a.changed).length;
    const first = same[0]!;
    const what = `${first.method} ${userOf(first, names)} (run ${first.runId})`;
    if (changed > 1) doubleWrites.push(`${what}: applied ${changed} times`);
    else if (processed.length && changed === 0) {
      doubleWrites.push(`${what}: Heap already had it (${processed.length} attempt(s))`);
    }
  }

  // every change Heap made is journaled applied by the run that sent it
  let latest: { runId: string; startedAt: string } | null = null;
  for (const w of activity) {
    const what = `#${w.seq} ${w.teammate} ${w.entitlement} ${w.from} -> ${w.to} (run ${w.runId ?? 'none'})`;
    const record = w.runId ? records.get(w.runId) : undefined;
    const journaled = record?.results.some(
      (r) =>
        r.outcome === 'applied' &&
        r.change.user.toLowerCase() === w.teammate.toLowerCase() &&
        r.change.entitlement === w.entitlement &&
        r.change.to === w.to,
    );
    const rename = w.entitlement === 'userName' && record?.renames?.some((r) => r.outcome === 'applied');
    if (!journaled && !rename) unjournaled.push(what);
    const startedAt = w.runId ? order.get(w.runId) : undefined;
    if (!w.runId || startedAt === undefined) continue;
    if (latest && latest.runId !== w.runId && startedAt < latest.startedAt) {
      lateWrites.push(`${what}: landed after a write of the later run ${latest.runId}`);
    }
    if (!latest || startedAt > latest.startedAt) latest = { runId: w.runId, startedAt };
  }
  return { attempts: attempts.length, unaccounted, unjournaled, doubleWrites, lateWrites };
}
