/**
 * A user's history (DESIGN §11, `journal list --user`, GET /api/users/:user/history) over a long journal: RUNS
 * records, each the full record of a run over USERS users (their post-sync state) changing ten of them, one user
 * changed in every tenth run. Before: what userHistory did until the per-user index, list the newest 5,000
 * records and read each whole (getJournal) to pick out the user's part. After: userHistory, one indexed read of
 * the user's slices (`journal_users`). Both answers are compared. Also: building the index from an existing journal
 * (the migration's backfill, on open). SQLite and PostgreSQL (127.0.0.1:5432, a database created and dropped).
 *   npm run bench -- user-history     (BENCH_HISTORY_RUNS=1000 BENCH_HISTORY_USERS=1000)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Access } from '../../src/domain/entitlement.js';
import type { HistoryEntry } from '../../src/domain/history.js';
import type { ChangeResult } from '../../src/domain/journal.js';
import type { Change } from '../../src/domain/plan.js';
import type { NewJournalRecord, Store } from '../../src/ports/store.js';
import { historyOf, userHistory } from '../../src/services/history.js';
import { JOURNAL_USERS_BACKFILL } from '../../src/store/migrations/core.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { buildPlan } from '../contract/store.contract.js';
import { createTestDatabase } from '../support/postgres.js';

const RUNS = Number(process.env.BENCH_HISTORY_RUNS ?? 1_000);
const USERS = Number(process.env.BENCH_HISTORY_USERS ?? 1_000);
const REPEAT = 5;
const WHO = 'user0@example.com';
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const user = (i: number) => `user${i % USERS}@example.com`;

function record(run: number): NewJournalRecord {
  const postSync: Record<string, Access> = {};
  for (let i = 0; i < USERS; i++) {
    postSync[user(i)] = { membership: 'active', 'project:web-prod': (i + run) % 2 ? 'Member' : 'Viewer' };
  }
  const touched = Array.from({ length: 10 }, (_, k) => user(run * 10 + k + 1));
  if (run % 10 === 0) touched.push(WHO);
  const changes = touched.map((u): Change => ({
    user: u,
    entitlement: 'project:web-prod',
    from: run % 2 ? 'Viewer' : 'Member',
    to: run % 2 ? 'Member' : 'Viewer',
    cause: 'idp-change',
    reasons: [{ rule: 'analysts', group: 'Analytics', source: 'file' }],
    risk: [],
    blocked: null,
  }));
  const at = new Date(Date.UTC(2026, 0, 1) + run * 3_600_000).toISOString();
  return {
    id: `run-${run}`,
    trigger: 'schedule',
    startedAt: at,
    endedAt: at,
    status: 'succeeded',
    mappingVersion: 'bench',
    identityVersion: 'bench',
    scope: null,
    preSync: postSync,
    plan: buildPlan(changes),
    results: changes.map((change): ChangeResult => ({ change, outcome: 'applied', attempts: 1 })),
    postSync,
    postSyncDiff: [],
  };
}

/** userHistory as it was before the index: every recent record read whole. */
async function scanHistory(store: Store, who: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for (const s of await store.listJournal({ limit: 5_000 })) {
    const full = await store.getJournal(s.id);
    if (full) entries.push(...historyOf(full, who));
  }
  return entries.sort((a, b) => a.sequence - b.sequence);
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

async function measure(
  label: string,
  open: () => Promise<Store>,
  execute: (sql: string) => Promise<void>,
): Promise<void> {
  let store = await open();
  const t0 = performance.now();
  for (let run = 1; run <= RUNS; run++) await store.commitRun(record(run), new Map());
  const writeMs = performance.now() - t0;
  const before = await time(() => scanHistory(store, WHO));
  const after = await time(() => userHistory(store, WHO));
  if (JSON.stringify(before.value) !== JSON.stringify(after.value)) {
    throw new Error(`${label}: the indexed history differs from the scanned one`);
  }
  await store.close();
  await execute('DELETE FROM journal_users');
  await execute(`DELETE FROM schema_migrations WHERE id = '${JOURNAL_USERS_BACKFILL}'`);
  const t1 = performance.now();
  store = await open();
  const backfillMs = performance.now() - t1;
  const rebuilt = await userHistory(store, WHO);
  await store.close();
  if (JSON.stringify(rebuilt) !== JSON.stringify(after.value)) throw new Error(`${label}: backfill differs`);
  console.log(
    `${label}: ${RUNS} runs of ${USERS} users written in ${(writeMs / 1000).toFixed(1)} s; ${WHO}: ` +
      `${after.value.length} entries; before (read every record) ${before.ms.toFixed(1)} ms, ` +
      `after (one indexed read) ${after.ms.toFixed(2)} ms (medians of ${REPEAT}, ${(before.ms / after.ms).toFixed(0)}x); ` +
      `backfilling the index of the whole journal on open ${(backfillMs / 1000).toFixed(2)} s`,
  );
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-user-history-'));
  try {
    const file = path.join(dir, 'store.db');
    const Database = (await import('better-sqlite3')).default;
    await measure(
      'sqlite',
      async () => openSqliteStore(file),
      async (sql) => {
        const db = new Database(file);
        db.exec(sql);
        db.close();
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const database = await createTestDatabase('bench_user_history');
  try {
    const pg = (await import('pg')).default;
    await measure(
      'postgres',
      () => openPostgresStore({ url: database.url, poolSize: 3 }),
      async (sql) => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query(sql);
        await client.end();
      },
    );
  } finally {
    await database.drop();
  }
}
