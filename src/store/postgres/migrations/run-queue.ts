import type { Migration } from '../migrate.js';

/**
 * The run queue (DESIGN §10, §13) in the store's PostgreSQL database. One row per target and state: the primary key
 * itself keeps "at most one active and one pending run per target" across every replica. Times a claim compares
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
      due_ms BIGINT NOT NULL,
      attempts INTEGER NOT NULL,
      worker TEXT,
      heartbeat_ms BIGINT,
      PRIMARY KEY (target, state)
    )`,
  },
];
