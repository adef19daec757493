import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../../src/store/postgres/open-postgres-store.js';
import { listAppliedPostgresMigrations } from '../../../../src/store/postgres/migrate.js';
import { openPostgresPool } from '../../../../src/store/postgres/open-postgres-pool.js';
import { hashJournalRecord } from '../../../../src/store/journal-hash.js';
import { buildRecord, runStoreContract } from '../../../contract/store.contract.js';
import { createTestDatabase, type TestDatabase } from '../../../support/postgres.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('store');
});
afterAll(async () => {
  await database.drop();
});

runStoreContract('postgres', async (name) => {
  const url = await database.schemaUrl(name);
  return {
    store: await openPostgresStore({ url, poolSize: 4 }),
    reopen: async (options) => openPostgresStore({ url, poolSize: 4 }, options),
    execute: async (sql, values = []) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        let n = 0;
        return (
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            values,
          )
        ).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    cleanup: async () => {},
  };
});

describe('PostgreSQL store', () => {
  const withPool = async <T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    const pool = openPostgresPool({ url, poolSize: 2 });
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
  };

  it('migrates once when five replicas open a new database at the same moment', async () => {
    const url = await database.schemaUrl('concurrent-open');
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore({ url, poolSize: 2 })));
    try {
      const applied = await withPool(url, listAppliedPostgresMigrations);
      expect(applied.filter((id) => id.startsWith('core-'))).toEqual([
        'core-001-baseline',
        'core-002-journal',
        'core-003-exceptions',
        'core-004-held-plans',
        'core-005-alert-state',
        'core-006-source-state',
        'core-007-locks',
        'core-008-pending-runs',
        'core-009-tasks',
        'core-010-reviews',
        'core-011-approvals',
        'core-012-claims',
        'core-013-drift-sightings',
        'core-014-sessions',
        'core-015-alert-state-version',
        'core-016-journal-users',
        'core-017-exception-requester',
        'core-018-baseline-reasons',
        // the data migration filling the per-user journal index: once, though five opened at once
        'core-016-journal-users-backfill',
      ]);
      // and they share one journal chain
      await Promise.all(stores.map((s, i) => s.commitRun(buildRecord(`r${i}`), new Map())));
      expect(await stores[0]?.verifyJournal()).toMatchObject({ ok: true, records: 5 });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('chains 20 commits racing from four connections with no gap or fork', async () => {
    const url = await database.schemaUrl('racing-commits');
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url, poolSize: 3 })));
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % 4]?.commitRun(buildRecord(`r${i}`), new Map([[`u${i}@x.com`, { org: 'Member' }]])),
        ),
      );
      expect(await stores[1]?.verifyJournal()).toMatchObject({ ok: true, records: 20 });
      expect((await stores[2]?.getBaseline())?.size).toBe(20);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('names the record after one whose content was edited and re-hashed in the database', async () => {
    const url = await database.schemaUrl('tamper');
    const store = await openPostgresStore({ url });
    try {
      for (let i = 1; i <= 4; i += 1) await store.commitRun(buildRecord(`r${i}`), new Map());
      await withPool(url, async (pool) => {
        const { rows } = await pool.query<{ record: string }>('SELECT record FROM journal WHERE sequence = 2');
        const forged = { ...JSON.parse(rows[0]?.record ?? '{}'), actor: 'mallory' };
        forged.hash = hashJournalRecord(forged);
        await pool.query('UPDATE journal SET record = $1, hash = $2 WHERE sequence = 2', [
          JSON.stringify(forged),
          forged.hash,
        ]);
      });
      expect((await store.verifyJournal()).firstBad).toEqual({
        id: 'r3',
        sequence: 3,
        problem: "prevHash does not match the previous record's hash",
      });
    } finally {
      await store.close();
    }
  });

  it('fails with a message naming the store, not the URL, when the database cannot be reached', async () => {
    await expect(openPostgresStore({ url: 'postgres://postgres:s3cret@127.0.0.1:1/nowhere' })).rejects.toThrow(
      /^store: cannot reach the PostgreSQL database/,
    );
    await expect(openPostgresStore({ url: 'postgres://postgres:s3cret@127.0.0.1:1/nowhere' })).rejects.not.toThrow(
      /s3cret/,
    );
  });
});
