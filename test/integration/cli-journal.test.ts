import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, makeWorkspace } from '../support/e2e-setup.js';
import { parseJsonOutput } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
interface Verdict {
  ok: boolean;
  records: number;
  head: { sequence: number; hash: string } | null;
  firstBad?: { sequence: number; problem: string };
  pins: { source: string; ok: boolean; problem?: string }[];
}

/** Where the CLI under test keeps its store, and how the test deletes a journal record behind its back. */
interface StoreUnderTest {
  open(): Promise<{ config: string; env: Record<string, string> }>;
  deleteRecord(sequence: number): Promise<void>;
  close(): Promise<void>;
}

const sqliteStore = (): StoreUnderTest => ({
  open: async () => ({ config: '{ sqlite: ./data/store.db }', env: {} }),
  deleteRecord: async (sequence) => {
    const db = new Database(ws.files.store);
    db.prepare('DELETE FROM journal WHERE sequence = ?').run(sequence);
    db.close();
  },
  close: async () => {},
});

const postgresStore = (): StoreUnderTest => {
  let database: TestDatabase | undefined;
  return {
    open: async () => {
      database = await createTestDatabase('cli_journal');
      return { config: '{ postgres: { urlEnv: DATABASE_URL, poolSize: 2 } }', env: { DATABASE_URL: database.url } };
    },
    deleteRecord: async (sequence) => {
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      await client.query('DELETE FROM journal WHERE sequence = $1', [sequence]);
      await client.end();
    },
    close: async () => database?.drop(),
  };
};

let ws: ReturnType<typeof makeWorkspace>;

/** The keyed, pinnable journal through the real CLI: verify --json, --expect-head, checkpoints, the re-key. */
describe.each([
  ['SQLite', sqliteStore],
  ['PostgreSQL', postgresStore],
])('journal verify, checkpoints and rekey through the CLI on %s', (_name, makeStore) => {
  const db = makeStore();
  let standIn: StandIn;
  let KEY: Record<string, string>;
  const checkpoints = () => path.join(ws.dir, 'checkpoints.jsonl');
  const configure = (journal: string) =>
    fs.writeFileSync(
      ws.files.config,
      fs.readFileSync(ws.files.config, 'utf8').replace(/^journal:.*\n/m, '') + `journal: ${journal}\n`,
    );

  beforeAll(async () => {
    const { config, env } = await db.open();
    KEY = { JOURNAL_KEY: 'cli-journal-key-0123456789abcdef', ...env };
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl, { store: config });
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
    await db.close();
  });

  it('re-keys an unkeyed journal only when asked, journaling the actor', async () => {
    const unkeyed = { ...KEY, JOURNAL_KEY: '' };
    expect((await ws.cli(['sync'], unkeyed)).code).toBe(0);
    expect((await ws.cli(['sync', '--dry-run'], unkeyed)).code).toBe(0);
    configure('{ keyEnv: JOURNAL_KEY, checkpointFile: ./checkpoints.jsonl }');

    const before = await ws.cli(['journal', 'verify'], KEY);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('record #1');
    expect(before.stdout).toContain('journal rekey');

    const rekey = await ws.cli(['journal', 'rekey', '--actor', 'auditor@example.com'], KEY);
    expect(rekey.stderr).toBe('');
    expect(rekey.code).toBe(0);
    expect(rekey.stdout).toMatch(/re-keyed 2 record\(s\); journaled as #3/);
    const record = await ws.json<JournalRecord>(
      ['journal', 'show', (await ws.json<{ runs: { id: string }[] }>(['journal', 'list'], KEY)).runs[0]!.id],
      KEY,
    );
    expect(record).toMatchObject({ trigger: 'rekey', actor: 'auditor@example.com', hashAlg: 'hmac-sha256' });
  });

  it('prints { ok, records, head } and writes a signed checkpoint after every run', async () => {
    expect((await ws.cli(['sync'], KEY)).code).toBe(0);
    const verdict = parseJsonOutput<Verdict>(await ws.cli(['journal', 'verify', '--json'], KEY));
    expect(verdict).toMatchObject({
      ok: true,
      records: 4,
      head: { sequence: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const last = JSON.parse(fs.readFileSync(checkpoints(), 'utf8').trim().split('\n').at(-1)!);
    expect(last).toMatchObject({
      sequence: 4,
      hash: verdict.head!.hash,
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(verdict.pins).toEqual([expect.objectContaining({ source: 'checkpoint', ok: true })]);

    const pinned = await ws.cli(['journal', 'verify', '--expect-head', `4:${verdict.head!.hash}`], KEY);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain('journal ok');
    expect((await ws.cli(['journal', 'verify', '--expect-head', 'four'], KEY)).code).toBe(2);
  });

  it('lists and shows without the key, but does not verify or sync without it', async () => {
    const noKey = { ...KEY, JOURNAL_KEY: '' };
    expect((await ws.cli(['journal', 'list'], noKey)).code).toBe(0);
    const verify = await ws.cli(['journal', 'verify'], noKey);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('journal.keyEnv: environment variable JOURNAL_KEY is not set');
    const sync = await ws.cli(['sync'], noKey);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('JOURNAL_KEY');
  });

  it('exits 1 when the last record was deleted: the checkpoint and the pinned head catch it', async () => {
    const head = parseJsonOutput<Verdict>(await ws.cli(['journal', 'verify', '--json'], KEY)).head!;
    await db.deleteRecord(head.sequence);
    fs.writeFileSync(checkpoints(), ''); // the attacker empties the file too: the pin still catches it
    const result = await ws.cli(['journal', 'verify', '--json', '--expect-head', `${head.sequence}:${head.hash}`], KEY);
    expect(result.code).toBe(1);
    const verdict = parseJsonOutput<Verdict>(result);
    expect(verdict.ok).toBe(false);
    expect(verdict.pins.map((p) => [p.source, p.ok])).toEqual([
      ['checkpoint', false],
      ['expect-head', false],
    ]);
  });

  it('moves the journal to a new key only when given the old one (--from-key-env), journaling the actor', async () => {
    const newKey = { ...KEY, JOURNAL_KEY: 'cli-journal-new-key-fedcba9876543210', OLD_KEY: KEY.JOURNAL_KEY! };
    expect((await ws.cli(['journal', 'verify'], newKey)).code).toBe(1);
    const refused = await ws.cli(['journal', 'rekey', '--actor', 'auditor@example.com'], newKey);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/does not verify as it stands \(record #1 .*under the journal key\); not re-keyed/);
    const missing = await ws.cli(['journal', 'rekey', '--from-key-env', 'NO_SUCH_KEY'], newKey);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--from-key-env: environment variable NO_SUCH_KEY is not set');

    const rekey = await ws.cli(
      ['journal', 'rekey', '--from-key-env', 'OLD_KEY', '--actor', 'auditor@example.com', '--json'],
      newKey,
    );
    expect(rekey.code).toBe(0);
    const { rekeyed, record } = parseJsonOutput<{ rekeyed: number; record: { id: string; sequence: number } }>(rekey);
    expect(record.sequence).toBe(rekeyed + 1);
    expect(await ws.json<JournalRecord>(['journal', 'show', record.id], newKey)).toMatchObject({
      trigger: 'rekey',
      actor: 'auditor@example.com',
    });
    expect(parseJsonOutput<Verdict>(await ws.cli(['journal', 'verify', '--json'], newKey))).toMatchObject({
      ok: true,
      records: record.sequence,
    });
    expect((await ws.cli(['journal', 'verify'], KEY)).code).toBe(1);
  });
});
