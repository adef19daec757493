import { describe, expect, it } from 'vitest';
import type { Teammate } from '../../../src/domain/teammate.js';
import { nextBaseline, planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, planInput, teammate } from './builders.js';

const STAGING = 'project:web-staging';
const OLD = 'ann.lee@example.com';
const NEW = 'ann.smith@example.com';

/** Ann (id u-ann) is Admin of staging; Bob keeps the org going. The IdP now knows Ann by a new e-mail. */
const actual: Teammate[] = [
  teammate(OLD, { org: 'Admin', [STAGING]: 'Admin' }, { externalId: 'u-ann' }),
  teammate('bob@example.com', { org: 'Admin' }, { externalId: 'u-bob' }),
];
const baseline = new Map(actual.map((t) => [t.email, { ...t.access }]));
const bob = desiredUser('bob@example.com', { org: 'Admin' }, { externalId: 'u-bob' });

describe('renames: one person, one teammate', () => {
  it('plans a changed e-mail with the same immutable id as a rename, not a new teammate plus a deactivation', () => {
    const ann = desiredUser(NEW, { org: 'Admin', [STAGING]: 'Admin' }, { externalId: 'u-ann' });
    const plan = planChanges(planInput({ actual, baseline, desired: desiredState(ann, bob) }));
    expect(plan.renames).toEqual([{ id: 'u-ann', from: OLD, to: NEW }]);
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
    expect(plan.held).toBe(false);
  });

  it('names the new e-mail in the renamed user’s changes and keeps their baseline (drift is still drift)', () => {
    const ann = desiredUser(NEW, { org: 'Admin', [STAGING]: 'Member' }, { externalId: 'u-ann' });
    const plan = planChanges(planInput({ actual, baseline, desired: desiredState(ann, bob) }));
    expect(plan.renames).toEqual([{ id: 'u-ann', from: OLD, to: NEW }]);
    expect(plan.changes.map((c) => [c.user, c.entitlement, c.from, c.to, c.cause])).toEqual([
      [NEW, STAGING, 'Admin', 'Member', 'idp-change'],
    ]);
  });

  it('without a matching externalId in Heap it stays the old behaviour (nothing is guessed from names)', () => {
    const ann = desiredUser(NEW, { org: 'Admin', [STAGING]: 'Admin' }, { externalId: 'u-other' });
    const plan = planChanges(planInput({ actual, baseline, desired: desiredState(ann, bob) }));
    expect(plan.renames).toEqual([]);
    expect(plan.changes.map((c) => [c.user, c.entitlement, c.to])).toContainEqual([OLD, 'membership', 'deactivated']);
  });

  it('moves the baseline to the new e-mail once Heap holds the renamed teammate, and keeps it when the rename failed', () => {
    const ann = desiredUser(NEW, { org: 'Admin', [STAGING]: 'Admin' }, { externalId: 'u-ann' });
    const input = planInput({ actual, baseline, desired: desiredState(ann, bob) });
    const plan = planChanges(input);
    const renamedHeap = [{ ...actual[0]!, email: NEW }, actual[1]!];
    const next = nextBaseline(plan, input, renamedHeap);
    expect(next.get(OLD)).toBeNull();
    expect(next.get(NEW)).toEqual(access({ org: 'Admin', [STAGING]: 'Admin' }));
    const failed = nextBaseline(plan, input, actual);
    expect(failed.has(OLD)).toBe(false);
    expect(failed.has(NEW)).toBe(false);
  });

  it('a renamed teammate who is also the last Admin is still protected under the new e-mail', () => {
    const ann = desiredUser(NEW, { org: 'Member' }, { externalId: 'u-ann' });
    const plan = planChanges(planInput({ actual: [actual[0]!], baseline, desired: desiredState(ann) }));
    expect(plan.renames).toEqual([{ id: 'u-ann', from: OLD, to: NEW }]);
    expect(plan.changes).toMatchObject([
      { user: NEW, entitlement: 'org', to: 'Member', blocked: 'lastOrgAdmin' },
      { user: NEW, entitlement: STAGING, to: null, blocked: 'lastProjectAdmin' },
    ]);
  });
});
