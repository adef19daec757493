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
];
