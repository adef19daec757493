import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GrantReasons } from '../../src/domain/desired.js';
import type { Access } from '../../src/domain/entitlement.js';
import type { AccessException } from '../../src/domain/exception.js';
import type { ChangeResult } from '../../src/domain/journal.js';
import type { Change, DriftItem, Plan } from '../../src/domain/plan.js';
import type { ReviewCampaign, ReviewItem } from '../../src/domain/review.js';
import type { Session } from '../../src/domain/session.js';
import type { AssistedTask } from '../../src/domain/task.js';
import type { PendingApproval } from '../../src/domain/approval.js';
import type { AlertState, HeldPlan, NewJournalRecord, Store } from '../../src/ports/store.js';
import { GENESIS_HASH, hashJournalRecord, type JournalHasher } from '../../src/store/journal-hash.js';
import { JOURNAL_USERS_BACKFILL } from '../../src/store/migrations/core.js';
import { describeKeyedJournal } from './keyed-journal.contract.js';

/** How a fixture opens a store: the journal's hasher (its key), unkeyed by default. */
export interface StoreOptions {
  journalHasher?: JournalHasher;
}

/** A store under test, over data of its own. */
export interface StoreFixture {
  store: Store;
  /** opens another store over the same data: a second connection, or the process started again */
  reopen(options?: StoreOptions): Promise<Store>;
  /**
   * Runs SQL (`?` placeholders) on the data directly, as anyone who can write the database could (tamper tests);
   * the rows of a query, [] for a statement.
   */
  execute(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** removes the data; the suite has closed every store it opened by then */
  cleanup(): Promise<void>;
}

/**
 * Opens a new store over new, empty data. `name` is the test's, for implementations that name a database or
 * schema after it.
 */
export type OpenStoreFixture = (name: string) => Promise<StoreFixture>;

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();

export function buildChange(overrides: Partial<Change> = {}): Change {
  return {
    user: 'alice@example.com',
    entitlement: 'project:web-prod',
    from: null,
    to: 'Member',
    cause: 'idp-change',
    reasons: [{ rule: 'prod-members', group: 'Heap Prod', source: 'file' }],
    risk: ['broadens-access'],
    blocked: null,
    ...overrides,
  };
}

export function buildDrift(overrides: Partial<DriftItem> = {}): DriftItem {
  return {
    user: 'dave@example.com',
    entitlement: 'org',
    baseline: 'Member',
    actual: 'Admin',
    desired: 'Member',
    cause: 'manual-override',
    action: 'revert',
    suggestion: '',
    suggestedActions: [],
    ...overrides,
  };
}

export function buildPlan(changes: Change[], drift: DriftItem[] = []): Plan {
  return {
    changes,
    drift,
    held: false,
    heldBy: null,
    summary: {
      users: new Set(changes.map((c) => c.user)).size,
      changes: changes.length,
      blocked: changes.filter((c) => c.blocked).length,
      revocations: changes.filter((c) => c.to === null).length,
      drift: drift.length,
      byCause: { 'idp-change': changes.length },
      orgAdminsAfter: 1,
      risk: [],
    },
    warnings: [],
  };
}

export function buildRecord(id: string, overrides: Partial<NewJournalRecord> = {}): NewJournalRecord {
  const changes = [buildChange(), buildChange({ user: 'bob@example.com', to: 'Admin', risk: ['production-admin'] })];
  return {
    id,
    trigger: 'cli',
    actor: 'ops@example.com',
    startedAt: iso(0),
    endedAt: iso(1_000),
    status: 'succeeded',
    mappingVersion: 'map-1',
    identityVersion: 'id-1',
    scope: null,
    preSync: { 'alice@example.com': { membership: 'active' } },
    plan: buildPlan(changes),
    results: changes.map((change): ChangeResult => ({ change, outcome: 'applied', attempts: 1 })),
    postSync: { 'alice@example.com': { membership: 'active', 'project:web-prod': 'Member' } },
    postSyncDiff: [],
    ...overrides,
  };
}

export function buildException(id: string, overrides: Partial<AccessException> = {}): AccessException {
  return {
    id,
    user: 'alice@example.com',
    entitlement: 'project:web-prod',
    value: 'Admin',
    reason: 'incident 42',
    approver: 'lead@example.com',
    createdAt: iso(0),
    expiresAt: iso(86_400_000),
    ...overrides,
  };
}

export function buildReviewCampaign(id: string, overrides: Partial<ReviewCampaign> = {}): ReviewCampaign {
  return {
    id,
    createdAt: iso(0),
    createdBy: 'admin@example.com',
    dueAt: iso(14 * 86_400_000),
    status: 'open',
    project: null,
    reviewers: ['rita@example.com'],
    journalStart: { sequence: 0, hash: GENESIS_HASH },
    journalEnd: null,
    previous: null,
    items: 2,
    closedAt: null,
    closedBy: null,
    remediation: null,
    ...overrides,
  };
}

export function buildReviewItem(id: string, overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id,
    user: 'bob@example.com',
    entitlement: 'project:web-prod',
    actual: 'Admin',
    desired: 'Member',
    drift: true,
    reasons: ['rule analysts (group Analytics, okta)'],
    exception: null,
    suggestion: null,
    lastActiveAt: null,
    ownedAssets: 3,
    flags: ['admin', 'drift'],
    unchangedSince: null,
    decision: null,
    ...overrides,
  };
}

export function buildTask(id: string, overrides: Partial<AssistedTask> = {}): AssistedTask {
  return {
    id,
    user: 'alice@example.com',
    entitlement: 'org',
    from: 'Member',
    to: 'Admin',
    enforcement: 'unobservable',
    step: 'Account → Manage → Members → alice@example.com → Organization Role: Member → Admin',
    why: 'rule org-admins (group Heap Admins)',
    status: 'open',
    createdAt: iso(0),
    updatedAt: iso(0),
    runId: 'run-1',
    history: [{ at: iso(0), action: 'opened', actor: 'sync', runId: 'run-1' }],
    ...overrides,
  };
}

