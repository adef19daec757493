import { describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../../src/domain/journal.js';
import type { Change } from '../../../src/domain/plan.js';
import { historyOf, historyToCsv, summarizeChange, userHistory } from '../../../src/services/history.js';
import { userSlicesOf } from '../../../src/domain/history.js';
import { buildDrift } from '../../contract/store.contract.js';

const change = (over: Partial<Change>): Change => ({
  user: 'bob@example.com',
  entitlement: 'project:web-prod',
  from: 'Member',
  to: 'Admin',
  cause: 'idp-change',
  reasons: [{ rule: 'prod-admins', group: 'Heap Prod Admins', source: 'okta' }],
  risk: [],
  blocked: null,
  ...over,
});

const record = (over: Partial<JournalRecord>): JournalRecord => ({
  id: 'run-1',
  sequence: 7,
  trigger: 'schedule',
  startedAt: '2026-11-01T09:00:00.000Z',
  endedAt: '2026-11-01T09:00:05.000Z',
  status: 'succeeded',
  mappingVersion: 'm1',
  identityVersion: 'i1',
  scope: null,
  preSync: {},
  plan: null,
  results: [],
  postSync: {},
  postSyncDiff: [],
  prevHash: '0',
  hash: '1',
  ...over,
});

describe("a user's history from the journal", () => {
  it('says what a change means in the seed’s words', () => {
    expect(summarizeChange('membership', null, 'active')).toBe('added to Heap');
    expect(summarizeChange('membership', 'active', 'deactivated')).toBe('deactivated');
    expect(summarizeChange('org', 'Member', 'Admin')).toBe('org role Member -> Admin');
    expect(summarizeChange('project:web-prod', null, 'Member')).toBe('project web-prod added (Member)');
    expect(summarizeChange('project:web-prod', 'Admin', null)).toBe('project web-prod removed (was Admin)');
    expect(summarizeChange('module:govern:web-prod', null, 'viewer')).toBe(
      'module govern on web-prod granted (viewer)',
    );
    expect(summarizeChange('module:govern:web-prod', 'viewer', null)).toBe(
      'module govern on web-prod revoked (was viewer)',
    );
  });

  it('takes only this user’s results, and not those of a dry run', () => {
    const results = [
      { change: change({}), outcome: 'applied' as const },
      { change: change({ user: 'alice@example.com' }), outcome: 'applied' as const },
      { change: change({ entitlement: 'org', from: 'Member', to: 'Admin' }), outcome: 'failed' as const },
    ];
    const entries = historyOf(record({ results, actor: 'ops' }), 'Bob@Example.com');
    expect(entries.map((e) => [e.summary, e.outcome, e.actor])).toEqual([
      ['project web-prod: Member -> Admin', 'applied', 'ops'],
      ['org role Member -> Admin', 'failed', 'ops'],
    ]);
    expect(entries[0]).toMatchObject({ reason: 'rule prod-admins (group Heap Prod Admins, okta)', until: null });
    expect(historyOf(record({ results, status: 'dry-run' }), 'bob@example.com')).toEqual([]);
  });

  it('marks access from an exception as temporary, with its approver', () => {
    const reasons = [
      { exception: 'exc-1', approver: 'farah@example.com', reason: 'INC-42', expiresAt: '2026-11-04T00:00:00.000Z' },
    ];
    const [entry] = historyOf(
      record({ results: [{ change: change({ cause: 'exception', reasons }), outcome: 'applied' }] }),
      'bob@example.com',
    );
    expect(entry).toMatchObject({ approver: 'farah@example.com', until: '2026-11-04T00:00:00.000Z' });
  });

  it('records an exception’s creation as its own entry, and writes CSV with quoted cells', () => {
    const exception = {
      id: 'exc-1',
      user: 'bob@example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'incident, "sev 1"',
      approver: 'farah@example.com',
      createdAt: '2026-11-01T00:00:00.000Z',
      expiresAt: '2026-11-04T00:00:00.000Z',
    };
    const entries = historyOf(
      record({
        trigger: 'exception',
        status: 'recorded',
        actor: 'admin',
        event: { kind: 'exception-created', exception },
      }),
      'bob@example.com',
    );
    expect(entries).toEqual([
      expect.objectContaining({
        kind: 'exception-created',
        to: 'Admin',
        approver: 'farah@example.com',
        actor: 'admin',
      }),
    ]);
    const csv = historyToCsv(entries).split('\n');
    expect(csv[0]).toBe('at,kind,entitlement,from,to,summary,reason,approver,until,outcome,actor,record');
    expect(csv[1]).toContain('"incident, ""sev 1"""');
    expect(historyOf(record({ event: { kind: 'exception-created', exception } }), 'alice@example.com')).toEqual([]);
  });

  it('lists a manual change seen in Heap once per sighting, with who made it, and an approved held plan by its approver', async () => {
    const drift = buildDrift({
      user: 'Bob@Example.com',
      firstSeen: '2026-11-01T09:00:00.000Z',
      revertsAt: '2026-11-01T10:00:00.000Z',
      changedBy: 'eve@example.com',
    });
    const plan = { changes: [], drift: [drift], held: false, heldBy: null, summary: {} as never, warnings: [] };
    const records = [
      record({ id: 'run-1', sequence: 1, plan }),
      record({ id: 'run-2', sequence: 2, plan }),
      record({
        id: 'run-3',
        sequence: 3,
        trigger: 'approval',
        actor: 'lee@example.com',
        approvedRun: 'run-2',
        results: [
          {
            change: change({ entitlement: 'org', from: 'Admin', to: 'Member', cause: 'manual-override' }),
            outcome: 'applied',
          },
        ],
      }),
    ];
    // the store's per-user index: each record's slice about the user
    const store = {
      listUserJournal: async (user: string) => records.flatMap((r) => userSlicesOf(r).get(user) ?? []),
    };
    const history = await userHistory(store, 'bob@example.com');
    expect(history.map((e) => [e.kind, e.record])).toEqual([
      ['drift-seen', 'run-1'],
      ['change', 'run-3'],
    ]);
    expect(history[0]).toMatchObject({ actor: 'eve@example.com', from: 'Member', to: 'Admin' });
    expect(history[0]!.reason).toContain('by the first sync after 2026-11-01T10:00:00.000Z');
    expect(history[1]).toMatchObject({ approver: 'lee@example.com' });
  });

  it('makes the same history from a record’s slice about a user as from the whole record', () => {
    const exception = {
      id: 'x1',
      user: 'Bob@Example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'incident',
      approver: 'lee@example.com',
      createdAt: '2026-11-01T09:00:00.000Z',
      expiresAt: '2026-11-04T09:00:00.000Z',
    };
    const results = [
      { change: change({}), outcome: 'applied' as const },
      { change: change({ user: 'alice@example.com' }), outcome: 'applied' as const },
      { change: change({ entitlement: 'org' }), outcome: 'skipped' as const },
    ];
    const records = [
      record({ results, actor: 'ops' }),
      record({ results, status: 'dry-run' }),
      record({ trigger: 'exception', event: { kind: 'exception-created', exception } }),
    ];
    for (const r of records) {
      const slices = userSlicesOf(r);
      for (const user of ['bob@example.com', 'alice@example.com', 'carol@example.com']) {
        expect(historyOf(slices.get(user) ?? { ...r, results: [], plan: null, event: undefined }, user)).toEqual(
          historyOf(r, user),
        );
      }
    }
    expect([...userSlicesOf(records[0]!).keys()]).toEqual(['bob@example.com', 'alice@example.com']);
    // a dry run touches nobody; the skipped change is left out
    expect(userSlicesOf(records[1]!).size).toBe(0);
    expect(userSlicesOf(records[0]!).get('bob@example.com')!.results).toHaveLength(1);
    expect([...userSlicesOf(records[2]!).keys()]).toEqual(['bob@example.com']);
  });
});
