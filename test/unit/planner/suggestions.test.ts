import { describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import { planChanges } from '../../../src/planner/index.js';
import {
  access,
  desiredState,
  desiredUser,
  mappingSet,
  planInput,
  reason,
  rule,
  RULES,
  teammate,
  unmappedUser,
} from './builders.js';

const ALICE = 'alice@example.com';
const PROD = 'project:web-prod';

function driftOf(d: Access, a: Access, b: Access, desiredReasons = reason('analysts', 'Analytics')) {
  const ents = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, { value: v, reasons: [desiredReasons] }]));
  const plan = planChanges(
    planInput({
      desired: desiredState(desiredUser(ALICE, ents)),
      actual: [teammate(ALICE, a)],
      baseline: new Map([[ALICE, access(b)]]),
    }),
  );
  return plan.drift.map((x) => ({ entitlement: x.entitlement, suggestion: x.suggestion, actions: x.suggestedActions }));
}

describe('drift suggestions (the mapping inverted)', () => {
  it('a manual elevation: join the group whose rule grants the actual value', () => {
    expect(driftOf({ [PROD]: 'Member' }, { [PROD]: 'Admin' }, { [PROD]: 'Member' })).toEqual([
      {
        entitlement: PROD,
        suggestion: `add ${ALICE} to group "Heap Prod Admins"`,
        actions: [{ action: 'add-to-group', user: ALICE, group: 'Heap Prod Admins' }],
      },
    ]);
  });

  it('a manual org Admin', () => {
    expect(driftOf({}, { org: 'Admin' }, {})).toMatchObject([
      { entitlement: 'org', suggestion: `add ${ALICE} to group "Heap Admins"` },
    ]);
  });

  it('a manual revocation: leave the groups that grant the value now', () => {
    expect(driftOf({ [PROD]: 'Member' }, {}, { [PROD]: 'Member' })).toEqual([
      {
        entitlement: PROD,
        suggestion: `remove ${ALICE} from group "Analytics"`,
        actions: [{ action: 'remove-from-group', user: ALICE, group: 'Analytics' }],
      },
    ]);
  });

  it('a manual downgrade: leave the granting group, join one that grants the lower value', () => {
    expect(
      driftOf(
        { [PROD]: 'Admin' },
        { [PROD]: 'Member' },
        { [PROD]: 'Admin' },
        reason('prod-admins', 'Heap Prod Admins'),
      ),
    ).toEqual([
      {
        entitlement: PROD,
        suggestion: `remove ${ALICE} from group "Heap Prod Admins"; add ${ALICE} to group "Analytics"`,
        actions: [
          { action: 'remove-from-group', user: ALICE, group: 'Heap Prod Admins' },
          { action: 'add-to-group', user: ALICE, group: 'Analytics' },
        ],
      },
    ]);
  });

  it('no rule produces the value: add a rule', () => {
    expect(driftOf({}, { 'project:web-dev': 'Admin' }, {})).toEqual([
      {
        entitlement: 'project:web-dev',
        suggestion: 'no group grants Admin on web-dev: add a rule to the mapping',
        actions: [{ action: 'add-rule', user: ALICE }],
      },
    ]);
  });

  it('selectors are resolved: environment and * grants are found', () => {
    expect(driftOf({}, { 'project:web-staging': 'Admin' }, {})).toMatchObject([
      { suggestion: `add ${ALICE} to group "Analytics"` },
    ]);
    expect(driftOf({}, { 'project:web-dev': 'Viewer' }, {})).toMatchObject([
      { suggestion: `add ${ALICE} to group "Everyone"` },
    ]);
    expect(driftOf({}, { 'module:govern:web-prod': 'viewer' }, {})).toMatchObject([
      { suggestion: `add ${ALICE} to group "Analytics"` },
    ]);
  });

  it('several groups would do: a few are offered, each its own suggestion, narrowest first, then by name', () => {
    const rules = ['e', 'd', 'c', 'b', 'a'].map((n) =>
      rule(`r-${n}`, `Group ${n.toUpperCase()}`, { projects: { 'web-dev': 'Admin' } }),
    );
    const plan = planChanges(
      planInput({
        mapping: mappingSet({}, rules),
        desired: desiredState(desiredUser(ALICE)),
        actual: [teammate(ALICE, { 'project:web-dev': 'Admin' })],
        baseline: new Map([[ALICE, access()]]),
      }),
    );
    expect(plan.drift[0]?.suggestion).toBe(`add ${ALICE} to group "Group A"`);
    expect(plan.drift[0]?.suggestions?.map((s) => s.suggestedActions.map((a) => a.group))).toEqual([
      ['Group A'],
      ['Group B'],
      ['Group C'],
    ]);
  });

  it('least privilege: the group whose rule grants least comes first', () => {
    const rules = [
      rule('everything', 'Aaa Admins', { orgRole: 'Admin', projects: { 'web-dev': 'Admin' } }),
      rule('all-projects', 'Bbb Admins', { projects: { '*': 'Admin' } }),
      rule('dev-admins', 'Zzz Dev Admins', { projects: { 'web-dev': 'Admin' } }),
    ];
    const plan = planChanges(
      planInput({
        // alice is an analyst (the builder's reason): Bbb's and Aaa's one side effect each tie, breadth decides
        mapping: mappingSet({}, [...rules, ...RULES.filter((r) => r.name === 'analysts')]),
        desired: desiredState(desiredUser(ALICE)),
        actual: [teammate(ALICE, { 'project:web-dev': 'Admin' })],
        baseline: new Map([[ALICE, access()]]),
      }),
    );
    expect(plan.drift[0]?.suggestions?.map((s) => s.suggestion)).toEqual([
      `add ${ALICE} to group "Zzz Dev Admins"`,
      `add ${ALICE} to group "Bbb Admins"`,
      `add ${ALICE} to group "Aaa Admins"`,
    ]);
  });

  it('a manually reactivated unmapped user: join any mapped group', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(unmappedUser(ALICE)),
        actual: [teammate(ALICE)],
        baseline: new Map([[ALICE, access({ membership: 'deactivated' })]]),
      }),
    );
    expect(plan.drift).toMatchObject([
      {
        entitlement: 'membership',
        cause: 'manual-override',
        suggestion: `add ${ALICE} to group "Heap Prod Admins"`,
      },
    ]);
  });

  it('drift suggestions are made for kept drift too', () => {
    const plan = planChanges(
      planInput({
        policy: { manualOverrides: 'keep' },
        desired: desiredState(desiredUser(ALICE)),
        actual: [teammate(ALICE, { org: 'Admin' })],
        baseline: new Map([[ALICE, access()]]),
      }),
    );
    expect(plan.drift).toMatchObject([{ action: 'keep', suggestion: `add ${ALICE} to group "Heap Admins"` }]);
  });
});

