import type Database from 'better-sqlite3';
import type { ScimOutboxEntry } from '../../sources/scim/repository.js';
import { scimUserKey } from '../../sources/scim/user-fields.js';

interface OutboxRow {
  seq: number;
  source: string;
  users: string;
  at: string;
}

export interface OutboxQueries {
  /** appends an entry for these users at the write's time, inside its transaction; none when the list is empty */
  record(users: Iterable<string>, at: string): void;
  /** the Heap keys of stored users, for a write about to change or delete them */
  keysOf(userIds: readonly string[]): string[];
  pending(limit?: number): ScimOutboxEntry[];
  ack(upToSeq: number): void;
}

/**
 * The outbox of pushed changes (DESIGN §10). It is the store's, shared by every SCIM source: entries carry their
 * source, and any repository over the file reads and acknowledges all of them, so one consumer drains them all.
 */
export function prepareOutboxQueries(db: Database.Database, source: string): OutboxQueries {
  const insert = db.prepare<[string, string, string]>('INSERT INTO scim_outbox (source, users, at) VALUES (?, ?, ?)');
  const selectPending = db.prepare<[number], OutboxRow>(
    'SELECT seq, source, users, at FROM scim_outbox ORDER BY seq LIMIT ?',
  );
  const deleteUpTo = db.prepare<[number]>('DELETE FROM scim_outbox WHERE seq <= ?');
  const selectKeys = db.prepare<[string], { primary_email: string | null; user_name: string }>(
    'SELECT primary_email, user_name FROM scim_users WHERE id IN (SELECT value FROM json_each(?))',
  );
  return {
    record(users, at) {
      const keys = [...new Set(users)].sort();
      if (keys.length > 0) insert.run(source, JSON.stringify(keys), at);
    },
    keysOf(userIds) {
      if (userIds.length === 0) return [];
      return selectKeys
        .all(JSON.stringify(userIds))
        .map((row) => scimUserKey({ primaryEmail: row.primary_email, userName: row.user_name }));
    },
    pending(limit = -1) {
      return selectPending.all(limit).map((row) => ({
        seq: row.seq,
        source: row.source,
        users: JSON.parse(row.users) as string[],
        at: row.at,
      }));
    },
    ack(upToSeq) {
      deleteUpTo.run(upToSeq);
    },
  };
}
