import { describe, expect, it } from 'vitest';
import { planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, exception, planInput, reason, teammate } from './builders.js';

const USER = 'alice@example.com';
const KEY = 'project:web-staging';
const member = { value: 'Member', reasons: [reason('analysts', 'Analytics')] };

describe('exceptions', () => {
  it('an active exception replaces the desired value, and the change says which exception', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Member' })],
        baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
        exceptions: [exception({ user: USER, entitlement: KEY, value: 'Admin' })],
      }),
    );
    expect(plan.changes).toEqual([
      {
        user: USER,
        entitlement: KEY,
        from: 'Member',
        to: 'Admin',
        cause: 'exception',
        reasons: [
          {
            exception: 'ex-1',
            approver: 'boss@example.com',
            reason: 'integration setup',
            expiresAt: '2025-07-01T00:00:00Z',
          },
        ],
        risk: ['broadens-access'],
        blocked: null,
      },
    ]);
    expect(plan.drift).toEqual([]);
  });

  it('an active exception accepting a manual change means no drift and no change', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Admin' })],
        baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
        exceptions: [exception({ user: 'Alice@Example.com', entitlement: KEY, value: 'Admin' })],
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });

  it('an exception may revoke (value null) what the mapping grants', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Member' })],
        baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
        exceptions: [exception({ user: USER, entitlement: KEY, value: null })],
      }),
    );
    expect(plan.changes).toMatchObject([{ from: 'Member', to: null, cause: 'exception', risk: ['revokes-access'] }]);
  });

  it('an expired exception is reverted with the reason that it expired plus the rule reasons, whatever the drift policy', () => {
    for (const manualOverrides of ['revert', 'keep'] as const) {
      for (const baseline of [access({ [KEY]: 'Admin' }), access({ [KEY]: 'Member' }), undefined]) {
        const plan = planChanges(
          planInput({
            policy: { manualOverrides },
            desired: desiredState(desiredUser(USER, { [KEY]: member })),
            actual: [teammate(USER, { [KEY]: 'Admin' })],
            baseline: new Map(baseline ? [[USER, baseline]] : []),
            exceptions: [
              exception({ user: USER, entitlement: KEY, value: 'Admin', expiresAt: '2025-05-31T00:00:00Z' }),
            ],
          }),
        );
        expect(plan.drift).toEqual([]);
        expect(plan.changes).toEqual([
          expect.objectContaining({
            from: 'Admin',
            to: 'Member',
            cause: 'exception',
            reasons: [
              {
                exception: 'ex-1',
                approver: 'boss@example.com',
                reason: 'integration setup',
                expiresAt: '2025-05-31T00:00:00Z',
                expired: true,
              },
              { rule: 'analysts', group: 'Analytics', source: 'file' },
            ],
            risk: ['revokes-access'],
          }),
        ]);
      }
    }
  });

  it('an expired exception whose value is no longer in Heap is ordinary classification', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Viewer' })],
        baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
        exceptions: [exception({ user: USER, entitlement: KEY, value: 'Admin', expiresAt: '2025-05-31T00:00:00Z' })],
      }),
    );
    expect(plan.changes).toMatchObject([{ from: 'Viewer', to: 'Member', cause: 'manual-override' }]);
    expect(plan.drift).toMatchObject([{ cause: 'manual-override' }]);
  });

  it('a revoked exception is ignored: its value is drift like any manual change', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Admin' })],
        baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
        exceptions: [exception({ user: USER, entitlement: KEY, value: 'Admin', revokedAt: '2025-05-20T00:00:00Z' })],
      }),
    );
    expect(plan.changes).toMatchObject([
      { from: 'Admin', to: 'Member', cause: 'manual-override', reasons: [{ rule: 'analysts' }] },
    ]);
  });

  it('of overlapping active exceptions the most recently approved wins, whatever their order', () => {
    const older = exception({
      id: 'ex-a',
      user: USER,
      entitlement: KEY,
      value: 'Viewer',
      createdAt: '2025-05-01T00:00:00Z',
    });
    const newer = exception({
      id: 'ex-b',
      user: USER,
      entitlement: KEY,
      value: 'Admin',
      createdAt: '2025-05-10T00:00:00Z',
    });
    for (const exceptions of [
      [older, newer],
      [newer, older],
    ]) {
      const plan = planChanges(
        planInput({
          desired: desiredState(desiredUser(USER, { [KEY]: member })),
          actual: [teammate(USER, { [KEY]: 'Member' })],
          baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
          exceptions,
        }),
      );
      expect(plan.changes).toMatchObject([{ to: 'Admin', cause: 'exception', reasons: [{ exception: 'ex-b' }] }]);
    }
  });

  it('an exception on an entitlement the mapping does not mention grants it', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER)),
        actual: [teammate(USER)],
        baseline: new Map([[USER, access()]]),
        exceptions: [exception({ user: USER, entitlement: 'module:illuminate:web-prod', value: 'enabled' })],
      }),
    );
    expect(plan.changes).toMatchObject([
      {
        entitlement: 'module:illuminate:web-prod',
        from: null,
        to: 'enabled',
        cause: 'exception',
        risk: ['broadens-access'],
      },
    ]);
  });

  it('drift against an active exception suggests changing the exception', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(USER, { [KEY]: member })),
        actual: [teammate(USER, { [KEY]: 'Viewer' })],
        baseline: new Map([[USER, access({ [KEY]: 'Admin' })]]),
        exceptions: [exception({ user: USER, entitlement: KEY, value: 'Admin' })],
      }),
    );
    expect(plan.drift).toMatchObject([{ cause: 'manual-override', desired: 'Admin', suggestedActions: [] }]);
    expect(plan.drift[0]?.suggestion).toContain('exception ex-1');
  });
});
