import type { Migration } from '../migrate.js';

/**
 * SCIM inbound tables beside the core schema (shared `schema_migrations`). userName, displayName and email values
 * compare case-insensitively (RFC 7643: caseExact=false) through `lower(…)` indexes; the unique index on
 * `lower(user_name)` is what refuses a duplicate userName, whichever replica the two requests reached. `ord` keeps
 * insertion order (SQLite's rowid). Rows keep the full SCIM attributes as JSON text in `data`.
 */
export const scimMigrations: readonly Migration[] = [
  {
    id: 'scim-001-identities',
    sql: `
      CREATE TABLE scim_users (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        user_name TEXT NOT NULL,
        external_id TEXT,
        display_name TEXT,
        active BOOLEAN NOT NULL,
        primary_email TEXT,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX scim_users_user_name ON scim_users (lower(user_name));
      CREATE INDEX scim_users_ord ON scim_users (ord);
      CREATE INDEX scim_users_external_id ON scim_users (external_id);
      CREATE INDEX scim_users_display_name ON scim_users (lower(display_name));
      CREATE TABLE scim_user_emails (
        user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
        value TEXT NOT NULL
      );
      CREATE UNIQUE INDEX scim_user_emails_pk ON scim_user_emails (user_id, lower(value));
      CREATE INDEX scim_user_emails_value ON scim_user_emails (lower(value));
      CREATE TABLE scim_groups (
        id TEXT PRIMARY KEY,
        ord BIGSERIAL NOT NULL,
        display_name TEXT NOT NULL,
        external_id TEXT,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        modified_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX scim_groups_ord ON scim_groups (ord);
      CREATE INDEX scim_groups_display_name ON scim_groups (lower(display_name));
      CREATE INDEX scim_groups_external_id ON scim_groups (external_id);
      CREATE TABLE scim_group_members (
        group_id TEXT NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
        ord BIGSERIAL NOT NULL,
        PRIMARY KEY (group_id, user_id)
      );
      CREATE INDEX scim_group_members_user ON scim_group_members (user_id);
    `,
  },
  {
    // Written by the first user or group create, in its own transaction (DESIGN §10: "waiting for the first push").
    id: 'scim-002-first-push',
    sql: `
      CREATE TABLE scim_first_push (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at TEXT NOT NULL
      );
    `,
  },
  {
    // Users each SCIM write touched, in the write's own transaction (DESIGN §10). A sequence never reuses a seq.
    id: 'scim-003-outbox',
    sql: `
      CREATE TABLE scim_outbox (
        seq BIGSERIAL PRIMARY KEY,
        source TEXT NOT NULL,
        users TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
];
