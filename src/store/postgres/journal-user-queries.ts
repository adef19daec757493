import type pg from 'pg';
import { normalizeUserKey } from '../../domain/entitlement.js';
import { userSlicesOf, type UserJournalSlice } from '../../domain/history.js';
import type { JournalRecord } from '../../domain/journal.js';
import { JOURNAL_USERS_BACKFILL } from '../migrations/core.js';
import { runPostgresDataMigration } from './migrate.js';
import { rows, type Queryable } from './open-postgres-pool.js';

/** Call inside the transaction that appends the record: its slice about each user it touches, in `journal_users`. */
export async function indexJournalUsers(client: pg.PoolClient, record: JournalRecord): Promise<void> {
  const slices = [...userSlicesOf(record)];
  if (!slices.length) return;
  const endedMs = Date.parse(record.endedAt);
  await client.query(
    `INSERT INTO journal_users (user_key, sequence, ended_ms, slice)
     SELECT u, $2::integer, $3::bigint, s FROM unnest($1::text[], $4::text[]) AS t(u, s)`,
    [slices.map(([user]) => user), record.sequence, endedMs, slices.map(([, slice]) => JSON.stringify(slice))],
  );
}

/** A user's slices, oldest first; joined with the journal: a record gone from it is gone from the history. */
export async function listUserJournal(
  db: Queryable,
  user: string,
  options: { since?: Date; until?: Date } = {},
): Promise<UserJournalSlice[]> {
  const found = await rows<{ slice: string }>(
    db,
    `SELECT u.slice FROM journal_users u JOIN journal j ON j.sequence = u.sequence
     WHERE u.user_key = $1 AND u.ended_ms >= $2 AND u.ended_ms < $3 ORDER BY u.sequence`,
    [
      normalizeUserKey(user),
      options.since?.getTime() ?? Number.MIN_SAFE_INTEGER,
      options.until?.getTime() ?? Number.MAX_SAFE_INTEGER,
    ],
  );
  return found.map((r) => JSON.parse(r.slice) as UserJournalSlice);
}

const PAGE = 500;

/** Indexes the records written before `journal_users` existed, once per database (replicas take turns). */
export function backfillJournalUsers(pool: pg.Pool): Promise<boolean> {
  return runPostgresDataMigration(pool, JOURNAL_USERS_BACKFILL, async (client) => {
    for (let after = 0; ;) {
      const page = await rows<{ record: string }>(
        client,
        'SELECT record FROM journal WHERE sequence > $1 ORDER BY sequence LIMIT $2',
        [after, PAGE],
      );
      if (!page.length) break;
      for (const { record } of page) await indexJournalUsers(client, JSON.parse(record) as JournalRecord);
      after = (JSON.parse(page.at(-1)!.record) as JournalRecord).sequence;
    }
  });
}