describe('reasons of a revocation', () => {
  it('names the rules that grant the revoked value, which no longer apply to the user', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(ALICE)),
        actual: [teammate(ALICE, { [PROD]: 'Member' })],
        baseline: new Map([[ALICE, access({ [PROD]: 'Member' })]]),
      }),
    );
    expect(plan.changes).toMatchObject([
      {
        entitlement: PROD,
        to: null,
        cause: 'idp-change',
        reasons: [{ rule: 'analysts', group: 'Analytics', source: 'any' }],
      },
    ]);
  });

  it('is empty when no rule grants the value at all', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(desiredUser(ALICE)),
        actual: [teammate(ALICE, { 'project:web-dev': 'Admin' })],
        baseline: new Map([[ALICE, access({ 'project:web-dev': 'Admin' })]]),
        policy: { guards: { lastProjectAdmin: false } },
      }),
    );
    expect(plan.changes).toMatchObject([{ to: null, reasons: [] }]);
  });

  it('a downgrade carries the reasons of the new value, sorted', () => {
    const plan = planChanges(
      planInput({
        desired: desiredState(
          desiredUser(ALICE, {
            [PROD]: { value: 'Member', reasons: [reason('z-rule', 'Zeta'), reason('analysts', 'Analytics')] },
          }),
        ),
        actual: [teammate(ALICE, { [PROD]: 'Admin' }), teammate('bob@example.com', { [PROD]: 'Admin' })],
        baseline: new Map([[ALICE, access({ [PROD]: 'Admin' })]]),
        policy: { unmappedUsers: 'keep' },
      }),
    );
    expect(plan.changes).toMatchObject([
      { to: 'Member', reasons: [reason('analysts', 'Analytics'), reason('z-rule', 'Zeta')], risk: ['revokes-access'] },
    ]);
  });
});
