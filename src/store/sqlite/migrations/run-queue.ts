import type { Migration } from '../migrate.js';

/**
 * The embedded run queue (DESIGN §10), in the store's SQLite file beside the core schema. One row per target and
 * state: the primary key itself keeps "at most one active and one pending run per target". Times a claim compares
 * are epoch milliseconds.
 */
export const runQueueMigrations: readonly Migration[] = [
  {
    id: 'queue-001-runs',
    sql: `CREATE TABLE run_queue (
      target TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'active')),
      id TEXT NOT NULL UNIQUE,
      triggers TEXT NOT NULL,
      scope TEXT,
      enqueued_at TEXT NOT NULL,
      due_ms INTEGER NOT NULL,
      attempts INTEGER NOT NULL,
      worker TEXT,
      heartbeat_ms INTEGER,
      PRIMARY KEY (target, state)
    ) WITHOUT ROWID`,
  },
];
