import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const DB_FILE = 'stand-in.db';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    external_id TEXT,
    display_name TEXT,
    active INTEGER NOT NULL,
    profile TEXT NOT NULL,
    owned_assets INTEGER NOT NULL DEFAULT 0,
    last_active_at TEXT,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX users_external_id ON users (external_id);
  CREATE TABLE user_access (
    user_seq INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    entitlement TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_seq, entitlement)
  ) WITHOUT ROWID;
  CREATE TABLE groups (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    external_id TEXT,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE group_members (
    group_seq INTEGER NOT NULL REFERENCES groups (seq) ON DELETE CASCADE,
    user_seq INTEGER NOT NULL REFERENCES users (seq) ON DELETE CASCADE,
    PRIMARY KEY (group_seq, user_seq)
  ) WITHOUT ROWID;
  CREATE INDEX group_members_user ON group_members (user_seq);
  CREATE TABLE activity (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    via TEXT NOT NULL,
    actor TEXT NOT NULL,
    teammate TEXT NOT NULL,
    entitlement TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
  );
  CREATE INDEX activity_teammate ON activity (teammate COLLATE NOCASE);
  `,
  // Teams give projects (set in Heap's UI); the activity log names the run that wrote a change
  `
  CREATE TABLE team_projects (
    group_seq INTEGER NOT NULL REFERENCES groups (seq) ON DELETE CASCADE,
    project TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (group_seq, project)
  ) WITHOUT ROWID;
  ALTER TABLE activity ADD COLUMN run_id TEXT;
  CREATE INDEX activity_at ON activity (at);
  `,
];

/** Opens (or, with `reset`, recreates) the stand-in's own SQLite file and brings its schema up to date. */
export function openStandInDb(dataDir: string, reset = false): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DB_FILE);
  if (reset) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // a stand-in for tests and demos: a lost last transaction on power failure is fine, speed matters more
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
