import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EvaluatedUser } from '../../../src/domain/compact-desired.js';
import type { DesiredState } from '../../../src/domain/desired.js';
import type { Access } from '../../../src/domain/entitlement.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { nextBaseline, planChanges } from '../../../src/planner/index.js';
import type { PlanInput } from '../../../src/planner/input.js';
import { directory, group, mappingOf, user } from '../mapping/builders.js';
import { NOW } from './builders.js';

// Several rules per group and overlapping grants: users get one reason, several reasons, and modules without
// their project (not applied), so every kind of slot (shared grant, user-wide reasons, several reasons) occurs.
const MAPPING = mappingOf(`policy: { manualOverrides: revert, revertAfter: 0s }
rules:
  - { name: admins, group: Admins, orgRole: Admin }
  - { name: analysts, group: Analytics, projects: { web-prod: Member, environment:staging: Admin } }
  - { name: everyone, group: Everyone, projects: { "*": Viewer } }
  - { name: everyone-dev, group: Everyone, projects: { web-dev: Viewer }, modules: { govern: { web-dev: viewer } } }
  - { name: replay, group: Replay, modules: { illuminate: [web-staging, mobile-prod] } }
`);
const GROUPS = ['Admins', 'Analytics', 'Everyone', 'Replay'];
const KEYS = [
  'membership',
  'org',
  'project:web-prod',
  'project:web-dev',
  'project:mobile-prod',
  'module:govern:web-dev',
];
const VALUES = ['active', 'deactivated', 'Member', 'Admin', 'Viewer', 'viewer', 'enabled', null];

/** A plain DesiredState with the same JSON: what the planner read before evaluation wrote compact slots. */
const plainCopy = (d: DesiredState): DesiredState => JSON.parse(JSON.stringify(d)) as DesiredState;

/** Heap's access of a user: the desired values, some changed or dropped, extra keys, keys in any order. */
const accessArb = (desired: Access): fc.Arbitrary<Access> =>
  fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES)), { maxLength: 3 }),
      fc.subarray(Object.keys(desired)),
      fc.boolean(),
    )
    .map(([edits, dropped, reversed]) => {
      const a: Record<string, string | null> = { ...desired };
      for (const k of dropped) delete a[k];
      for (const [k, v] of edits) a[k] = v;
      const entries = Object.entries(a);
      return Object.fromEntries(reversed ? entries.reverse() : entries) as Access;
    });

const caseArb = fc.array(fc.subarray(GROUPS), { minLength: 1, maxLength: 6 }).chain((memberships) => {
  const names = memberships.map((_, i) => `u${i}`);
  const snapshot = directory(
    names.map((n) => user(n)),
    GROUPS.map((g) =>
      group(
        g,
        names.filter((_, i) => memberships[i]?.includes(g)),
      ),
    ),
  );
  const desired = evaluateMapping(MAPPING, snapshot);
  const values = desired.users.map(
    (d) => Object.fromEntries(Object.entries(d.entitlements).map(([k, e]) => [k, e.value])) as Access,
  );
  return fc.record({
    desired: fc.constant(desired),
    actual: fc.tuple(...values.map((v) => fc.option(accessArb(v), { nil: null }))),
    baseline: fc.tuple(...values.map((v) => fc.option(accessArb(v), { nil: null }))),
  });
});

function inputOf(desired: DesiredState, actual: (Access | null)[], baseline: (Access | null)[]): PlanInput {
  const teammates: Teammate[] = [];
  const base = new Map<string, Access>();
  desired.users.forEach((d, i) => {
    const a = actual[i];
    const b = baseline[i];
    if (a) teammates.push({ email: d.user, access: a });
    if (b) base.set(d.user, b);
  });
  return { mapping: MAPPING, desired, actual: teammates, baseline: base, exceptions: [], now: NOW };
}

describe('compact desired state (evaluator to planner)', () => {
  it('plans and establishes baselines from the slots exactly as from the records the JSON shows', () => {
    fc.assert(
      fc.property(caseArb, ({ desired, actual, baseline }) => {
        expect(desired.users.every((d) => EvaluatedUser.slotsOf(d) !== null)).toBe(true);
        const compact = inputOf(desired, actual, baseline);
        const plain = inputOf(plainCopy(desired), actual, baseline);
        expect(plain.desired.users.every((d) => EvaluatedUser.slotsOf(d) === null)).toBe(true);
        const plan = planChanges(compact);
        expect(JSON.stringify(plan)).toBe(JSON.stringify(planChanges(plain)));
        expect([...nextBaseline(plan, compact, compact.actual)]).toEqual([...nextBaseline(plan, plain, plain.actual)]);
      }),
      { numRuns: 300 },
    );
  });

  it('shows each user as an ordinary DesiredUser: same JSON, equal to a plain copy, key order kept', () => {
    const snapshot = directory(
      [user('ann', { displayName: 'Ann' }), user('bob'), user('cy', { userName: 'cy' })],
      [group('Everyone', ['ann', 'bob', 'cy']), group('Analytics', ['ann']), group('Replay', ['bob'])],
    );
    const desired = evaluateMapping(MAPPING, snapshot);
    const plain = plainCopy(desired);
    expect(desired).toEqual(plain);
    expect(JSON.stringify(desired)).toBe(JSON.stringify(plain));
    for (const [i, d] of desired.users.entries()) {
      expect(Object.keys(d)).toEqual(Object.keys(plain.users[i] ?? {}));
      expect({ ...d }).toEqual(plain.users[i]);
    }
    // ann's membership has both her reasons; one rule's grant is one object for every user it applies to
    const [ann, bob, cy] = desired.users;
    expect(ann?.entitlements.membership?.reasons.map((r) => r.rule)).toEqual(['analysts', 'everyone', 'everyone-dev']);
    expect(cy?.entitlements['project:web-prod']).toBe(bob?.entitlements['project:web-prod']);
  });

  it('keeps a record read-only; a replaced record is what the planner then plans from', () => {
    const desired = evaluateMapping(MAPPING, directory([user('ann')], [group('Everyone', ['ann'])]));
    const [ann] = desired.users;
    if (!ann) throw new Error('no user');
    expect(() => {
      ann.entitlements['project:web-prod'] = { value: 'Admin', reasons: [] };
    }).toThrow(TypeError);
    const held = { ...ann.entitlements };
    const input = inputOf(desired, [Object.fromEntries(Object.entries(held).map(([k, e]) => [k, e.value]))], [null]);
    expect(planChanges(input).changes).toEqual([]);
    ann.entitlements = { ...held, 'project:web-prod': { value: 'Admin', reasons: [] } };
    expect(EvaluatedUser.slotsOf(ann)).toBeNull();
    expect(planChanges(input).changes.map((c) => [c.entitlement, c.from, c.to])).toEqual([
      ['project:web-prod', 'Viewer', 'Admin'],
    ]);
  });
});
