import type Database from 'better-sqlite3';
import { StoreError } from '../store-error.js';

export interface Migration {
  /** namespaced and ordered within its list, e.g. `core-001-baseline`, `scim-001-identities` */
  id: string;
  sql: string;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`;

/**
 * Applies, in list order, the migrations this database has not seen, each in its own transaction with its id.
 * Several modules keep their own lists in one file and share `schema_migrations`, so only ids matter, never
 * positions. IMMEDIATE transactions and a re-check inside them let two processes open a new file at once.
 * Returns the ids applied now.
 */
export function runMigrations(db: Database.Database, migrations: readonly Migration[]): string[] {
  assertUniqueIds(migrations);
  db.exec(CREATE_TABLE);
  const isApplied = db.prepare<[string], 1>('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
  const record = db.prepare<[string, string]>('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const apply = db.transaction((migration: Migration): boolean => {
    if (isApplied.get(migration.id)) return false;
    db.exec(migration.sql);
    record.run(migration.id, new Date().toISOString());
    return true;
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    if (isApplied.get(migration.id)) continue;
    try {
      if (apply.immediate(migration)) applied.push(migration.id);
    } catch (err) {
      throw new StoreError(`migration ${migration.id} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return applied;
}

/**
 * A migration of data that SQL alone cannot make (rows computed from the journal's JSON): `fn` runs once per
 * database, in one IMMEDIATE transaction with the id recorded, after the schema migrations that made its tables.
 */
export function runDataMigration(db: Database.Database, id: string, fn: () => void): boolean {
  db.exec(CREATE_TABLE);
  const isApplied = db.prepare<[string], 1>('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
  if (isApplied.get(id)) return false;
  const apply = db.transaction((): boolean => {
    if (isApplied.get(id)) return false;
    fn();
    db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(id, new Date().toISOString());
    return true;
  });
  try {
    return apply.immediate();
  } catch (err) {
    throw new StoreError(`migration ${id} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** The ids recorded in `schema_migrations`, in the order they were applied. */
export function listAppliedMigrations(db: Database.Database): string[] {
  db.exec(CREATE_TABLE);
  return db.prepare<[], string>('SELECT id FROM schema_migrations ORDER BY rowid').pluck().all();
}

function assertUniqueIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (!id) throw new StoreError('a migration has an empty id');
    if (seen.has(id)) throw new StoreError(`duplicate migration id ${id}`);
    seen.add(id);
  }
}
