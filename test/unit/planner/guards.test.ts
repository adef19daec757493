import { describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { planChanges } from '../../../src/planner/index.js';
import type { PlanInput } from '../../../src/planner/input.js';
import {
  type PolicyOverrides,
  access,
  desiredState,
  desiredUser,
  planInput,
  teammate,
  unmappedUser,
} from './builders.js';

const STAGING = 'project:web-staging';

/** Everyone is reconciled (baseline = actual), so every difference is an idp-change. */
function reconciled(actual: Teammate[], rest: Partial<PlanInput> & { policy?: PolicyOverrides }): PlanInput {
  return planInput({ actual, baseline: new Map(actual.map((t) => [t.email, { ...t.access } as Access])), ...rest });
}

const blockedOf = (input: PlanInput) => planChanges(input).changes.map((c) => [c.user, c.entitlement, c.to, c.blocked]);

describe('guard lastProjectAdmin', () => {
  it('blocks the change that would leave a project without an Admin', () => {
    const input = reconciled([teammate('alice@example.com', { [STAGING]: 'Admin' })], {
      desired: desiredState(desiredUser('alice@example.com', { [STAGING]: 'Member' })),
    });
    const plan = planChanges(input);
    expect(plan.changes).toMatchObject([
      { entitlement: STAGING, from: 'Admin', to: 'Member', blocked: 'lastProjectAdmin' },
    ]);
    expect(plan.summary).toMatchObject({ changes: 1, blocked: 1, revocations: 0 });
    expect(plan.summary.risk).toContain('1 change(s) blocked by guards');
  });

  it('lets the change through when another active Admin remains', () => {
    const input = reconciled(
      [teammate('alice@example.com', { [STAGING]: 'Admin' }), teammate('bob@example.com', { [STAGING]: 'Admin' })],
      {
        desired: desiredState(
          desiredUser('alice@example.com', { [STAGING]: 'Member' }),
          desiredUser('bob@example.com', { [STAGING]: 'Admin' }),
        ),
      },
    );
    expect(blockedOf(input)).toEqual([['alice@example.com', STAGING, 'Member', null]]);
  });

  it('applies the plan in order: of two Admins demoted at once, the second is blocked', () => {
    const input = reconciled(
      [teammate('alice@example.com', { [STAGING]: 'Admin' }), teammate('bob@example.com', { [STAGING]: 'Admin' })],
      {
        desired: desiredState(
          desiredUser('bob@example.com', { [STAGING]: 'Viewer' }),
          desiredUser('alice@example.com'),
        ),
      },
    );
    expect(blockedOf(input)).toEqual([
      ['alice@example.com', STAGING, null, null],
      ['bob@example.com', STAGING, 'Viewer', 'lastProjectAdmin'],
    ]);
  });

  it('counts an Admin granted earlier in the plan', () => {
    const input = reconciled([teammate('aaron@example.com'), teammate('zoe@example.com', { [STAGING]: 'Admin' })], {
      desired: desiredState(
        desiredUser('aaron@example.com', { [STAGING]: 'Admin' }),
        desiredUser('zoe@example.com', { [STAGING]: 'Member' }),
      ),
    });
    expect(blockedOf(input)).toEqual([
      ['aaron@example.com', STAGING, 'Admin', null],
      ['zoe@example.com', STAGING, 'Member', null],
    ]);
  });

  it('counts deactivation of the last Admin, and does not count deactivated Admins', () => {
    const input = reconciled(
      [
        teammate('alice@example.com', { [STAGING]: 'Admin' }),
        teammate('old@example.com', { membership: 'deactivated', [STAGING]: 'Admin' }),
      ],
      { desired: desiredState(unmappedUser('alice@example.com')) },
    );
    expect(blockedOf(input)).toEqual([['alice@example.com', 'membership', 'deactivated', 'lastProjectAdmin']]);
  });

  it('counts removal of the last Admin: membership and the Admin role are blocked, the rest goes', () => {
    const input = reconciled([teammate('alice@example.com', { [STAGING]: 'Admin', 'project:web-dev': 'Viewer' })], {
      policy: { unmappedUsers: 'remove' },
      desired: desiredState(),
    });
    expect(blockedOf(input)).toEqual([
      ['alice@example.com', 'membership', null, 'lastProjectAdmin'],
      ['alice@example.com', 'org', null, null],
      ['alice@example.com', 'project:web-dev', null, null],
      ['alice@example.com', STAGING, null, 'lastProjectAdmin'],
    ]);
  });

  it('counts every teammate, also those outside the scope of an incremental run', () => {
    const actual = [
      teammate('alice@example.com', { [STAGING]: 'Admin' }),
      teammate('bob@example.com', { [STAGING]: 'Admin' }),
    ];
    const desired = desiredState(
      desiredUser('alice@example.com', { [STAGING]: 'Member' }),
      desiredUser('bob@example.com', { [STAGING]: 'Member' }),
    );
    const scoped = reconciled(actual, { desired, scope: new Set(['alice@example.com']) });
    expect(blockedOf(scoped)).toEqual([['alice@example.com', STAGING, 'Member', null]]);
  });

  it('does nothing when switched off', () => {
    const input = reconciled([teammate('alice@example.com', { [STAGING]: 'Admin' })], {
      policy: { guards: { lastProjectAdmin: false } },
      desired: desiredState(desiredUser('alice@example.com')),
    });
    expect(blockedOf(input)).toEqual([['alice@example.com', STAGING, null, null]]);
  });

  it('never blocks on a project that had no Admin to begin with', () => {
    const input = reconciled([teammate('alice@example.com', { [STAGING]: 'Member' })], {
      desired: desiredState(desiredUser('alice@example.com')),
    });
    expect(blockedOf(input)).toEqual([['alice@example.com', STAGING, null, null]]);
  });
});

describe('guard lastOrgAdmin', () => {
  it('blocks demoting the last org Admin', () => {
    const input = reconciled([teammate('alice@example.com', { org: 'Admin' })], {
      desired: desiredState(desiredUser('alice@example.com')),
    });
    expect(blockedOf(input)).toEqual([['alice@example.com', 'org', 'Member', 'lastOrgAdmin']]);
  });

  it('blocks deactivating the last org Admin, naming the org guard first', () => {
    const input = reconciled([teammate('alice@example.com', { org: 'Admin', [STAGING]: 'Admin' })], {
      desired: desiredState(),
    });
    expect(blockedOf(input)).toEqual([['alice@example.com', 'membership', 'deactivated', 'lastOrgAdmin']]);
  });

  it('lets one of two org Admins go', () => {
    const input = reconciled(
      [teammate('alice@example.com', { org: 'Admin' }), teammate('bob@example.com', { org: 'Admin' })],
      {
        desired: desiredState(desiredUser('alice@example.com', { org: 'Admin' }), desiredUser('bob@example.com')),
      },
    );
    const plan = planChanges(input);
    expect(plan.changes).toMatchObject([{ user: 'bob@example.com', entitlement: 'org', to: 'Member', blocked: null }]);
    expect(plan.summary.orgAdminsAfter).toBe(1);
  });

  it('does nothing when switched off', () => {
    const input = reconciled([teammate('alice@example.com', { org: 'Admin' })], {
      policy: { guards: { lastOrgAdmin: false } },
      desired: desiredState(desiredUser('alice@example.com')),
    });
    expect(blockedOf(input)).toEqual([['alice@example.com', 'org', 'Member', null]]);
  });
});

describe('guard maxRevocations (counted in users)', () => {
  const users = ['a@example.com', 'b@example.com', 'c@example.com'];
  const input = (approved: boolean, maxRevocations = 2) =>
    reconciled(
      users.map((u) => teammate(u, { [STAGING]: 'Member' })),
      {
        policy: { guards: { maxRevocations, maxRevocationPercent: 100 } },
        desired: desiredState(...users.map((u) => desiredUser(u))),
        approved,
      },
    );
  const reason = '3 of 3 managed active user(s) would lose access, more than maxRevocations (2)';

  it('holds a plan in which more users lose access than allowed', () => {
    const plan = planChanges(input(false));
    expect(plan).toMatchObject({ held: true, heldBy: 'maxRevocations', holdReason: reason });
    expect(plan.summary).toMatchObject({ revocations: 3, usersLosingAccess: 3, managedActiveUsers: 3 });
    expect(plan.summary.risk).toContain(`${reason}: plan held for approval`);
    expect(plan.changes.every((c) => c.blocked === null)).toBe(true);
  });

  it('does not hold an approved plan, and says it was approved', () => {
    const plan = planChanges(input(true));
    expect(plan).toMatchObject({ held: false, heldBy: null });
    expect(plan.summary.risk).toContain(`${reason}: approved`);
  });

  it('does not hold at the limit', () => {
    expect(planChanges(input(false, 3))).toMatchObject({ held: false, heldBy: null });
  });

  it('does not count blocked changes', () => {
    const plan = planChanges(
      reconciled(
        [teammate('a@example.com', { [STAGING]: 'Admin' }), teammate('b@example.com', { [STAGING]: 'Member' })],
        {
          policy: { guards: { maxRevocations: 0, maxRevocationPercent: 100 } },
          desired: desiredState(desiredUser('a@example.com')),
          approved: false,
        },
      ),
    );
    // a's demotion is blocked (last Admin); b's deactivation is the one revocation, and 1 > 0
    expect(plan.summary).toMatchObject({ revocations: 1, blocked: 1, usersLosingAccess: 1 });
    expect(plan.heldBy).toBe('maxRevocations');
  });

  it('counts deactivations as revocations', () => {
    const plan = planChanges(
      reconciled(
        users.map((u) => teammate(u)),
        { policy: { guards: { maxRevocations: 2 } }, desired: desiredState() },
      ),
    );
    expect(plan.changes.map((c) => c.risk)).toEqual([['revokes-access'], ['revokes-access'], ['revokes-access']]);
    expect(plan.held).toBe(true);
  });
});

describe('guard maxOrgAdmins', () => {
  it('flags a plan that leaves more org Admins than allowed, without holding it', () => {
    const plan = planChanges(
      reconciled([teammate('a@example.com', { org: 'Admin' }), teammate('b@example.com')], {
        policy: { guards: { maxOrgAdmins: 1 } },
        desired: desiredState(
          desiredUser('a@example.com', { org: 'Admin' }),
          desiredUser('b@example.com', { org: 'Admin' }),
        ),
      }),
    );
    expect(plan.held).toBe(false);
    expect(plan.summary.orgAdminsAfter).toBe(2);
    const note = 'the organization would have 2 Admins, more than maxOrgAdmins (1)';
    expect(plan.summary.risk).toEqual(['1 change(s) grant org Admin', note]);
    expect(plan.warnings).toEqual([note]);
    expect(plan.changes).toMatchObject([{ risk: ['broadens-access', 'org-admin'], blocked: null }]);
  });

  it('is quiet at the limit', () => {
    const plan = planChanges(
      reconciled([teammate('a@example.com', { org: 'Admin' })], {
        policy: { guards: { maxOrgAdmins: 1 } },
        desired: desiredState(desiredUser('a@example.com', { org: 'Admin' })),
      }),
    );
    expect(plan.summary.orgAdminsAfter).toBe(1);
    expect(plan.warnings).toEqual([]);
  });

  it('counts Admins from outside the plan scope', () => {
    const plan = planChanges(
      reconciled([teammate('a@example.com', { org: 'Admin' }), teammate('b@example.com')], {
        policy: { guards: { maxOrgAdmins: 1 } },
        desired: desiredState(
          desiredUser('a@example.com', { org: 'Admin' }),
          desiredUser('b@example.com', { org: 'Admin' }),
        ),
        scope: new Set(['b@example.com']),
      }),
    );
    expect(plan.summary).toMatchObject({ users: 1, orgAdminsAfter: 2 });
  });
});

describe('risk flags', () => {
  it('flags production Admin, org Admin, broadening and revocation', () => {
    const plan = planChanges(
      reconciled(
        [
          teammate('a@example.com', { 'project:web-dev': 'Admin', 'module:govern:web-prod': 'editor' }),
          teammate('z@example.com', { org: 'Admin', 'project:web-dev': 'Admin' }),
        ],
        {
          desired: desiredState(
            desiredUser('a@example.com', {
              org: 'Admin',
              'project:web-prod': 'Admin',
              'project:web-dev': 'Viewer',
              'module:govern:web-prod': 'viewer',
            }),
            desiredUser('z@example.com', { org: 'Admin', 'project:web-dev': 'Admin' }),
          ),
        },
      ),
    );
    expect(plan.changes.map((c) => [c.entitlement, c.risk])).toEqual([
      ['org', ['broadens-access', 'org-admin']],
      ['project:web-dev', ['revokes-access']],
      ['project:web-prod', ['broadens-access', 'production-admin']],
      ['module:govern:web-prod', ['revokes-access']],
    ]);
    expect(plan.summary.risk).toEqual([
      '1 change(s) grant Admin on a production project',
      '1 change(s) grant org Admin',
    ]);
  });

  it('treats creating a user as broadening and activation as broadening', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser('new@example.com'), desiredUser('back@example.com')),
        actual: [teammate('back@example.com', { membership: 'deactivated' })],
        baseline: new Map([['back@example.com', access({ membership: 'deactivated' })]]),
      }),
    );
    expect(plan.changes.map((c) => [c.user, c.entitlement, c.from, c.to, c.risk])).toEqual([
      ['back@example.com', 'membership', 'deactivated', 'active', ['broadens-access']],
      ['new@example.com', 'membership', null, 'active', ['broadens-access']],
      ['new@example.com', 'org', null, 'Member', ['broadens-access']],
    ]);
  });
});