export function buildApproval(id: string, overrides: Partial<PendingApproval> = {}): PendingApproval {
  return {
    id,
    user: 'alice@example.com',
    entitlement: 'org',
    from: 'Member',
    value: 'Admin',
    ground: 'org-admin',
    origin: 'idp',
    requestedBy: 'idp',
    exceptionId: null,
    runId: 'run-1',
    createdAt: iso(0),
    expiresAt: iso(7 * 24 * 3600),
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
    reason: null,
    appliedRunId: null,
    ...overrides,
  };
}

/** A pid of this host that certainly belongs to no process: a child that has already exited and been reaped. */
export function findDeadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (typeof child.pid !== 'number' || child.status !== 0) throw new Error('could not spawn node to find a dead pid');
  return child.pid;
}

/** The suite every Store implementation runs (SQLite now, PostgreSQL later), each part of it on every one. */
export function runStoreContract(name: string, openFixture: OpenStoreFixture): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    const openStores = new Set<Store>();
    const reopen = async (options?: StoreOptions) => {
      const opened = await fixture.reopen(options);
      openStores.add(opened);
      return opened;
    };
    const closeStore = async (s: Store) => {
      openStores.delete(s);
      await s.close();
    };

    beforeEach(async (context) => {
      fixture = await openFixture(context.task.name);
      store = fixture.store;
      openStores.add(store);
    });
    afterEach(async () => {
      for (const s of openStores) await s.close();
      openStores.clear();
      await fixture.cleanup();
    });

    describe('baseline', () => {
      const alice: Access = { membership: 'active', org: 'Member', 'project:web-prod': 'Admin' };
      const bob: Access = { membership: 'active', 'module:govern:web-prod': 'editor' };

      it('is empty before any run: no user has been reconciled', async () => {
        expect(await store.getBaseline()).toEqual(new Map());
      });

      it('round-trips each user access and reads a subset', async () => {
        await store.commitRun(
          buildRecord('r1'),
          new Map([
            ['alice@example.com', alice],
            ['bob@example.com', bob],
            ['carol@example.com', {}],
          ]),
        );
        expect(await store.getBaseline()).toEqual(
          new Map<string, Access>([
            ['alice@example.com', alice],
            ['bob@example.com', bob],
            ['carol@example.com', {}],
          ]),
        );
        expect(await store.getBaseline(['bob@example.com', 'nobody@example.com'])).toEqual(
          new Map([['bob@example.com', bob]]),
        );
      });

      it('replaces a user whole and removes users given null, leaving the others alone', async () => {
        await store.commitRun(
          buildRecord('r1'),
          new Map([
            ['alice@example.com', alice],
            ['bob@example.com', bob],
          ]),
        );
        await store.commitRun(
          buildRecord('r2'),
          new Map<string, Access | null>([
            ['alice@example.com', { membership: 'deactivated' }],
            ['bob@example.com', null],
            ['never@example.com', null],
          ]),
        );
        expect(await store.getBaseline()).toEqual(new Map([['alice@example.com', { membership: 'deactivated' }]]));
      });

      it('keeps the rules behind each value with the row, read back after a restart; none known when written without', async () => {
        const ga = { 'project:web-prod': [{ rule: 'a', group: 'GA', source: 'file' }] };
        await store.commitRun(
          buildRecord('r1'),
          new Map([
            ['alice@example.com', alice],
            ['bob@example.com', bob],
          ]),
          { reasons: new Map([['alice@example.com', ga]]) },
        );
        const expected = new Map([
          ['alice@example.com', ga],
          ['bob@example.com', null],
        ]);
        expect(await store.getBaselineReasons()).toEqual(expected);
        await closeStore(store);
        const again = await reopen();
        expect(await again.getBaselineReasons()).toEqual(expected);
        expect(await again.getBaselineReasons(['alice@example.com', 'nobody@example.com'])).toEqual(
          new Map([['alice@example.com', ga]]),
        );
      });

      it('replaces the reasons of a user whose access stays, and drops them with the row', async () => {
        const both = {
          'project:web-prod': [
            { rule: 'a', group: 'GA', source: 'file' },
            { rule: 'b', group: 'GB', source: 'file' },
          ],
        };
        const onlyB = { 'project:web-prod': [{ rule: 'b', group: 'GB', source: 'file' }] };
        await store.commitRun(
          buildRecord('r1'),
          new Map([
            ['alice@example.com', alice],
            ['bob@example.com', bob],
          ]),
          {
            reasons: new Map<string, GrantReasons>([
              ['alice@example.com', both],
              ['bob@example.com', {}],
            ]),
          },
        );
        await store.commitRun(buildRecord('r2'), new Map([['bob@example.com', null]]), {
          reasons: new Map([['alice@example.com', onlyB]]),
        });
        expect(await store.getBaseline()).toEqual(new Map([['alice@example.com', alice]]));
        expect(await store.getBaselineReasons()).toEqual(new Map([['alice@example.com', onlyB]]));
      });

      it('reads a row written before reasons were kept (the column empty) as null: unknown', async () => {
        await store.commitRun(buildRecord('r1'), new Map([['alice@example.com', alice]]), {
          reasons: new Map([['alice@example.com', {}]]),
        });
        await fixture.execute('UPDATE baseline SET reasons = NULL');
        expect(await store.getBaselineReasons()).toEqual(new Map([['alice@example.com', null]]));
        expect(await store.getBaseline()).toEqual(new Map([['alice@example.com', alice]]));
      });
    });

    describe('journal', () => {
      it('chains records: sequence 1, 2, 3, each prevHash the previous hash, from the genesis hash', async () => {
        const first = await store.commitRun(buildRecord('r1'), new Map());
        const second = await store.commitRun(buildRecord('r2', { status: 'partial' }), new Map());
        const third = await store.commitRun(buildRecord('r3', { status: 'dry-run', results: [] }), new Map());
        expect([first.sequence, second.sequence, third.sequence]).toEqual([1, 2, 3]);
        expect(first.prevHash).toBe(GENESIS_HASH);
        expect(second.prevHash).toBe(first.hash);
        expect(third.prevHash).toBe(second.hash);
        expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hashJournalRecord(second)).toBe(second.hash);
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 3 });
      });

      it('returns the committed record unchanged by id, and null for an unknown id', async () => {
        const committed = await store.commitRun(
          buildRecord('r1', { error: 'one change failed', approvedRun: 'held-7' }),
          new Map(),
        );
        expect(committed).toMatchObject(buildRecord('r1', { error: 'one change failed', approvedRun: 'held-7' }));
        expect(await store.getJournal('r1')).toEqual(committed);
        expect(await store.getJournal('nope')).toBeNull();
      });

      it('verifies an empty journal', async () => {
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 0 });
      });

      it('writes neither record nor baseline when a baseline write fails, and leaves no sequence gap', async () => {
        await store.commitRun(buildRecord('r1'), new Map([['alice@example.com', { org: 'Member' }]]));
        const invalid = { org: 42 } as unknown as Access;
        const rows = new Map<string, Access | null>([
          ['alice@example.com', { org: 'Admin' }],
          ['zed@example.com', invalid],
        ]);
        await expect(store.commitRun(buildRecord('r2'), rows)).rejects.toThrow();
        expect(await store.getJournal('r2')).toBeNull();
        expect((await store.listJournal()).map((s) => s.id)).toEqual(['r1']);
        expect(await store.getBaseline()).toEqual(new Map([['alice@example.com', { org: 'Member' }]]));
        expect((await store.commitRun(buildRecord('r3'), new Map())).sequence).toBe(2);
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 2 });
      });

      it('refuses a second record with the same id and keeps its baseline unwritten', async () => {
        await store.commitRun(buildRecord('r1'), new Map());
        await expect(
          store.commitRun(buildRecord('r1'), new Map([['alice@example.com', { org: 'Admin' }]])),
        ).rejects.toThrow();
        expect(await store.getBaseline()).toEqual(new Map());
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 1 });
      });

      it('keeps a pending run until the commit that journals it removes it, atomically', async () => {
        await store.putPendingRun({ id: 'r1', startedAt: '2026-01-01T00:00:00.000Z', record: buildRecord('r1') });
        await store.putPendingRun({ id: 'r2', startedAt: '2026-01-01T00:01:00.000Z', record: buildRecord('r2') });
        expect((await store.listPendingRuns()).map((p) => p.id)).toEqual(['r1', 'r2']);
        expect((await store.listPendingRuns())[0]?.record).toEqual(buildRecord('r1'));
        const bad = new Map([['alice@example.com', 'not an access object' as unknown as Access]]);
        await expect(store.commitRun(buildRecord('r1'), bad)).rejects.toThrow();
        expect((await store.listPendingRuns()).map((p) => p.id)).toEqual(['r1', 'r2']);
        await store.commitRun(buildRecord('r1'), new Map());
        expect((await store.listPendingRuns()).map((p) => p.id)).toEqual(['r2']);
      });

      it('lists summaries newest first with counts taken from plan and results', async () => {
        const blockedChange = buildChange({ user: 'carol@example.com', to: null, blocked: 'lastProjectAdmin' });
        const changes = [buildChange(), buildChange({ user: 'bob@example.com' }), blockedChange];
        const results: ChangeResult[] = [
          { change: changes[0] as Change, outcome: 'applied' },
          { change: changes[1] as Change, outcome: 'failed', error: 'HTTP 500', attempts: 3 },
          { change: blockedChange, outcome: 'blocked' },
        ];
        const drift = buildDrift({
          suggestion: 'add dave@example.com to group Heap Admins',
          suggestedActions: [{ action: 'add-to-group', user: 'dave@example.com', group: 'Heap Admins' }],
        });
        await store.commitRun(buildRecord('r1'), new Map());
        await store.commitRun(
          buildRecord('r2', { trigger: 'schedule', status: 'partial', plan: buildPlan(changes, [drift]), results }),
          new Map(),
        );
        await store.commitRun(
          buildRecord('r3', { status: 'held', plan: buildPlan([blockedChange]), results: [], trigger: 'scim' }),
          new Map(),
        );
        await store.commitRun(buildRecord('r4', { status: 'failed', plan: null, results: [] }), new Map());
        const [r4, r3, r2, r1] = await store.listJournal();
        expect(r2).toEqual({
          id: 'r2',
          sequence: 2,
          trigger: 'schedule',
          status: 'partial',
          startedAt: iso(0),
          endedAt: iso(1_000),
          changes: 3,
          applied: 1,
          failed: 1,
          blocked: 1,
          drift: 1,
        });
        expect(r1).toMatchObject({ id: 'r1', changes: 2, applied: 2, failed: 0, blocked: 0, drift: 0 });
        expect(r3).toMatchObject({ id: 'r3', status: 'held', trigger: 'scim', changes: 1, applied: 0, blocked: 1 });
        expect(r4).toMatchObject({ id: 'r4', status: 'failed', changes: 0, applied: 0, failed: 0, blocked: 0 });
      });

      it('pages with limit (50 by default) and beforeSequence', async () => {
        for (let i = 1; i <= 55; i += 1) await store.commitRun(buildRecord(`r${i}`), new Map());
        const firstPage = await store.listJournal();
        expect(firstPage).toHaveLength(50);
        expect(firstPage[0]?.sequence).toBe(55);
        expect(firstPage[49]?.sequence).toBe(6);
        expect((await store.listJournal({ limit: 3 })).map((s) => s.sequence)).toEqual([55, 54, 53]);
        expect((await store.listJournal({ limit: 3, beforeSequence: 5 })).map((s) => s.sequence)).toEqual([4, 3, 2]);
        expect((await store.listJournal({ beforeSequence: 3 })).map((s) => s.id)).toEqual(['r2', 'r1']);
        expect(await store.listJournal({ beforeSequence: 1 })).toEqual([]);
        await expect(store.listJournal({ limit: 0 })).rejects.toThrow();
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 55 });
      });
    });

    describe("a user's journal (per-user history)", () => {
      /** r1 changes alice and bob; r2 is a dry run; r3 changes carol (one skipped) and sees a drift of BOB's; r4 is bob's exception */
      const commitFour = async (s: Store) => {
        await s.commitRun(buildRecord('r1'), new Map());
        await s.commitRun(buildRecord('r2', { status: 'dry-run', endedAt: iso(2_000) }), new Map());
        const carol = buildChange({ user: 'carol@example.com' });
        const drift = buildDrift({ user: 'BOB@example.com' });
        await s.commitRun(
          buildRecord('r3', {
            endedAt: iso(3_000),
            plan: buildPlan([carol], [drift]),
            results: [
              { change: carol, outcome: 'applied', attempts: 1 },
              { change: buildChange({ user: 'carol@example.com', entitlement: 'org' }), outcome: 'skipped' },
            ],
          }),
          new Map(),
        );
        await s.commitRun(
          buildRecord('r4', {
            trigger: 'exception',
            endedAt: iso(4_000),
            plan: null,
            results: [],
            event: { kind: 'exception-created', exception: buildException('x1', { user: 'bob@example.com' }) },
          }),
          new Map(),
        );
      };

      it('gives the records that touch a user, oldest first, only their part about that user', async () => {
        await commitFour(store);
        const bob = await store.listUserJournal('Bob@Example.com');
        expect(bob.map((s) => [s.id, s.sequence])).toEqual([
          ['r1', 1],
          ['r3', 3],
          ['r4', 4],
        ]);
        expect(bob[0]!.results.map((r) => r.change.user)).toEqual(['bob@example.com']);
        expect(bob[0]).toMatchObject({ trigger: 'cli', actor: 'ops@example.com', status: 'succeeded' });
        expect(bob[1]).toMatchObject({
          results: [],
          plan: { drift: [{ user: 'BOB@example.com', entitlement: 'org' }] },
        });
        expect(bob[2]!.event).toMatchObject({ kind: 'exception-created', exception: { id: 'x1' } });
        expect((await store.listUserJournal('carol@example.com')).map((s) => s.results.length)).toEqual([1]);
        expect(await store.listUserJournal('nobody@example.com')).toEqual([]);
        // the index lies outside the chain: the journal verifies as before
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 4 });
      });

      it('keeps to [since, until) of the records’ end', async () => {
        await commitFour(store);
        const ids = async (options: { since?: Date; until?: Date }) =>
          (await store.listUserJournal('bob@example.com', options)).map((s) => s.id);
        expect(await ids({ since: at(3_000) })).toEqual(['r3', 'r4']);
        expect(await ids({ until: at(3_000) })).toEqual(['r1']);
        expect(await ids({ since: at(1_000), until: at(4_000) })).toEqual(['r1', 'r3']);
      });

      it('is built from the records of a journal written before the index, once, on open', async () => {
        await commitFour(store);
        const before = await store.listUserJournal('bob@example.com');
        await fixture.execute('DELETE FROM journal_users');
        await fixture.execute(`DELETE FROM schema_migrations WHERE id = '${JOURNAL_USERS_BACKFILL}'`);
        expect(await store.listUserJournal('bob@example.com')).toEqual([]);
        const reopened = await reopen();
        expect(await reopened.listUserJournal('bob@example.com')).toEqual(before);
        await reopened.commitRun(buildRecord('r5', { endedAt: iso(5_000) }), new Map());
        expect((await reopened.listUserJournal('alice@example.com')).map((s) => s.id)).toEqual(['r1', 'r5']);
        // a second open finds the migration done and indexes nothing twice
        const again = await reopen();
        expect((await again.listUserJournal('alice@example.com')).map((s) => s.id)).toEqual(['r1', 'r5']);
      });

      it('drops a record removed from the journal from everyone’s history', async () => {
        await commitFour(store);
        await fixture.execute("DELETE FROM journal WHERE id = 'r3'");
        expect((await store.listUserJournal('bob@example.com')).map((s) => s.id)).toEqual(['r1', 'r4']);
      });
    });

    describeKeyedJournal(() => fixture, reopen);

    describe('exceptions', () => {
      it('adds, reads back, and refuses a duplicate id', async () => {
        const e = buildException('x1');
        await store.addException(e);
        expect(await store.getException('x1')).toEqual({ ...e, revokedAt: null });
        expect(await store.getException('nope')).toBeNull();
        await expect(store.addException(buildException('x1', { reason: 'again' }))).rejects.toThrow(/x1/);
        expect((await store.getException('x1'))?.reason).toBe('incident 42');
      });

      it('keeps who asked for an exception beside its approver (four eyes), and nothing for an unknown requester', async () => {
        const asked = buildException('x2', { entitlement: 'org', requestedBy: 'dana@example.com' });
        await store.addException(asked);
        await store.addException(buildException('x3', { entitlement: 'membership' }));
        expect(await store.getException('x2')).toEqual({ ...asked, revokedAt: null });
        expect(await store.getException('x3')).not.toHaveProperty('requestedBy');
        expect((await store.listExceptions({ now: at(0) })).map((e) => [e.id, e.requestedBy])).toEqual([
          ['x2', 'dana@example.com'],
          ['x3', undefined],
        ]);
      });

      it('lists only active exceptions by default, sorted by expiry then id; all with includeInactive', async () => {
        await store.addException(buildException('late', { expiresAt: iso(3_000) }));
        await store.addException(buildException('b-soon', { expiresAt: iso(1_000), value: null }));
        await store.addException(buildException('a-soon', { expiresAt: iso(1_000) }));
        await store.addException(buildException('expired', { expiresAt: iso(-1) }));
        await store.addException(buildException('revoked', { expiresAt: iso(2_000) }));
        expect(await store.revokeException('revoked', at(10))).toBe(true);

        expect((await store.listExceptions({ now: at(0) })).map((e) => e.id)).toEqual(['a-soon', 'b-soon', 'late']);
        expect((await store.listExceptions({ now: at(1_000) })).map((e) => e.id)).toEqual(['late']);
        expect((await store.listExceptions({ includeInactive: true })).map((e) => e.id)).toEqual([
          'expired',
          'a-soon',
          'b-soon',
          'revoked',
          'late',
        ]);
        expect((await store.getException('b-soon'))?.value).toBeNull();
      });

      it('uses the current time when no now is given', async () => {
        await store.addException(buildException('past', { expiresAt: '2000-01-01T00:00:00Z' }));
        await store.addException(buildException('future', { expiresAt: '2999-01-01T00:00:00Z' }));
        expect((await store.listExceptions()).map((e) => e.id)).toEqual(['future']);
      });

      it('revokes once: false when unknown or already revoked', async () => {
        await store.addException(buildException('x1'));
        expect(await store.revokeException('x1', at(5_000))).toBe(true);
        expect((await store.getException('x1'))?.revokedAt).toBe(iso(5_000));
        expect(await store.revokeException('x1', at(6_000))).toBe(false);
        expect((await store.getException('x1'))?.revokedAt).toBe(iso(5_000));
        expect(await store.revokeException('nope', at(6_000))).toBe(false);
      });
    });

    describe('held plans', () => {
      const held = (runId: string, createdMs: number): HeldPlan => ({
        runId,
        createdAt: iso(createdMs),
        plan: {
          ...buildPlan([buildChange({ to: null, risk: ['revokes-access'] })]),
          held: true,
          heldBy: 'maxRevocations',
        },
        mappingVersion: 'map-1',
        scope: runId === 'h2' ? ['alice@example.com'] : null,
      });

      it('stores, approves, lists oldest first and deletes held plans', async () => {
        await store.putHeldPlan(held('h2', 2_000));
        await store.putHeldPlan(held('h1', 1_000));
        expect(await store.getHeldPlan('h2')).toEqual({ ...held('h2', 2_000), approvedBy: null, approvedAt: null });
        expect(await store.getHeldPlan('nope')).toBeNull();

        await store.putHeldPlan({ ...held('h1', 1_000), approvedBy: 'lead@example.com', approvedAt: iso(3_000) });
        expect(await store.getHeldPlan('h1')).toMatchObject({ approvedBy: 'lead@example.com', approvedAt: iso(3_000) });
        expect((await store.listHeldPlans()).map((h) => h.runId)).toEqual(['h1', 'h2']);

        await store.deleteHeldPlan('h1');
        await store.deleteHeldPlan('nope');
        expect((await store.listHeldPlans()).map((h) => h.runId)).toEqual(['h2']);
      });
    });

    describe('tasks', () => {
      it('puts tasks in one call, reads one back whole, and null for an unknown id', async () => {
        const a = buildTask('t-a');
        const b = buildTask('t-b', { user: 'team:Analysts', entitlement: 'project:web-prod', from: null, to: 'bound' });
        await store.putTasks([a, b]);
        expect(await store.getTask('t-b')).toEqual(b);
        expect(await store.getTask('t-zzz')).toBeNull();
        expect((await store.listTasks()).map((t) => t.id)).toEqual(['t-a', 't-b']);
      });

      it('replaces a task by id, and lists by creation time then id, by status and by user', async () => {
        await store.putTasks([
          buildTask('t-2', { createdAt: iso(5) }),
          buildTask('t-1', { createdAt: iso(5), user: 'Bob@Example.com' }),
          buildTask('t-0', { createdAt: iso(9) }),
        ]);
        const done = buildTask('t-2', {
          createdAt: iso(5),
          status: 'done',
          doneBy: 'ops',
          doneAt: iso(6),
          history: [
            { at: iso(0), action: 'opened', actor: 'sync', runId: 'run-1' },
            { at: iso(6), action: 'done', actor: 'ops', note: 'set in Heap' },
          ],
        });
        await store.putTasks([done]);
        expect(await store.getTask('t-2')).toEqual(done);
        expect((await store.listTasks()).map((t) => t.id)).toEqual(['t-1', 't-2', 't-0']);
        expect((await store.listTasks({ statuses: ['open'] })).map((t) => t.id)).toEqual(['t-1', 't-0']);
        expect((await store.listTasks({ statuses: ['done', 'closed'] })).map((t) => t.id)).toEqual(['t-2']);
        expect(await store.listTasks({ statuses: [] })).toEqual([]);
        expect((await store.listTasks({ user: 'bob@example.com' })).map((t) => t.id)).toEqual(['t-1']);
      });

      it('writes all tasks of a call or none', async () => {
        const bad = { ...buildTask('t-bad'), createdAt: undefined } as unknown as AssistedTask;
        await expect(store.putTasks([buildTask('t-ok'), bad])).rejects.toThrow();
        expect(await store.listTasks()).toEqual([]);
      });
    });

    describe('approvals', () => {
      it('adds approvals, reads one back whole, null for an unknown id, and keeps the first of an id', async () => {
        const a = buildApproval('apr-a');
        const b = buildApproval('apr-b', { user: 'bob@example.com', origin: 'exception', exceptionId: 'exc-1' });
        await store.addApprovals([a, b]);
        await store.addApprovals([{ ...a, status: 'rejected' }]);
        expect(await store.getApproval('apr-a')).toEqual(a);
        expect(await store.getApproval('apr-b')).toEqual(b);
        expect(await store.getApproval('apr-zzz')).toBeNull();
      });

      it('lists by creation time then id, and by status', async () => {
        await store.addApprovals([
          buildApproval('apr-2', { createdAt: iso(5) }),
          buildApproval('apr-1', { createdAt: iso(5), status: 'approved' }),
          buildApproval('apr-0', { createdAt: iso(9) }),
        ]);
        expect((await store.listApprovals()).map((a) => a.id)).toEqual(['apr-1', 'apr-2', 'apr-0']);
        expect((await store.listApprovals({ statuses: ['pending'] })).map((a) => a.id)).toEqual(['apr-2', 'apr-0']);
        expect((await store.listApprovals({ statuses: ['approved', 'applied'] })).map((a) => a.id)).toEqual(['apr-1']);
        expect(await store.listApprovals({ statuses: [] })).toEqual([]);
      });

      it('updates only while the stored status is the one expected: one of two deciders wins', async () => {
        const pending = buildApproval('apr-x');
        await store.addApprovals([pending]);
        const approved = { ...pending, status: 'approved' as const, decidedBy: 'dana@example.com', decidedAt: iso(1) };
        const rejected = { ...pending, status: 'rejected' as const, decidedBy: 'erin@example.com', decidedAt: iso(1) };
        expect(await store.updateApproval(approved, 'pending')).toBe(true);
        expect(await store.updateApproval(rejected, 'pending')).toBe(false);
        expect(await store.getApproval('apr-x')).toEqual(approved);
        expect((await store.listApprovals({ statuses: ['approved'] })).map((a) => a.id)).toEqual(['apr-x']);
        expect(await store.updateApproval(buildApproval('apr-none'), 'pending')).toBe(false);
      });
    });

    describe('reviews', () => {
      it('creates a campaign with its items, reads both back whole and in order, and null or [] for unknown ids', async () => {
        const campaign = buildReviewCampaign('rev-1');
        const items = [buildReviewItem('i-00001'), buildReviewItem('i-00002', { user: 'carol@example.com' })];
        await store.createReview(campaign, items);
        expect(await store.getReview('rev-1')).toEqual(campaign);
        expect(await store.listReviewItems('rev-1')).toEqual(items);
        expect(await store.getReview('rev-x')).toBeNull();
        expect(await store.listReviewItems('rev-x')).toEqual([]);
      });

      it('lists campaigns by creation time, replaces a campaign and one item, and refuses an unknown item', async () => {
        await store.createReview(buildReviewCampaign('rev-b', { createdAt: iso(5) }), [buildReviewItem('i-00001')]);
        await store.createReview(buildReviewCampaign('rev-a', { createdAt: iso(9) }), []);
        expect((await store.listReviews()).map((c) => c.id)).toEqual(['rev-b', 'rev-a']);
        const decided = buildReviewItem('i-00001', {
          decision: {
            decision: 'revoke',
            actor: 'rita@example.com',
            reason: 'left the team',
            at: iso(6),
            journalId: 'r-1',
          },
        });
        await store.putReviewItem('rev-b', decided);
        expect(await store.listReviewItems('rev-b')).toEqual([decided]);
        await expect(store.putReviewItem('rev-b', buildReviewItem('i-09999'))).rejects.toThrow();
        const closed = buildReviewCampaign('rev-b', { createdAt: iso(5), status: 'closed', closedAt: iso(7) });
        await store.putReview(closed);
        expect(await store.getReview('rev-b')).toEqual(closed);
        expect(await store.listReviewItems('rev-b')).toEqual([decided]);
      });

      it('writes a campaign and all its items or nothing', async () => {
        const bad = { ...buildReviewItem('i-00001'), id: undefined } as unknown as ReviewItem;
        await expect(
          store.createReview(buildReviewCampaign('rev-bad'), [buildReviewItem('i-00002'), bad]),
        ).rejects.toThrow();
        expect(await store.getReview('rev-bad')).toBeNull();
        expect(await store.listReviewItems('rev-bad')).toEqual([]);
      });
    });

    describe('alert and source state', () => {
      const alertState = (key: string, version: number, overrides: Partial<AlertState> = {}): AlertState => ({
        key,
        event: 'drift-detected',
        openedAt: iso(0),
        lastSentAt: null,
        resolvedAt: null,
        payload: { delivered: [] },
        version,
        ...overrides,
      });

      it('writes an alert state only over the version it names, and lists states by key with their versions', async () => {
        expect(
          await store.compareAndSetAlertStates([alertState('drift:bob', 0), alertState('drift:alice', 0)]),
        ).toEqual(new Set(['drift:bob', 'drift:alice']));
        // "no state yet" again, and a version that is not the stored one: both refused, nothing written
        expect(
          await store.compareAndSetAlertStates([
            alertState('drift:bob', 0, { payload: 'stale' }),
            alertState('drift:alice', 2, { payload: 'stale' }),
            alertState('drift:carol', 0, { lastSentAt: iso(1) }),
          ]),
        ).toEqual(new Set(['drift:carol']));
        expect(
          await store.compareAndSetAlertStates([
            alertState('drift:bob', 1, { lastSentAt: iso(2), resolvedAt: iso(3), payload: { delivered: ['hook'] } }),
          ]),
        ).toEqual(new Set(['drift:bob']));
        expect(await store.getAlertStates()).toEqual([
          alertState('drift:alice', 1),
          alertState('drift:bob', 2, { lastSentAt: iso(2), resolvedAt: iso(3), payload: { delivered: ['hook'] } }),
          alertState('drift:carol', 1, { lastSentAt: iso(1) }),
        ]);
        expect(await store.getAlertStates(['drift:carol', 'drift:alice', 'nobody'])).toEqual([
          alertState('drift:alice', 1),
          alertState('drift:carol', 1, { lastSentAt: iso(1) }),
        ]);
        expect(await store.compareAndSetAlertStates([])).toEqual(new Set());
      });

      it('lets one of two stores writing the same alert state version at once win', async () => {
        const other = await reopen();
        const keys = Array.from({ length: 20 }, (_, i) => `drift:user-${i}`);
        await store.compareAndSetAlertStates(keys.map((k) => alertState(k, 0)));
        const [mine, theirs] = await Promise.all([
          store.compareAndSetAlertStates(keys.map((k) => alertState(k, 1, { payload: 'mine' }))),
          other.compareAndSetAlertStates([...keys].reverse().map((k) => alertState(k, 1, { payload: 'theirs' }))),
        ]);
        expect([...mine, ...theirs].sort()).toEqual([...keys].sort());
        const stored = await other.getAlertStates();
        expect(stored.map((s) => s.version)).toEqual(keys.map(() => 2));
        expect(
          stored
            .filter((s) => s.payload === 'mine')
            .map((s) => s.key)
            .sort(),
        ).toEqual([...mine].sort());
      });

      it('replaces a source state whole and returns null for an unknown source', async () => {
        expect(await store.getSourceState('okta')).toBeNull();
        await store.putSourceState({
          source: 'okta',
          lastReadAt: iso(0),
          users: 10,
          cursor: 'abc',
          data: { etag: 'x' },
        });
        await store.putSourceState({ source: 'okta', lastReadAt: iso(1), lastError: 'HTTP 503', users: 11 });
        await store.putSourceState({ source: 'graph', cursor: null });
        expect(await store.getSourceState('okta')).toEqual({
          source: 'okta',
          lastReadAt: iso(1),
          lastError: 'HTTP 503',
          users: 11,
        });
        expect(await store.getSourceState('graph')).toEqual({ source: 'graph', cursor: null });
      });
    });

    describe('sessions', () => {
      const session = (name: string, createdMs: number, expiresMs: number): Session => ({
        name,
        role: 'approver',
        method: 'oidc',
        groups: ['Heap Access Approvers', 'Everyone'],
        createdAt: iso(createdMs),
        expiresAt: iso(expiresMs),
      });

      it('finds a session by its digest until it expires, and never after it ends', async () => {
        await store.createSession('digest-a', session('ann@example.com', 0, 1_000), { now: at(0), max: 10 });
        expect(await store.lookupSession('digest-a', at(999))).toEqual(session('ann@example.com', 0, 1_000));
        expect(await store.lookupSession('digest-a', at(1_000))).toBeNull();
        expect(await store.lookupSession('digest-b', at(0))).toBeNull();
        await store.createSession('digest-b', session('bob@example.com', 0, 5_000), { now: at(0), max: 10 });
        expect(await store.endSession('digest-b')).toBe(true);
        expect(await store.endSession('digest-b')).toBe(false);
        expect(await store.lookupSession('digest-b', at(1))).toBeNull();
      });

      it('drops expired sessions and, past the bound, the oldest live ones when adding one', async () => {
        await store.createSession('old', session('old@example.com', 0, 100), { now: at(0), max: 3 });
        await store.createSession('one', session('one@example.com', 10, 10_000), { now: at(10), max: 3 });
        await store.createSession('two', session('two@example.com', 20, 10_000), { now: at(20), max: 3 });
        // `old` has expired by then, so three fit
        await store.createSession('three', session('three@example.com', 200, 10_000), { now: at(200), max: 3 });
        const live = async (now: number) => {
          const names = ['old', 'one', 'two', 'three', 'four'];
          const found = await Promise.all(names.map((d) => store.lookupSession(d, at(now))));
          return names.filter((_, i) => found[i] !== null);
        };
        expect(await live(200)).toEqual(['one', 'two', 'three']);
        await store.createSession('four', session('four@example.com', 300, 10_000), { now: at(300), max: 3 });
        expect(await live(300)).toEqual(['two', 'three', 'four']);
        // an expired row is pruned, not merely hidden: the digest can be taken again
        await store.createSession('old', session('again@example.com', 400, 10_000), { now: at(400), max: 10 });
        expect((await store.lookupSession('old', at(400)))?.name).toBe('again@example.com');
      });

      it('shares sessions between two open stores over the same data, and across a restart', async () => {
        const other = await reopen();
        await store.createSession('shared', session('ann@example.com', 0, 10_000), { now: at(0), max: 10 });
        expect((await other.lookupSession('shared', at(1)))?.name).toBe('ann@example.com');
        await closeStore(store);
        const again = await reopen();
        expect(await again.lookupSession('shared', at(2))).toEqual(session('ann@example.com', 0, 10_000));
        expect(await other.endSession('shared')).toBe(true);
        expect(await again.lookupSession('shared', at(3))).toBeNull();
      });
    });

    describe('drift sightings', () => {
      const sighting = (user: string, entitlement: string, actual: string | null, at: number) => ({
        user,
        entitlement,
        actual,
        firstSeen: iso(at),
      });

      it('replaces the sightings of the users in scope only, and all of them for a full run', async () => {
        expect(await store.listDriftSightings()).toEqual([]);
        await store.putDriftSightings(
          [
            sighting('Bob@Example.com', 'project:web-prod', 'Admin', 0),
            { ...sighting('alice@example.com', 'org', 'Admin', 1), changedBy: 'eve@example.com', changedAt: iso(0) },
          ],
          null,
        );
        expect(await store.listDriftSightings()).toEqual([
          { ...sighting('alice@example.com', 'org', 'Admin', 1), changedBy: 'eve@example.com', changedAt: iso(0) },
          sighting('Bob@Example.com', 'project:web-prod', 'Admin', 0),
        ]);
        // an incremental run over bob: his drift is gone, alice's stays
        await store.putDriftSightings([], ['bob@example.com']);
        expect((await store.listDriftSightings()).map((s) => s.user)).toEqual(['alice@example.com']);
        await store.putDriftSightings([sighting('carol@example.com', 'org', 'Admin', 2)], null);
        expect((await store.listDriftSightings()).map((s) => s.user)).toEqual(['carol@example.com']);
      });
    });

    describe('locks', () => {
      const STALE = 60_000;
      const host = os.hostname();

      it('is held by one owner at a time, re-entrant for that owner, and released only by it', async () => {
        expect(await store.acquireLock('heap', 'run-a', STALE, at(0))).toBe(true);
        expect(await store.acquireLock('heap', 'run-a', STALE, at(1))).toBe(true);
        expect(await store.acquireLock('heap', 'run-b', STALE, at(2))).toBe(false);
        expect(await store.acquireLock('other-target', 'run-b', STALE, at(2))).toBe(true);
        await store.releaseLock('heap', 'run-b');
        expect(await store.acquireLock('heap', 'run-c', STALE, at(3))).toBe(false);
        await store.releaseLock('heap', 'run-a');
        expect(await store.acquireLock('heap', 'run-c', STALE, at(4))).toBe(true);
      });

      it('is taken over once its holder has not refreshed it for staleMs', async () => {
        expect(await store.acquireLock('heap', 'run-a', STALE, at(0))).toBe(true);
        await store.refreshLock('heap', 'run-a', at(50_000));
        expect(await store.acquireLock('heap', 'run-b', STALE, at(100_000))).toBe(false);
        expect(await store.acquireLock('heap', 'run-b', STALE, at(110_001))).toBe(true);
        await expect(store.refreshLock('heap', 'run-a', at(110_002))).rejects.toThrow();
        await store.releaseLock('heap', 'run-a');
        expect(await store.acquireLock('heap', 'run-c', STALE, at(110_003))).toBe(false);
      });

      it('fences commits by the lease: once the lock was taken over, the old run journals nothing', async () => {
        const lease = { lock: 'heap', owner: 'run-a' };
        expect(await store.acquireLock('heap', 'run-a', STALE, at(0))).toBe(true);
        const first = await store.commitRun(buildRecord('r1'), new Map([['alice@example.com', { org: 'Member' }]]), {
          lease,
        });
        expect(first.sequence).toBe(1);
        // run-a stalls past staleMs; run-b takes the lock over
        expect(await store.acquireLock('heap', 'run-b', STALE, at(STALE + 1))).toBe(true);
        await expect(
          store.commitRun(buildRecord('r2'), new Map([['alice@example.com', { org: 'Admin' }]]), { lease }),
        ).rejects.toThrow(/no longer holds lock heap/);
        expect(await store.getJournal('r2')).toBeNull();
        expect(await store.getBaseline()).toEqual(new Map([['alice@example.com', { org: 'Member' }]]));
        // the new holder commits; after it released, the old lease is still refused
        await store.commitRun(buildRecord('r3'), new Map(), { lease: { lock: 'heap', owner: 'run-b' } });
        await store.releaseLock('heap', 'run-b');
        await expect(store.commitRun(buildRecord('r4'), new Map(), { lease })).rejects.toThrow(/released/);
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 2 });
      });

      it('is taken over at once when its owner was a process of this host that has died', async () => {
        const deadOwner = `${host}:${findDeadPid()}:run-a`;
        expect(await store.acquireLock('heap', deadOwner, STALE, at(0))).toBe(true);
        expect(await store.acquireLock('heap', `${host}:${process.pid}:run-b`, STALE, at(1))).toBe(true);
      });

      it('is not taken over early when its owner process is alive or on another host', async () => {
        const liveOwner = `${host}:${process.pid}:run-a`;
        expect(await store.acquireLock('heap', liveOwner, STALE, at(0))).toBe(true);
        expect(await store.acquireLock('heap', `${host}:${process.pid}:run-b`, STALE, at(1))).toBe(false);

        const remoteOwner = `not-${host}:${findDeadPid()}:run-c`;
        expect(await store.acquireLock('other', remoteOwner, STALE, at(0))).toBe(true);
        expect(await store.acquireLock('other', liveOwner, STALE, at(1))).toBe(false);
        expect(await store.acquireLock('other', liveOwner, STALE, at(STALE + 1))).toBe(true);
      });
    });

    describe('claims', () => {
      it('takes a name once per spacing, never for a moment at or before the one taken, and again once released', async () => {
        expect(await store.claim(['tick', 'other'], at(1_000), 1)).toEqual(new Set(['tick', 'other']));
        expect(await store.claim(['tick'], at(1_000), 1)).toEqual(new Set());
        expect(await store.claim(['tick'], at(500), 1)).toEqual(new Set());
        expect(await store.claim(['tick', 'tick', 'new'], at(1_001), 1)).toEqual(new Set(['tick', 'new']));
        expect(await store.claim(['window'], at(0), 60_000)).toEqual(new Set(['window']));
        expect(await store.claim(['window'], at(59_999), 60_000)).toEqual(new Set());
        expect(await store.claim(['window'], at(60_000), 60_000)).toEqual(new Set(['window']));
        expect(await store.claim(['forever'], at(0), Number.POSITIVE_INFINITY)).toEqual(new Set(['forever']));
        expect(await store.claim(['forever'], at(10 ** 12), Number.POSITIVE_INFINITY)).toEqual(new Set());
        await store.releaseClaims(['forever', 'unknown']);
        expect(await store.claim(['forever'], at(10 ** 12), Number.POSITIVE_INFINITY)).toEqual(new Set(['forever']));
        expect(await store.claim([], at(0), 1)).toEqual(new Set());
      });

      it('gives each name to one of two stores claiming at once', async () => {
        const other = await reopen();
        const names = Array.from({ length: 20 }, (_, i) => `tick-${i}`);
        const [mine, theirs] = await Promise.all([
          store.claim(names, at(5_000), 1_000),
          other.claim([...names].reverse(), at(5_000), 1_000),
        ]);
        expect([...mine, ...theirs].sort()).toEqual([...names].sort());
        expect(await other.claim(names, at(5_999), 1_000)).toEqual(new Set());
      });
    });

    describe('across connections', () => {
      it('keeps everything across close and reopen, and the chain carries on', async () => {
        await store.commitRun(buildRecord('r1'), new Map([['alice@example.com', { org: 'Admin' }]]));
        await store.commitRun(buildRecord('r2'), new Map([['bob@example.com', { org: 'Member' }]]));
        await store.addException(buildException('x1'));
        await store.putHeldPlan({
          runId: 'h1',
          createdAt: iso(0),
          plan: buildPlan([]),
          mappingVersion: null,
          scope: null,
        });
        await store.compareAndSetAlertStates([
          { key: 'k', event: 'drift', openedAt: iso(0), lastSentAt: null, resolvedAt: null, payload: 1 },
        ]);
        await store.putSourceState({ source: 'file', users: 2 });
        await store.acquireLock('heap', 'run-a', 60_000, at(0));
        await closeStore(store);
        await store.close(); // closing twice is harmless

        const again = await reopen();
        expect(await again.getBaseline()).toEqual(
          new Map([
            ['alice@example.com', { org: 'Admin' }],
            ['bob@example.com', { org: 'Member' }],
          ]),
        );
        expect((await again.listJournal()).map((s) => s.id)).toEqual(['r2', 'r1']);
        expect((await again.getException('x1'))?.id).toBe('x1');
        expect((await again.getHeldPlan('h1'))?.runId).toBe('h1');
        expect(await again.getAlertStates()).toHaveLength(1);
        expect(await again.getSourceState('file')).toEqual({ source: 'file', users: 2 });
        expect(await again.acquireLock('heap', 'run-b', 60_000, at(1))).toBe(false);
        expect((await again.commitRun(buildRecord('r3'), new Map())).sequence).toBe(3);
        expect(await again.verifyJournal()).toMatchObject({ ok: true, records: 3 });
      });

      it('lets only one of two open stores over the same data hold a lock', async () => {
        const other = await reopen();
        expect(await store.acquireLock('heap', 'run-a', 60_000, at(0))).toBe(true);
        expect(await other.acquireLock('heap', 'run-b', 60_000, at(1))).toBe(false);
        await store.releaseLock('heap', 'run-a');
        expect(await other.acquireLock('heap', 'run-b', 60_000, at(2))).toBe(true);
        expect(await store.acquireLock('heap', 'run-a', 60_000, at(3))).toBe(false);
      });

      it('chains commits made through two open stores over the same data', async () => {
        const other = await reopen();
        await store.commitRun(buildRecord('r1'), new Map());
        await other.commitRun(buildRecord('r2'), new Map());
        await store.commitRun(buildRecord('r3'), new Map());
        expect((await other.listJournal()).map((s) => s.sequence)).toEqual([3, 2, 1]);
        expect(await store.verifyJournal()).toMatchObject({ ok: true, records: 3 });
      });
    });
  });
}
