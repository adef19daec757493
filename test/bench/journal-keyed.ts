/**
 * The cost of the keyed journal (issue 10): the record of a first sync of 10,000 users (every user in the
 * pre- and post-sync state, one change per entitlement) hashed with plain SHA-256 and with HMAC-SHA256 under a
 * key, committed and verified both ways on SQLite and on PostgreSQL side by side. The difference is what keying the
 * journal adds to a run. PostgreSQL at 127.0.0.1:5432 (TEST_POSTGRES_URL); a database is created and dropped.
 *   npm run bench -- journal-keyed     (BENCH_JOURNAL_USERS=10000)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Access } from '../../src/domain/entitlement.js';
import type { ChangeResult } from '../../src/domain/journal.js';
import type { Change } from '../../src/domain/plan.js';
import type { NewJournalRecord, Store } from '../../src/ports/store.js';
import { createHash, createHmac } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, createJournalHasher } from '../../src/store/journal-hash.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const USERS = Number(process.env.BENCH_JOURNAL_USERS ?? 10_000);
const REPEAT = 7;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function record(id: string): NewJournalRecord {
  const post: Record<string, Access> = {};
  const changes: Change[] = [];
  for (let i = 0; i < USERS; i++) {
    const user = `user${i}@example.com`;
    const access: Access = {
      membership: 'active',
      org: i % 50 === 0 ? 'Admin' : 'Member',
      'project:web-prod': i % 3 === 0 ? 'Member' : 'Viewer',
      'project:web-staging': 'Admin',
      'module:govern:web-prod': 'viewer',
    };
    post[user] = access;
    for (const [entitlement, to] of Object.entries(access)) {
      changes.push({
        user,
        entitlement,
        from: null,
        to,
        cause: 'idp-change',
        reasons: [{ rule: 'analysts', group: 'Analytics', source: 'file' }],
        risk: ['broadens-access'],
        blocked: null,
      });
    }
  }
  return {
    id,
    trigger: 'cli',
    actor: 'bench',
    startedAt: '2026-12-01T00:00:00.000Z',
    endedAt: '2026-12-01T00:01:00.000Z',
    status: 'succeeded',
    mappingVersion: 'bench',
    identityVersion: 'bench',
    scope: null,
    preSync: {},
    plan: {
      changes,
      drift: [],
      held: false,
      heldBy: null,
      summary: {
        users: USERS,
        changes: changes.length,
        blocked: 0,
        revocations: 0,
        drift: 0,
        byCause: { 'idp-change': changes.length },
        orgAdminsAfter: USERS / 50,
        risk: [],
      },
      warnings: [],
    },
    results: changes.map((change): ChangeResult => ({ change, outcome: 'applied', attempts: 1 })),
    postSync: post,
    postSyncDiff: [],
  };
}

function timeHash(key: string | null, content: NewJournalRecord): number {
  const hasher = createJournalHasher(key);
  const chained = { ...content, sequence: 1, prevHash: GENESIS_HASH };
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    hasher.hash(chained);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The digest alone, over the canonical text: what the key itself costs, without the serialization both share. */
function timeDigest(key: string | null, text: string): number {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    (key === null ? createHash('sha256') : createHmac('sha256', key)).update(text).digest('hex');
    times.push(performance.now() - t0);
  }
  return median(times);
}

const KEY = 'bench-journal-key-0123456789abcdef';

type OpenStore = (key: string | null) => Promise<{ store: Store; close(): Promise<void> }>;

const sqlite: OpenStore = async (key) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-journal-'));
  const store = openSqliteStore(path.join(dir, 'store.db'), { journalHasher: createJournalHasher(key) });
  return { store, close: async () => (await store.close(), fs.rmSync(dir, { recursive: true, force: true })) };
};

const postgres =
  (database: TestDatabase): OpenStore =>
  async (key) => {
    const url = await database.schemaUrl(key ? 'keyed' : 'plain');
    const store = await openPostgresStore({ url, poolSize: 2 }, { journalHasher: createJournalHasher(key) });
    return { store, close: () => store.close() };
  };

/** median ms of one commit of the record, and of verifying the chain of REPEAT such records */
async function timeStore(open: OpenStore, key: string | null, content: NewJournalRecord) {
  const { store, close } = await open(key);
  try {
    const commits: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      await store.commitRun({ ...content, id: `run-${i}` }, new Map());
      commits.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const verdict = await store.verifyJournal();
    const verify = performance.now() - t0;
    if (!verdict.ok || verdict.records !== REPEAT) throw new Error(`the bench journal does not verify`);
    return { commit: median(commits), verify };
  } finally {
    await close();
  }
}

const row = (what: string, plain: number, keyed: number) =>
  `  ${what.padEnd(18)} sha256 ${plain.toFixed(1).padStart(7)} ms   hmac-sha256 ${keyed.toFixed(1).padStart(7)} ms   ` +
  `keyed cost ${(keyed - plain).toFixed(1).padStart(6)} ms`;

export async function run(): Promise<void> {
  const content = record('bench');
  const bytes = JSON.stringify(content).length;
  const plainHash = timeHash(null, content);
  const keyedHash = timeHash(KEY, content);
  const text = canonicalJson({ ...content, sequence: 1, prevHash: GENESIS_HASH });
  const plainDigest = timeDigest(null, text);
  const keyedDigest = timeDigest(KEY, text);
  const database = await createTestDatabase('bench_journal');
  const stores: [string, OpenStore][] = [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres(database)],
  ];
  const timed: [string, Awaited<ReturnType<typeof timeStore>>, Awaited<ReturnType<typeof timeStore>>][] = [];
  try {
    for (const [name, open] of stores) {
      timed.push([name, await timeStore(open, null, content), await timeStore(open, KEY, content)]);
    }
  } finally {
    await database.drop();
  }
  console.log(
    `journal record of a ${USERS}-user first sync: ${(bytes / 1e6).toFixed(1)} MB, ` +
      `${content.plan!.changes.length} changes (median of ${REPEAT})`,
  );
  console.log(row('hash', plainHash, keyedHash));
  console.log(row('digest', plainDigest, keyedDigest));
  for (const [name, plain, keyed] of timed) {
    console.log(row(`commit ${name}`, plain.commit, keyed.commit));
    console.log(row(`verify ${name}`, plain.verify / REPEAT, keyed.verify / REPEAT) + '   (per record)');
  }
}
