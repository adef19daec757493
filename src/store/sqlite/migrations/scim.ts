import type { Migration } from '../migrate.js';

/**
 * SCIM inbound tables, in the store's SQLite file beside the core schema (shared `schema_migrations`).
 * userName, displayName and email values are `COLLATE NOCASE` because RFC 7643 makes them caseExact=false, so
 * `userName eq` lookups and the uniqueness check use the index whatever the case. Rows keep the full SCIM
 * attributes as JSON in `data`; the other columns are indexed copies of what filters look up.
 */
export const scimMigrations: readonly Migration[] = [
  {
    id: 'scim-001-identities',
    sql: `
      CREATE TABLE scim_users (
        id TEXT PRIMARY KEY,
        user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        external_id TEXT,
        display_name TEXT COLLATE NOCASE,
        active INTEGER NOT NULL,
        primary_email TEXT,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX scim_users_external_id ON scim_users (external_id);
      CREATE INDEX scim_users_display_name ON scim_users (display_name);
      CREATE TABLE scim_user_emails (
        user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
        value TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (user_id, value)
      ) WITHOUT ROWID;
      CREATE INDEX scim_user_emails_value ON scim_user_emails (value);
      CREATE TABLE scim_groups (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL COLLATE NOCASE,
        external_id TEXT,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX scim_groups_display_name ON scim_groups (display_name);
      CREATE INDEX scim_groups_external_id ON scim_groups (external_id);
      CREATE TABLE scim_group_members (
        group_id TEXT NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      );
      CREATE INDEX scim_group_members_user ON scim_group_members (user_id);
    `,
  },
  {
    // The first user or group an IdP creates marks the source as pushed to, in the write's own transaction,
    // so "waiting for the first push" (DESIGN §10) survives restarts and a later deletion of everything.
    id: 'scim-002-first-push',
    sql: `
      CREATE TABLE scim_first_push (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at TEXT NOT NULL
      );
      INSERT INTO scim_first_push (id, at)
        SELECT 1, MIN(created_at) FROM (SELECT created_at FROM scim_users UNION ALL SELECT created_at FROM scim_groups)
        HAVING COUNT(*) > 0;
      CREATE TRIGGER scim_users_first_push AFTER INSERT ON scim_users
        BEGIN INSERT OR IGNORE INTO scim_first_push (id, at) VALUES (1, NEW.created_at); END;
      CREATE TRIGGER scim_groups_first_push AFTER INSERT ON scim_groups
        BEGIN INSERT OR IGNORE INTO scim_first_push (id, at) VALUES (1, NEW.created_at); END;
    `,
  },
  {
    // Users each SCIM write touched, in the write's own transaction (DESIGN §10: acknowledged pushes are never
    // dropped). AUTOINCREMENT: a seq is never reused once acknowledged entries are deleted.
    id: 'scim-003-outbox',
    sql: `
      CREATE TABLE scim_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,
        users TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
];
