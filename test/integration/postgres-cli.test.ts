import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalSummary } from '../../src/ports/store.js';
import { startTestStandIn } from '../support/stand-in.js';
import { changeByHand, makeWorkspace, teammates } from '../support/e2e-setup.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** The CLI with `store: { postgres: … }`: the same loop as on SQLite, every record in the PostgreSQL database. */
describe('the CLI on a PostgreSQL store', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let database: TestDatabase;
  let ws: ReturnType<typeof makeWorkspace>;
  const env = () => ({ HAS_DB: database.url });

  beforeAll(async () => {
    database = await createTestDatabase('cli');
    standIn = await startTestStandIn({ token: 'e2e-heap-token' });
    ws = makeWorkspace(standIn.scimUrl, { store: '{ postgres: { urlEnv: HAS_DB, poolSize: 2 } }' });
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
    await database?.drop();
  });

  it('syncs, finds and reverts drift, and journals both runs in a chain that verifies', async () => {
    expect((await ws.cli(['sync'], env())).code).toBe(0);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');
    await changeByHand(standIn.url, 'alice@example.com', 'project:web-prod', 'Admin');
    expect((await ws.cli(['sync'], env())).code).toBe(0);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');
    const { runs: journal } = await ws.json<{ runs: JournalSummary[] }>(['journal', 'list'], env());
    expect(journal.map((s) => s.sequence)).toEqual([2, 1]);
    expect(journal[0]?.drift).toBe(1);
    const verify = await ws.cli(['journal', 'verify'], env());
    expect(verify.code).toBe(0);
  });

  it('names the variable when the database URL is not set, and writes nothing', async () => {
    const result = await ws.cli(['journal', 'list'], { HAS_DB: '' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('store.postgres.urlEnv: environment variable HAS_DB is not set');
  });

  it('says the database cannot be reached without printing the URL or its password', async () => {
    const result = await ws.cli(['journal', 'list'], { HAS_DB: 'postgres://postgres:hunter2@127.0.0.1:1/none' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/cannot reach the PostgreSQL database/);
    expect(result.stderr).not.toContain('hunter2');
  });
});
