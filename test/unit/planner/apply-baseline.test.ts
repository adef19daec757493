import { describe, expect, it } from 'vitest';
import { applyChanges, nextBaseline, planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, exception, planInput, teammate, unmappedUser } from './builders.js';

const STAGING = 'project:web-staging';

describe('applyChanges', () => {
  it('applies unblocked changes, creates new users and removes users whose membership goes', () => {
    const actual = [
      teammate('a@example.com', { [STAGING]: 'Viewer' }),
      teammate('gone@example.com', { 'project:web-dev': 'Member' }),
      teammate('same@example.com'),
    ];
    const out = applyChanges(actual, [
      {
        user: 'a@example.com',
        entitlement: STAGING,
        from: 'Viewer',
        to: 'Member',
        cause: 'idp-change',
        reasons: [],
        risk: [],
        blocked: null,
      },
      {
        user: 'a@example.com',
        entitlement: 'org',
        from: 'Member',
        to: 'Admin',
        cause: 'idp-change',
        reasons: [],
        risk: [],
        blocked: 'lastOrgAdmin',
      },
      {
        user: 'gone@example.com',
        entitlement: 'membership',
        from: 'active',
        to: null,
        cause: 'idp-change',
        reasons: [],
        risk: [],
        blocked: null,
      },
      {
        user: 'new@example.com',
        entitlement: 'membership',
        from: null,
        to: 'active',
        cause: 'idp-change',
        reasons: [],
        risk: [],
        blocked: null,
      },
    ]);
    expect(out).toEqual([
      teammate('a@example.com', { [STAGING]: 'Member' }),
      teammate('same@example.com'),
      { email: 'new@example.com', access: { membership: 'active' } },
    ]);
    expect(actual[0]?.access[STAGING]).toBe('Viewer');
  });
});

describe('nextBaseline', () => {
  const alice = 'alice@example.com';

  it('records what the sync established; keeps the old value where Heap still differs from desired', () => {
    const input = planInput({
      policy: { manualOverrides: 'keep' },
      desired: desiredState(desiredUser(alice, { [STAGING]: 'Member', 'project:web-dev': 'Viewer' })),
      actual: [teammate(alice, { [STAGING]: 'Admin' })],
      baseline: new Map([[alice, access({ [STAGING]: 'Member' })]]),
    });
    const plan = planChanges(input);
    expect(plan.drift).toMatchObject([{ entitlement: STAGING, action: 'keep' }]);
    const post = applyChanges(input.actual, plan.changes);
    const next = nextBaseline(plan, input, post);
    // web-dev was applied; the kept manual Admin on staging is not accepted into the baseline
    expect(next).toEqual(new Map([[alice, access({ [STAGING]: 'Member', 'project:web-dev': 'Viewer' })]]));
    const again = planChanges({ ...input, actual: post, baseline: next as Map<string, Record<string, string>> });
    expect(again.drift).toEqual(plan.drift);
    expect(again.changes).toEqual([]);
  });

  it('a change that did not happen keeps the old baseline, so the next run sees the same idp-change', () => {
    const input = planInput({
      desired: desiredState(desiredUser(alice, { [STAGING]: 'Admin' })),
      actual: [teammate(alice, { [STAGING]: 'Member' })],
      baseline: new Map([[alice, access({ [STAGING]: 'Member' })]]),
    });
    const plan = planChanges(input);
    const next = nextBaseline(plan, input, input.actual);
    expect(next.get(alice)).toEqual(access({ [STAGING]: 'Member' }));
    expect(planChanges({ ...input, baseline: new Map([[alice, next.get(alice) ?? {}]]) }).changes).toMatchObject([
      { cause: 'idp-change' },
    ]);
  });

  it('a never reconciled user whose creation failed stays unreconciled for the keys not established', () => {
    const input = planInput({ desired: desiredState(desiredUser(alice, { [STAGING]: 'Viewer' })) });
    const plan = planChanges(input);
    expect(nextBaseline(plan, input, [])).toEqual(new Map([[alice, null]]));
    const partial = [teammate(alice)];
    expect(nextBaseline(plan, input, partial)).toEqual(new Map([[alice, access()]]));
  });

  it('a removed user maps to null; a deactivated user keeps the rest of their access in the baseline', () => {
    const input = planInput({
      desired: desiredState(unmappedUser('d@example.com')),
      actual: [teammate('d@example.com', { [STAGING]: 'Viewer' }), teammate('r@example.com')],
      baseline: new Map([
        ['d@example.com', access({ [STAGING]: 'Viewer' })],
        ['r@example.com', access()],
      ]),
    });
    const plan = planChanges(input);
    const post = [teammate('d@example.com', { membership: 'deactivated', [STAGING]: 'Viewer' })];
    expect(nextBaseline(plan, input, post)).toEqual(
      new Map([
        ['d@example.com', access({ membership: 'deactivated', [STAGING]: 'Viewer' })],
        ['r@example.com', null],
      ]),
    );
  });

  it('a user removed from Heap by hand, kept as drift, keeps their baseline (so the next run does not re-create them)', () => {
    const input = planInput({
      policy: { manualOverrides: 'keep' },
      desired: desiredState(desiredUser(alice, { [STAGING]: 'Viewer' })),
      baseline: new Map([[alice, access({ [STAGING]: 'Viewer' })]]),
    });
    const plan = planChanges(input);
    expect(plan.changes).toEqual([]);
    expect(plan.drift.map((d) => [d.entitlement, d.cause, d.action])).toEqual([
      ['membership', 'manual-override', 'keep'],
      ['org', 'manual-override', 'keep'],
      [STAGING, 'manual-override', 'keep'],
    ]);
    expect(nextBaseline(plan, input, [])).toEqual(new Map([[alice, access({ [STAGING]: 'Viewer' })]]));
  });

  it('an active exception value becomes the baseline; only users in scope are returned', () => {
    const input = planInput({
      desired: desiredState(desiredUser(alice), desiredUser('bob@example.com')),
      actual: [teammate(alice, { [STAGING]: 'Admin' }), teammate('bob@example.com', { [STAGING]: 'Admin' })],
      baseline: new Map(),
      exceptions: [exception({ user: alice, entitlement: STAGING, value: 'Admin' })],
      scope: new Set([alice]),
    });
    const plan = planChanges(input);
    expect(plan.changes).toEqual([]);
    expect(nextBaseline(plan, input, input.actual)).toEqual(new Map([[alice, access({ [STAGING]: 'Admin' })]]));
  });

  it('users the mapping leaves alone (unmappedUsers: keep) get no baseline', () => {
    const input = planInput({ policy: { unmappedUsers: 'keep' }, actual: [teammate(alice)] });
    expect(nextBaseline(planChanges(input), input, input.actual)).toEqual(new Map());
  });
});
