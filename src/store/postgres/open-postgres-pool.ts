import pg from 'pg';
import type { Logger } from 'pino';
import { StoreError } from '../store-error.js';
import { runPostgresMigrations, type Migration } from './migrate.js';

/** Where a PostgreSQL store connects: the URL (from `store.postgres.urlEnv`) and the pool's size. */
export interface PostgresConnection {
  url: string;
  poolSize?: number;
  /** names the connections in pg_stat_activity (the replica name) */
  applicationName?: string;
  /** a schema of its own (created if missing) instead of the URL's search_path: a second SCIM source's tables */
  schema?: string;
}

export type Queryable = pg.Pool | pg.PoolClient;

// COUNT(*), BIGINT sequences and epoch milliseconds come back as numbers: every one of them fits a double.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A pool of connections to the store's database; its idle errors are logged by the caller, never thrown. */
export function openPostgresPool(connection: PostgresConnection, onError?: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: connection.schema ? withSearchPath(connection.url, connection.schema) : connection.url,
    max: connection.poolSize ?? 10,
    types,
    ...(connection.applicationName && { application_name: connection.applicationName }),
  });
  // A connection that breaks while idle in the pool emits here; without a listener the process would crash.
  pool.on('error', (err) => onError?.(err));
  return pool;
}

/** The URL with its connections' search_path set to `schema` (the URL's own `options` would win over the config's). */
function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schemaName(schema)}`);
  return parsed.toString();
}

/**
 * The pool of a PostgreSQL store part (the store, the run queue, a SCIM repository): connected, its schema made
 * (when it names one) and migrated, or closed again and the error thrown. Idle connection errors are logged.
 */
export async function openMigratedPool(
  connection: PostgresConnection,
  options: { what: string; migrations: readonly Migration[]; logger?: Logger },
): Promise<{ pool: pg.Pool; applied: string[] }> {
  const pool = openPostgresPool(connection, (err) =>
    options.logger?.warn({ err: err.message }, 'idle connection failed'),
  );
  try {
    await checkConnection(pool, options.what);
    await ensureSchema(connection);
    return { pool, applied: await runPostgresMigrations(pool, options.migrations) };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/** Closes a pool once; the store's `close()` may be called twice. */
export function closeOnce(pool: pg.Pool): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= pool.end());
}

/** PostgreSQL error codes the helpers below look at. */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export const pgErrorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;

export const pgConstraint = (err: unknown): string | undefined =>
  (err as { constraint?: string } | null)?.constraint ?? undefined;

const RETRIES = 8;

/**
 * Runs `fn` in one transaction on one connection. Writes on several replicas can deadlock (a user deleted while a
 * group gains that user) or fail serialization: PostgreSQL aborts one side, and it is retried from the start, so a
 * caller only ever sees its own errors. `fn` must therefore do nothing outside the database.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { isolation?: 'REPEATABLE READ' | 'SERIALIZABLE'; readOnly?: boolean } = {},
): Promise<T> {
  const begin = `BEGIN${options.isolation ? ` ISOLATION LEVEL ${options.isolation}` : ''}${options.readOnly ? ' READ ONLY' : ''}`;
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error; // the connection is gone: the pool must not hand it out again
      }
      const code = pgErrorCode(err);
      const retryable = code === PG.serializationFailure || code === PG.deadlockDetected;
      if (!retryable || attempt >= RETRIES) throw err;
    } finally {
      client.release(broken);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
  }
}

/** The rows of one query. */
export async function rows<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  const result = await db.query(text, values);
  return result.rows as T[];
}

/** A schema name from a config name: lower-case letters, digits and underscores only. */
export const schemaName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9_]/g, '_');

/** Creates the connection's own schema, if it names one, before its pool (whose search_path it is) is used. */
export async function ensureSchema(connection: PostgresConnection): Promise<void> {
  if (!connection.schema) return;
  const pool = openPostgresPool({ ...connection, schema: undefined, poolSize: 1 });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schemaName(connection.schema)}`);
  } catch (err) {
    throw new StoreError(`cannot create schema ${connection.schema}: ${(err as Error).message}`, { cause: err });
  } finally {
    await pool.end();
  }
}

/** Fails with a clear StoreError (no URL, which may hold a password) when the database cannot be reached. */
export async function checkConnection(pool: pg.Pool, what: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    throw new StoreError(`${what}: cannot reach the PostgreSQL database: ${(err as Error).message}`, { cause: err });
  }
}
