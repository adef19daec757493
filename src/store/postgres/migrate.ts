import type pg from 'pg';
import type { Migration } from '../sqlite/migrate.js';
import { StoreError } from '../store-error.js';

export type { Migration } from '../sqlite/migrate.js';

/** pg_advisory_lock key of schema changes: any number of replicas may start at once, one migrates at a time. */
const MIGRATION_LOCK = 7_361_001;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id TEXT PRIMARY KEY, applied_at TEXT NOT NULL, ord BIGSERIAL NOT NULL)`;

/**
 * Applies, in list order, the migrations this database has not seen, each in its own transaction with its id, while
 * holding a session advisory lock: replicas starting together wait for the first to finish, then find nothing
 * left to do. The store's and the SCIM repository's lists share `schema_migrations`, as in SQLite.
 * Returns the ids applied now.
 */
export async function runPostgresMigrations(pool: pg.Pool, migrations: readonly Migration[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const { id } of migrations) {
    if (!id || ids.has(id)) throw new StoreError(`empty or duplicate migration id ${JSON.stringify(id)}`);
    ids.add(id);
  }
  return underMigrationLock(pool, async (apply, done) => {
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await apply(migration.id, (client) => client.query(migration.sql));
      applied.push(migration.id);
    }
    return applied;
  });
}

/**
 * A migration of data that SQL alone cannot make (rows computed from the journal's JSON): `fn` runs once per
 * database, in one transaction with its id recorded, under the migration lock, after the schema migrations.
 */
export function runPostgresDataMigration(
  pool: pg.Pool,
  id: string,
  fn: (client: pg.PoolClient) => Promise<void>,
): Promise<boolean> {
  return underMigrationLock(pool, async (apply, done) => {
    if (done.has(id)) return false;
    await apply(id, fn);
    return true;
  });
}

type Apply = (id: string, run: (client: pg.PoolClient) => Promise<unknown>) => Promise<void>;

/**
 * Holds the migration lock on one connection while `fn` applies migrations (`done`: the ids already applied), each
 * in its own transaction with its id recorded. A connection whose ROLLBACK failed is not handed out again.
 */
async function underMigrationLock<T>(
  pool: pg.Pool,
  fn: (apply: Apply, done: ReadonlySet<string>) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const apply: Apply = async (id, run) => {
    try {
      await client.query('BEGIN');
      await run(client);
      await client.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [
        id,
        new Date().toISOString(),
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw new StoreError(`migration ${id} failed: ${(err as Error).message}`, { cause: err });
    }
  };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(CREATE_TABLE);
      const done = new Set(
        (await client.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id),
      );
      return await fn(apply, done);
    } finally {
      if (!broken) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release(broken);
  }
}

/** The ids recorded in `schema_migrations`, in the order they were applied. */
export async function listAppliedPostgresMigrations(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY ord');
  return result.rows.map((r) => r.id);
}
