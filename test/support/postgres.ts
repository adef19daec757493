import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server every session and CI run starts (trust auth); tests never touch its `test` database's data. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  url: string;
  /** a URL whose connections use their own schema in this database: a fresh, empty store per test */
  schemaUrl(schema: string): Promise<string>;
  /** drops the database, ending any connection still open to it */
  drop(): Promise<void>;
}

/** Creates a database of its own for one test file: `has_<label>_<random>`. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `has_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  let schemas = 0;
  return {
    name,
    url: dbUrl,
    async schemaUrl(schema) {
      const id = `s${++schemas}_${schema
        .replace(/[^a-z0-9]/gi, '_')
        .toLowerCase()
        .slice(0, 40)}`;
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${id}`);
      } finally {
        await client.end();
      }
      const withSchema = new URL(dbUrl);
      withSchema.searchParams.set('options', `-c search_path=${id}`);
      return withSchema.toString();
    },
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function admin(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
