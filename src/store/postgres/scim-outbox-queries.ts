import type pg from 'pg';
import type { ScimOutboxEntry } from '../../sources/scim/repository.js';
import { scimUserKey } from '../../sources/scim/user-fields.js';
import { rows, type Queryable } from './open-postgres-pool.js';

/**
 * pg_advisory_xact_lock key of the outbox. Writes on several replicas take their seq one at a time and hold it
 * until they commit (the outbox entry is a write's last statement, so only briefly): seqs become visible in order,
 * and a consumer that acknowledged up to seq N can never later find an entry below N appear.
 */
const OUTBOX_LOCK = 7_361_003;

export interface OutboxQueries {
  /** appends an entry for these users at the write's time, inside its transaction; none when the list is empty */
  record(client: pg.PoolClient, users: Iterable<string>, at: string): Promise<void>;
  /** the Heap keys of stored users, for a write about to change or delete them */
  keysOf(client: pg.PoolClient, userIds: readonly string[]): Promise<string[]>;
  pending(db: Queryable, limit?: number): Promise<ScimOutboxEntry[]>;
  ack(db: Queryable, upToSeq: number): Promise<void>;
}

/** The outbox of pushed changes (DESIGN §10), shared by every SCIM source and replica: entries carry their source. */
export function prepareOutboxQueries(source: string): OutboxQueries {
  return {
    async record(client, users, at) {
      const keys = [...new Set(users)].sort();
      if (keys.length === 0) return;
      await client.query('SELECT pg_advisory_xact_lock($1)', [OUTBOX_LOCK]);
      await client.query('INSERT INTO scim_outbox (source, users, at) VALUES ($1, $2, $3)', [
        source,
        JSON.stringify(keys),
        at,
      ]);
    },
    async keysOf(client, userIds) {
      if (userIds.length === 0) return [];
      const found = await rows<{ primary_email: string | null; user_name: string; id: string }>(
        client,
        'SELECT id, primary_email, user_name FROM scim_users WHERE id = ANY($1::text[])',
        [userIds],
      );
      return found.map((row) => scimUserKey({ primaryEmail: row.primary_email, userName: row.user_name }));
    },
    async pending(db, limit) {
      const found = await rows<{ seq: number; source: string; users: string; at: string }>(
        db,
        'SELECT seq, source, users, at FROM scim_outbox ORDER BY seq LIMIT $1',
        [limit ?? null],
      );
      return found.map((row) => ({ ...row, users: JSON.parse(row.users) as string[] }));
    },
    async ack(db, upToSeq) {
      await db.query('DELETE FROM scim_outbox WHERE seq <= $1', [upToSeq]);
    },
  };
}
