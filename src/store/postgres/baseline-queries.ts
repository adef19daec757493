import type pg from 'pg';
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

/** Call inside the commit transaction: replaces each user's row, or deletes it for null. Validates all first. */
export async function writeBaseline(
  client: pg.PoolClient,
  baseline: Map<string, Access | null>,
  updatedAt: string,
): Promise<void> {
  const removed: string[] = [];
  const keys: string[] = [];
  const values: string[] = [];
  for (const [user, access] of baseline) {
    if (access === null) {
      removed.push(user);
      continue;
    }
    assertBaselineEntry(user, access);
    keys.push(user);
    values.push(JSON.stringify(access));
  }
  for (let i = 0; i < removed.length; i += CHUNK) {
    await client.query('DELETE FROM baseline WHERE user_key = ANY($1::text[])', [removed.slice(i, i + CHUNK)]);
  }
  for (let i = 0; i < keys.length; i += CHUNK) {
    await client.query(
      `INSERT INTO baseline (user_key, access, updated_at)
       SELECT k, a, $3 FROM unnest($1::text[], $2::text[]) AS t(k, a)
       ON CONFLICT (user_key) DO UPDATE SET access = excluded.access, updated_at = excluded.updated_at`,
      [keys.slice(i, i + CHUNK), values.slice(i, i + CHUNK), updatedAt],
    );
  }
}
