import type { Migration } from '../sqlite/migrate.js';
import type { SqlDialect } from './dialect.js';

/**
 * The core schema, one text for both stores (the dialect fills in what differs). JSON travels as TEXT: one
 * JSON.parse per row is the fastest read, and the journal hash and the listing-column check compare exactly what
 * was written. Times the store compares (expiry, lock refresh, claims) are also kept as epoch milliseconds, because
 * ISO strings with and without milliseconds do not sort together. Ids are what `schema_migrations` records: a
 * migration's text may change its layout, never what it creates.
 */
export const coreMigrations = (d: SqlDialect): readonly Migration[] => [
  {
    id: 'core-001-baseline',
    sql: `CREATE TABLE baseline (
      ${d.user} TEXT PRIMARY KEY,
      access TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )${d.keyed}`,
  },
  {
    id: 'core-002-journal',
    sql: `CREATE TABLE journal (
      id TEXT PRIMARY KEY,
      sequence INTEGER NOT NULL UNIQUE,
      run_trigger TEXT NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT NOT NULL,
      changes INTEGER NOT NULL,
      applied INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      blocked INTEGER NOT NULL,
      drift INTEGER NOT NULL,
      record TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    )`,
  },
  {
    id: 'core-003-exceptions',
    sql: `CREATE TABLE exceptions (
      id TEXT PRIMARY KEY,
      ${d.user} TEXT NOT NULL,
      entitlement TEXT NOT NULL,
      value TEXT,
      reason TEXT NOT NULL,
      approver TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      expires_ms ${d.ms} NOT NULL,
      revoked_at TEXT
    );
    CREATE INDEX exceptions_by_expiry ON exceptions (expires_ms, id)`,
  },
  {
    id: 'core-004-held-plans',
    sql: `CREATE TABLE held_plans (
      run_id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      plan TEXT NOT NULL,
      mapping_version TEXT,
      scope TEXT,
      approved_by TEXT,
      approved_at TEXT
    )`,
  },
  {
    id: 'core-005-alert-state',
    sql: `CREATE TABLE alert_state (
      key TEXT PRIMARY KEY,
      event TEXT NOT NULL,
      opened_at TEXT NOT NULL,
      last_sent_at TEXT,
      resolved_at TEXT,
      payload TEXT NOT NULL
    )`,
  },
  {
    id: 'core-006-source-state',
    sql: `CREATE TABLE source_state (
      source TEXT PRIMARY KEY,
      state TEXT NOT NULL
    )`,
  },
  {
    id: 'core-007-locks',
    sql: `CREATE TABLE locks (
      name TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      acquired_at TEXT NOT NULL,
      refreshed_ms ${d.ms} NOT NULL
    )`,
  },
  {
    id: 'core-008-pending-runs',
    sql: `CREATE TABLE pending_runs (
      id TEXT PRIMARY KEY,
      started_at TEXT NOT NULL,
      record TEXT NOT NULL
    )${d.keyed}`,
  },
  {
    id: 'core-009-tasks',
    sql: `CREATE TABLE tasks (
      id TEXT PRIMARY KEY,
      ${d.user} TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at TEXT NOT NULL,
      task TEXT NOT NULL
    )${d.keyed};
    CREATE INDEX tasks_by_status ON tasks (status, created_at, id);
    CREATE INDEX tasks_by_user ON tasks (${d.user}, created_at, id)`,
  },
  {
    id: 'core-010-reviews',
    sql: `CREATE TABLE reviews (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL,
      campaign TEXT NOT NULL
    )${d.keyed};
    CREATE TABLE review_items (
      campaign_id TEXT NOT NULL REFERENCES reviews (id),
      id TEXT NOT NULL,
      item TEXT NOT NULL,
      PRIMARY KEY (campaign_id, id)
    )${d.keyed}`,
  },
  {
    id: 'core-011-approvals',
    sql: `CREATE TABLE approvals (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      created_at TEXT NOT NULL,
      approval TEXT NOT NULL
    )${d.keyed};
    CREATE INDEX approvals_by_status ON approvals (status, created_at, id)`,
  },
  {
    id: 'core-012-claims',
    sql: `CREATE TABLE claims (
      name TEXT PRIMARY KEY,
      at_ms ${d.ms} NOT NULL
    )${d.keyed}`,
  },
  {
    id: 'core-013-drift-sightings',
    sql: `CREATE TABLE drift_sightings (
      user_key TEXT NOT NULL,
      entitlement TEXT NOT NULL,
      sighting TEXT NOT NULL,
      PRIMARY KEY (user_key, entitlement)
    )${d.keyed}`,
  },
  {
    id: 'core-014-sessions',
    sql: `CREATE TABLE sessions (
      digest TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      method TEXT NOT NULL,
      idp_groups TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_ms ${d.ms} NOT NULL,
      expires_at TEXT NOT NULL,
      expires_ms ${d.ms} NOT NULL
    );
    CREATE INDEX sessions_by_expiry ON sessions (expires_ms);
    CREATE INDEX sessions_by_creation ON sessions (created_ms, digest)`,
  },
  {
    // existing rows count as written once: a compare-and-set from "no state yet" (version 0) never replaces them
    id: 'core-015-alert-state-version',
    sql: `ALTER TABLE alert_state ADD COLUMN version ${d.ms} NOT NULL DEFAULT 1`,
  },
  {
    // a user's history (DESIGN §11) in one read: each record's slice about each user it touches, by user then
    // sequence; filled from the journal by the data migration JOURNAL_USERS_BACKFILL, then at each append
    id: 'core-016-journal-users',
    sql: `CREATE TABLE journal_users (
      user_key TEXT NOT NULL,
      sequence INTEGER NOT NULL,
      ended_ms ${d.ms} NOT NULL,
      slice TEXT NOT NULL,
      PRIMARY KEY (user_key, sequence)
    )${d.keyed}`,
  },
  {
    // who asked for an exception (four eyes compare it with the approver); null on exceptions made before it
    id: 'core-017-exception-requester',
    sql: `ALTER TABLE exceptions ADD COLUMN requested_by TEXT`,
  },
  {
    // per entitlement, the rules that granted the applied value; NULL on rows written before they were kept
    id: 'core-018-baseline-reasons',
    sql: `ALTER TABLE baseline ADD COLUMN reasons TEXT`,
  },
];

/** The data migration that indexes the records written before `journal_users` existed. */
export const JOURNAL_USERS_BACKFILL = 'core-016-journal-users-backfill';
