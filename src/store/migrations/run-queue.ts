import type { Migration } from '../sqlite/migrate.js';
import type { SqlDialect } from './dialect.js';

/**
 * The run queue (DESIGN §10, §13) in the store's database beside the core schema, shared by every process on it.
 * One row per target and state: the primary key itself keeps "at most one active and one pending run per target".
 * Times a claim compares are epoch milliseconds.
 */
export const runQueueMigrations = (d: SqlDialect): readonly Migration[] => [
  {
    id: 'queue-001-runs',
    sql: `CREATE TABLE run_queue (
      target TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'active')),
      id TEXT NOT NULL UNIQUE,
      triggers TEXT NOT NULL,
      scope TEXT,
      enqueued_at TEXT NOT NULL,
      due_ms ${d.ms} NOT NULL,
      attempts INTEGER NOT NULL,
      worker TEXT,
      heartbeat_ms ${d.ms},
      PRIMARY KEY (target, state)
    )${d.keyed}`,
  },
];
