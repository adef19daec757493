import type pg from 'pg';
import type { GrantReasons } from '../../domain/desired.js';
import type { Access } from '../../domain/entitlement.js';
import { assertBaselineEntry } from '../validate-access.js';
import { rows, type Queryable } from './open-postgres-pool.js';

/** Rows per statement: a 100,000-user baseline is written in a few round trips, not one per user. */
const CHUNK = 5_000;

export async function readBaseline(db: Queryable, users?: string[]): Promise<Map<string, Access>> {
  const found = users
    ? await rows<{ user_key: string; access: string }>(
        db,
        'SELECT user_key, access FROM baseline WHERE user_key = ANY($1::text[])',
        [users],
      )
    : await rows<{ user_key: string; access: string }>(db, 'SELECT user_key, access FROM baseline');
  const result = new Map<string, Access>();
  if (users) {
    // in the order asked, like the SQLite store
    const byUser = new Map(found.map((r) => [r.user_key, r.access]));
    for (const user of users) {
      const access = byUser.get(user);
      if (access !== undefined) result.set(user, JSON.parse(access) as Access);
    }
    return result;
  }
  for (const row of found) result.set(row.user_key, JSON.parse(row.access) as Access);
  return result;
}

/** Per user, the rules behind each baseline value; null for a row written before they were kept (as SQLite). */
export async function readBaselineReasons(db: Queryable, users?: string[]): Promise<Map<string, GrantReasons | null>> {
  const found = users
    ? await rows<{ user_key: string; reasons: string | null }>(
        db,
        'SELECT user_key, reasons FROM baseline WHERE user_key = ANY($1::text[])',
        [users],
      )
    : await rows<{ user_key: string; reasons: string | null }>(db, 'SELECT user_key, reasons FROM baseline');
  const byUser = new Map(found.map((r) => [r.user_key, r.reasons]));
  const result = new Map<string, GrantReasons | null>();
  for (const user of users ?? byUser.keys()) {
    const reasons = byUser.get(user);
    if (reasons !== undefined) result.set(user, reasons === null ? null : (JSON.parse(reasons) as GrantReasons));
  }
  return result;
}

/**
 * Call inside the commit transaction: replaces each user's row, or deletes it for null, each written row with its
 * reasons (none known when `reasons` lacks the user); a user only in `reasons` gets new reasons. Validates all first.
 */
export async function writeBaseline(
  client: pg.PoolClient,
  baseline: Map<string, Access | null>,
  updatedAt: string,
  reasons?: Map<string, GrantReasons>,
): Promise<void> {
  const removed: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  const whys: (string | null)[] = [];
  for (const [user, access] of baseline) {
    if (access === null) {
      removed.push(user);
      continue;
    }
    assertBaselineEntry(user, access);
    keys.push(user);
    values.push(JSON.stringify(access));
    const why = reasons?.get(user);
    whys.push(why === undefined ? null : JSON.stringify(why));
  }
  for (let i = 0; i < removed.length; i += CHUNK) {
    await client.query('DELETE FROM baseline WHERE user_key = ANY($1::text[])', [removed.slice(i, i + CHUNK)]);
  }
  for (let i = 0; i < keys.length; i += CHUNK) {
    await client.query(
      `INSERT INTO baseline (user_key, access, updated_at, reasons)
       SELECT k, a, $3, r FROM unnest($1::text[], $2::text[], $4::text[]) AS t(k, a, r)
       ON CONFLICT (user_key) DO UPDATE SET access = excluded.access, updated_at = excluded.updated_at,
         reasons = excluded.reasons`,
      [keys.slice(i, i + CHUNK), values.slice(i, i + CHUNK), updatedAt, whys.slice(i, i + CHUNK)],
    );
  }
  const onlyReasons = [...(reasons ?? [])].filter(([user]) => !baseline.has(user));
  for (let i = 0; i < onlyReasons.length; i += CHUNK) {
    const chunk = onlyReasons.slice(i, i + CHUNK);
    await client.query(
      `UPDATE baseline SET reasons = t.r FROM unnest($1::text[], $2::text[]) AS t(k, r) WHERE baseline.user_key = t.k`,
      [chunk.map(([user]) => user), chunk.map(([, why]) => JSON.stringify(why))],
    );
  }
}
