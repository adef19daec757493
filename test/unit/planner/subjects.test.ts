import { describe, expect, it } from 'vitest';
import { planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, planInput, teammate, unmappedUser } from './builders.js';

const STAGING = 'project:web-staging';

describe('unmappedUsers policy', () => {
  const actual = [
    teammate('gone@example.com', { [STAGING]: 'Member', 'module:illuminate:web-prod': 'enabled' }),
    teammate('unmapped@example.com', { 'project:web-dev': 'Viewer' }),
  ];
  const baseline = new Map(actual.map((t) => [t.email, { ...t.access }]));
  const desired = desiredState(unmappedUser('unmapped@example.com'), unmappedUser('outsider@example.com'));

  it('deactivate: only membership changes; other access is kept with its assets and history', () => {
    const plan = planChanges(planInput({ desired, actual, baseline }));
    expect(plan.changes).toEqual([
      {
        user: 'gone@example.com',
        entitlement: 'membership',
        from: 'active',
        to: 'deactivated',
        cause: 'idp-change',
        reasons: [{ policy: 'unmappedUsers', value: 'deactivate', detail: 'not found in any identity source' }],
        risk: ['revokes-access'],
        blocked: null,
      },
      expect.objectContaining({
        user: 'unmapped@example.com',
        entitlement: 'membership',
        to: 'deactivated',
        reasons: [expect.objectContaining({ policy: 'unmappedUsers', value: 'deactivate' })],
      }),
    ]);
    expect(plan.summary.users).toBe(2);
  });

  it('deactivate: an already deactivated user gets nothing', () => {
    const plan = planChanges(
      planInput({
        desired,
        actual: [teammate('unmapped@example.com', { membership: 'deactivated', [STAGING]: 'Admin' })],
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });

  it('deactivate: a user the sync never reconciled is unmanaged drift (alert first), applied per policy', () => {
    const first = planChanges(planInput({ desired, actual: [teammate('unmapped@example.com')] }));
    expect(first.drift).toMatchObject([
      { entitlement: 'membership', cause: 'unmanaged', actual: 'active', desired: 'deactivated' },
    ]);
    expect(first.changes).toMatchObject([{ to: 'deactivated', cause: 'unmanaged' }]);
    const kept = planChanges(
      planInput({ policy: { manualOverrides: 'keep' }, desired, actual: [teammate('unmapped@example.com')] }),
    );
    expect(kept.changes).toEqual([]);
    expect(kept.drift).toMatchObject([{ action: 'keep' }]);
  });

  it('remove: every entitlement goes, membership first', () => {
    const plan = planChanges(planInput({ policy: { unmappedUsers: 'remove' }, desired, actual, baseline }));
    expect(plan.changes.map((c) => [c.user, c.entitlement, c.from, c.to, c.cause])).toEqual([
      ['gone@example.com', 'membership', 'active', null, 'idp-change'],
      ['gone@example.com', 'org', 'Member', null, 'idp-change'],
      ['gone@example.com', STAGING, 'Member', null, 'idp-change'],
      ['gone@example.com', 'module:illuminate:web-prod', 'enabled', null, 'idp-change'],
      ['unmapped@example.com', 'membership', 'active', null, 'idp-change'],
      ['unmapped@example.com', 'org', 'Member', null, 'idp-change'],
      ['unmapped@example.com', 'project:web-dev', 'Viewer', null, 'idp-change'],
    ]);
    expect(plan.changes.every((c) => c.reasons[0] && 'policy' in c.reasons[0] && c.reasons[0].value === 'remove')).toBe(
      true,
    );
  });

  it('keep: unmapped users are not managed: no change, no drift, not counted', () => {
    const plan = planChanges(planInput({ policy: { unmappedUsers: 'keep' }, desired, actual, baseline: new Map() }));
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
    expect(plan.summary.users).toBe(0);
  });

  it('an unmapped identity that is not in Heap is never created', () => {
    for (const unmappedUsers of ['deactivate', 'remove', 'keep'] as const) {
      const plan = planChanges(
        planInput({ policy: { unmappedUsers }, desired: desiredState(unmappedUser('outsider@example.com')) }),
      );
      expect(plan.changes).toEqual([]);
    }
  });

  it('a mapped user not in Heap is created with the desired access', () => {
    const plan = planChanges(
      planInput({ desired: desiredState(desiredUser('New@Example.com', { [STAGING]: 'Viewer' })) }),
    );
    expect(plan.changes.map((c) => [c.user, c.entitlement, c.from, c.to, c.cause])).toEqual([
      ['new@example.com', 'membership', null, 'active', 'idp-change'],
      ['new@example.com', 'org', null, 'Member', 'idp-change'],
      ['new@example.com', STAGING, null, 'Viewer', 'idp-change'],
    ]);
  });
});

describe('matching identities to teammates', () => {
  it('by e-mail, case-insensitively; the plan names the teammate as Heap knows them', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser('alice@example.com', { [STAGING]: 'Admin' })),
        actual: [teammate('Alice@Example.COM', { [STAGING]: 'Member' })],
        baseline: new Map([['alice@example.com', access({ [STAGING]: 'Member' })]]),
      }),
    );
    expect(plan.changes).toMatchObject([
      { user: 'Alice@Example.COM', entitlement: STAGING, to: 'Admin', cause: 'idp-change' },
    ]);
  });

  it('by userName', () => {
    const plan = planChanges(
      planInput({
        policy: { match: 'userName' },
        desired: desiredState(desiredUser('alice@example.com', { [STAGING]: 'Admin' }, { matchValue: 'ALICE' })),
        actual: [teammate('a.smith@example.com', { [STAGING]: 'Admin' }, { userName: 'alice' })],
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });

  it('by externalId, case-exact', () => {
    const input = (externalId: string) =>
      planInput({
        policy: { match: 'externalId', unmappedUsers: 'keep' },
        desired: desiredState(desiredUser('alice@example.com', {}, { matchValue: '00u1AbC' })),
        actual: [teammate('a.smith@example.com', {}, { externalId })],
      });
    expect(planChanges(input('00u1AbC')).changes).toEqual([]);
    // a different externalId: alice is not this teammate, and is created (the teammate, unmapped, is kept)
    expect(planChanges(input('00u1abc')).changes.map((c) => [c.user, c.entitlement, c.to])).toEqual([
      ['alice@example.com', 'membership', 'active'],
      ['alice@example.com', 'org', 'Member'],
    ]);
  });

  it('warns about teammates without the match attribute and leaves them alone', () => {
    const plan = planChanges(
      planInput({
        policy: { match: 'userName' },
        desired: desiredState(desiredUser('alice@example.com', {}, { matchValue: 'alice' })),
        actual: [teammate('alice@example.com', {}, { userName: 'alice' }), teammate('bob@example.com')],
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual([
      '1 teammate(s) have no userName: they cannot be matched to an identity and are left alone',
    ]);
  });

  it('does not create an identity whose e-mail is in Heap under another userName', () => {
    const plan = planChanges(
      planInput({
        policy: { match: 'userName', unmappedUsers: 'keep' },
        desired: desiredState(desiredUser('alice@example.com', {}, { matchValue: 'alice', identityId: 'okta-1' })),
        actual: [teammate('alice@example.com', {}, { userName: 'asmith' })],
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual([
      'identity okta-1 matches no teammate by userName, but alice@example.com is in Heap: left alone',
    ]);
  });

  it('two identities for one teammate: the mapped one is used, whatever the order', () => {
    const mapped = desiredUser('alice@example.com', { [STAGING]: 'Viewer' }, { identityId: 'b', source: 'okta' });
    const unmapped = unmappedUser('alice@example.com', { identityId: 'a', source: 'entra' });
    for (const users of [
      [mapped, unmapped],
      [unmapped, mapped],
    ]) {
      const plan = planChanges(planInput({ desired: desiredState(...users), actual: [teammate('alice@example.com')] }));
      expect(plan.changes).toMatchObject([{ entitlement: STAGING, to: 'Viewer' }]);
      expect(plan.warnings).toEqual(['identities a and b both match teammate alice@example.com: one is used']);
    }
  });
});

describe('scope (incremental runs)', () => {
  it('plans only users in scope', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(
          desiredUser('a@example.com', { [STAGING]: 'Viewer' }),
          desiredUser('b@example.com', { [STAGING]: 'Viewer' }),
        ),
        actual: [
          teammate('a@example.com'),
          teammate('b@example.com', { [STAGING]: 'Admin' }),
          teammate('c@example.com'),
        ],
        baseline: new Map([['b@example.com', access()]]),
        scope: new Set(['a@example.com']),
      }),
    );
    expect(plan.changes.map((c) => c.user)).toEqual(['a@example.com']);
    expect(plan.drift).toEqual([]);
    expect(plan.summary.users).toBe(1);
  });

  it('an empty scope plans nothing; a null scope plans everyone', () => {
    const base = {
      desired: desiredState(desiredUser('a@example.com', { [STAGING]: 'Viewer' })),
      actual: [teammate('a@example.com')],
    };
    expect(planChanges(planInput({ ...base, scope: new Set() })).changes).toEqual([]);
    expect(planChanges(planInput({ ...base, scope: null })).changes).toHaveLength(1);
  });
});
