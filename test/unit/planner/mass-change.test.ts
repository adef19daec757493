import { describe, expect, it } from 'vitest';
import type { Teammate } from '../../../src/domain/teammate.js';
import { planChanges } from '../../../src/planner/index.js';
import type { PlanInput } from '../../../src/planner/input.js';
import { type PolicyOverrides, desiredState, desiredUser, planInput, teammate } from './builders.js';

const STAGING = 'project:web-staging';
const PROD = 'project:web-prod';

/** An organisation of `n` active teammates, all mapped and in sync, with two org Admins so no guard blocks. */
function org(n: number): Teammate[] {
  return Array.from({ length: n }, (_, i) => {
    const email = `user${String(i).padStart(2, '0')}@example.com`;
    return teammate(email, i < 2 ? { org: 'Admin' } : { [STAGING]: 'Member', [PROD]: 'Viewer' });
  });
}

/** Everyone stays as they are except `leaving` (offboarded: no longer in any group). */
function offboard(actual: Teammate[], leaving: number, extra: Partial<PlanInput> & { policy?: PolicyOverrides } = {}) {
  const stay = actual.slice(0, actual.length - leaving);
  return planInput({
    actual,
    baseline: new Map(actual.map((t) => [t.email, { ...t.access }])),
    desired: desiredState(...stay.map((t) => desiredUser(t.email, { ...t.access }))),
    ...extra,
  });
}

describe('mass-change guard: users losing access against users managed (defaults 25 and 10%)', () => {
  it('applies 1 offboarding in 25', () => {
    const plan = planChanges(offboard(org(25), 1));
    expect(plan).toMatchObject({ held: false, heldBy: null });
    expect(plan.summary).toMatchObject({ usersLosingAccess: 1, managedActiveUsers: 25 });
  });

  it('applies 2 offboardings in 25: the percentage counts from 3 users', () => {
    expect(planChanges(offboard(org(25), 2)).held).toBe(false);
  });

  it('holds 5 offboardings in 25 (20% > 10%), and says why', () => {
    const plan = planChanges(offboard(org(25), 5));
    expect(plan).toMatchObject({
      held: true,
      heldBy: 'maxRevocationPercent',
      holdReason: '5 of 25 managed active user(s) would lose access, more than maxRevocationPercent (10%)',
    });
  });

  it('holds 3 in 25 (12%) but not 3 in 30 (10%, not more)', () => {
    expect(planChanges(offboard(org(25), 3)).heldBy).toBe('maxRevocationPercent');
    expect(planChanges(offboard(org(30), 3)).held).toBe(false);
  });

  it('counts a user once however many entitlements they lose', () => {
    const actual = org(25);
    const input = offboard(actual, 0);
    // two users lose every project role but stay members: 4 revocations, 2 users
    input.desired = desiredState(
      ...actual.map((t, i) => desiredUser(t.email, i >= 23 ? { org: 'Member' } : { ...t.access })),
    );
    const plan = planChanges(input);
    expect(plan.summary).toMatchObject({ revocations: 4, usersLosingAccess: 2 });
    expect(plan.held).toBe(false);
  });

  it('holds above maxRevocations whatever the share', () => {
    const plan = planChanges(offboard(org(400), 26));
    expect(plan.summary.usersLosingAccess).toBe(26);
    expect(plan).toMatchObject({ held: true, heldBy: 'maxRevocations' });
    expect(planChanges(offboard(org(400), 25)).held).toBe(false);
  });

  it('does not count deactivated teammates among the users managed', () => {
    const actual = org(25).map((t, i) => (i >= 5 ? { ...t, access: { ...t.access, membership: 'deactivated' } } : t));
    const plan = planChanges(offboard(actual.slice(0, 5), 1));
    expect(plan.summary).toMatchObject({ usersLosingAccess: 1, managedActiveUsers: 5 });
  });

  it('measures an incremental run against every managed user, not only those in scope', () => {
    const actual = org(25);
    const scope = new Set(actual.slice(20).map((t) => t.email));
    const plan = planChanges(offboard(actual, 2, { scope }));
    expect(plan.summary).toMatchObject({ usersLosingAccess: 2, managedActiveUsers: 25 });
    expect(plan.held).toBe(false);
  });

  it('follows the configured thresholds, and an approval lets the plan through', () => {
    const strict = { guards: { maxRevocationPercent: 50 } };
    expect(planChanges(offboard(org(25), 5, { policy: strict })).held).toBe(false);
    expect(planChanges(offboard(org(25), 5, { approved: true }))).toMatchObject({ held: false, heldBy: null });
  });
});
