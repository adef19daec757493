import { describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../../../src/domain/identity.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { planChanges } from '../../../src/planner/index.js';
import { access, mappingSet, planInput, rule, teammate } from './builders.js';

const PROD = 'project:web-prod';
const rules = [
  rule('analysts', 'Analytics', { priority: 10, projects: { 'web-prod': 'Member' } }),
  rule('prod-admins', 'Heap Prod Admins', {
    priority: 50,
    projects: { 'web-prod': 'Admin' },
    allowProductionAdmin: true,
  }),
];
const snapshot: DirectorySnapshot = {
  users: [
    { id: 'u1', userName: 'alice', email: 'alice@example.com', active: true, source: 'file' },
    { id: 'u2', userName: 'bob', email: 'bob@example.com', active: true, source: 'file' },
  ],
  groups: [
    { id: 'g1', displayName: 'Analytics', members: ['u1', 'u2'], source: 'file' },
    { id: 'g2', displayName: 'Heap Prod Admins', members: ['u1'], source: 'file' },
  ],
};
const actual = [teammate('alice@example.com', { [PROD]: 'Member' }), teammate('bob@example.com', { [PROD]: 'Admin' })];
const baseline = new Map(actual.map((t) => [t.email, access(t.access)]));

describe('plans from evaluated multi-group membership', () => {
  it('multiGroup highest: the most privileged grant wins, with the rule that grants it as reason', () => {
    const mapping = mappingSet({ multiGroup: 'highest' }, rules);
    const plan = planChanges(planInput({ mapping, desired: evaluateMapping(mapping, snapshot), actual, baseline }));
    expect(plan.changes).toEqual([
      {
        user: 'alice@example.com',
        entitlement: PROD,
        from: 'Member',
        to: 'Admin',
        cause: 'idp-change',
        reasons: [{ rule: 'prod-admins', group: 'Heap Prod Admins', source: 'file' }],
        risk: ['broadens-access', 'production-admin'],
        blocked: null,
      },
      expect.objectContaining({
        user: 'bob@example.com',
        entitlement: PROD,
        from: 'Admin',
        to: 'Member',
        blocked: null,
      }),
    ]);
  });

  it('multiGroup priority: the lowest priority number wins, even when less privileged', () => {
    const mapping = mappingSet({ multiGroup: 'priority' }, rules);
    const plan = planChanges(planInput({ mapping, desired: evaluateMapping(mapping, snapshot), actual, baseline }));
    // bob, the last Admin of web-prod, may not be demoted
    expect(plan.changes).toMatchObject([
      {
        user: 'bob@example.com',
        entitlement: PROD,
        from: 'Admin',
        to: 'Member',
        blocked: 'lastProjectAdmin',
        reasons: [{ rule: 'analysts' }],
      },
    ]);
  });

  it('an inactive identity is unmapped and deactivated, leaving their project access alone', () => {
    const mapping = mappingSet({}, rules);
    const inactive = { ...snapshot, users: snapshot.users.map((u) => (u.id === 'u2' ? { ...u, active: false } : u)) };
    const admins = [
      teammate('alice@example.com', { [PROD]: 'Admin' }),
      teammate('bob@example.com', { [PROD]: 'Admin' }),
    ];
    const plan = planChanges(
      planInput({ mapping, desired: evaluateMapping(mapping, inactive), actual: admins, baseline: new Map() }),
    );
    expect(plan.changes).toMatchObject([
      {
        user: 'bob@example.com',
        entitlement: 'membership',
        to: 'deactivated',
        blocked: null,
        reasons: [{ policy: 'unmappedUsers', value: 'deactivate' }],
      },
    ]);
  });
});
