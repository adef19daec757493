/**
 * The cost of the keyed journal (issue 10): the record of a first sync of 10,000 users (every user in the
 * pre- and post-sync state, one change per entitlement) hashed with plain SHA-256 and with HMAC-SHA256 under a
 * key, and committed to SQLite both ways. The difference is what keying the journal adds to a run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Access } from '../../src/domain/entitlement.js';
import type { ChangeResult } from '../../src/domain/journal.js';
import type { Change } from '../../src/domain/plan.js';
import type { NewJournalRecord } from '../../src/ports/store.js';
import { createHash, createHmac } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, createJournalHasher } from '../../src/store/journal-hash.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';

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

async function timeCommit(key: string | null, content: NewJournalRecord): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-journal-'));
  try {
    const store = openSqliteStore(path.join(dir, 'store.db'), { journalHasher: createJournalHasher(key) });
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t0 = performance.now();
      await store.commitRun({ ...content, id: `run-${i}` }, new Map());
      times.push(performance.now() - t0);
    }
    await store.close();
    return median(times);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const content = record('bench');
  const bytes = JSON.stringify(content).length;
  const plainHash = timeHash(null, content);
  const keyedHash = timeHash('bench-journal-key-0123456789abcdef', content);
  const text = canonicalJson({ ...content, sequence: 1, prevHash: GENESIS_HASH });
  const plainDigest = timeDigest(null, text);
  const keyedDigest = timeDigest('bench-journal-key-0123456789abcdef', text);
  const plainCommit = await timeCommit(null, content);
  const keyedCommit = await timeCommit('bench-journal-key-0123456789abcdef', content);
  console.log(
    `journal record of a ${USERS}-user first sync: ${(bytes / 1e6).toFixed(1)} MB, ` +
      `${content.plan!.changes.length} changes (median of ${REPEAT})`,
  );
  console.log(
    `  hash   sha256 ${plainHash.toFixed(1)} ms   hmac-sha256 ${keyedHash.toFixed(1)} ms   ` +
      `keyed cost ${(keyedHash - plainHash).toFixed(1)} ms`,
  );
  console.log(
    `  digest sha256 ${plainDigest.toFixed(1)} ms   hmac-sha256 ${keyedDigest.toFixed(1)} ms   ` +
      `keyed cost ${(keyedDigest - plainDigest).toFixed(1)} ms`,
  );
  console.log(
    `  commit sha256 ${plainCommit.toFixed(1)} ms   hmac-sha256 ${keyedCommit.toFixed(1)} ms   ` +
      `keyed cost ${(keyedCommit - plainCommit).toFixed(1)} ms`,
  );
}
