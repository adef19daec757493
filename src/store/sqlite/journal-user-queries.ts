import type Database from 'better-sqlite3';
import { normalizeUserKey } from '../../domain/entitlement.js';
import { userSlicesOf, type UserJournalSlice } from '../../domain/history.js';
import type { JournalRecord } from '../../domain/journal.js';
import { JOURNAL_USERS_BACKFILL } from '../migrations/core.js';
import { runDataMigration } from './migrate.js';

/** The per-user index of the journal (`journal_users`): a user's history in one indexed read. */
export interface JournalUserQueries {
  /** Call inside the transaction that appends the record. */
  index(record: JournalRecord): void;
  list(user: string, options?: { since?: Date; until?: Date }): UserJournalSlice[];
}

const PAGE = 500;

export function prepareJournalUserQueries(db: Database.Database): JournalUserQueries {
  const insert = db.prepare<[string, number, number, string]>(
    'INSERT INTO journal_users (user_key, sequence, ended_ms, slice) VALUES (?, ?, ?, ?)',
  );
  // joined with the journal: a record gone from it is gone from everyone's history
  const select = db
    .prepare<[string, number, number], string>(
      `SELECT u.slice FROM journal_users u JOIN journal j ON j.sequence = u.sequence
       WHERE u.user_key = ? AND u.ended_ms >= ? AND u.ended_ms < ? ORDER BY u.sequence`,
    )
    .pluck();
  const index = (record: JournalRecord) => {
    const endedMs = Date.parse(record.endedAt);
    for (const [user, slice] of userSlicesOf(record)) insert.run(user, record.sequence, endedMs, JSON.stringify(slice));
  };
  // the records written before the index: read page by page (a statement cannot write while another iterates)
  const page = db
    .prepare<[number, number], string>('SELECT record FROM journal WHERE sequence > ? ORDER BY sequence LIMIT ?')
    .pluck();
  runDataMigration(db, JOURNAL_USERS_BACKFILL, () => {
    for (let after = 0; ;) {
      const records = page.all(after, PAGE).map((text) => JSON.parse(text) as JournalRecord);
      if (!records.length) break;
      records.forEach(index);
      after = records.at(-1)!.sequence;
    }
  });
  return {
    index,
    list(user, options = {}) {
      const since = options.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
      const until = options.until?.getTime() ?? Number.MAX_SAFE_INTEGER;
      return select.all(normalizeUserKey(user), since, until).map((text) => JSON.parse(text) as UserJournalSlice);
    },
  };
}
