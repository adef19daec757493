import { describe, expect, it } from 'vitest';
import { indexSightings, type DriftSighting } from '../../../src/domain/drift.js';
import { nextBaseline, planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, planInput, teammate } from './builders.js';

const KEY = 'project:web-staging';
const USER = 'alice@example.com';
const NO_GUARDS = { lastProjectAdmin: false, lastOrgAdmin: false };
const at = (iso: string) => new Date(iso);

/** Alice is Member by the mapping and the baseline; someone made her Admin in Heap by hand. */
function manualChange(now: string, sightings: DriftSighting[] = [], policy: Record<string, unknown> = {}) {
  return planInput({
    policy: { revertAfter: '1h', guards: NO_GUARDS, ...policy },
    desired: desiredState(desiredUser(USER, { [KEY]: 'Member' })),
    actual: [teammate(USER, { [KEY]: 'Admin' })],
    baseline: new Map([[USER, access({ [KEY]: 'Member' })]]),
    sightings: indexSightings(sightings),
    now: at(now),
  });
}

const seen = (firstSeen: string, actual = 'Admin'): DriftSighting => ({
  user: USER,
  entitlement: KEY,
  actual,
  firstSeen,
});

describe('grace before revert (policy.revertAfter)', () => {
  it('a manual change first seen now is drift with firstSeen and revertsAt, and no revert is planned', () => {
    const plan = planChanges(manualChange('2026-11-28T10:00:00.000Z'));
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toHaveLength(1);
    expect(plan.drift[0]).toMatchObject({
      cause: 'manual-override',
      action: 'revert',
      firstSeen: '2026-11-28T10:00:00.000Z',
      revertsAt: '2026-11-28T11:00:00.000Z',
    });
  });

  it('keeps the first sighting across runs and reverts once revertsAt has passed', () => {
    const sightings = [seen('2026-11-28T10:00:00.000Z')];
    const inside = planChanges(manualChange('2026-11-28T10:59:59.000Z', sightings));
    expect(inside.changes).toEqual([]);
    expect(inside.drift[0]?.revertsAt).toBe('2026-11-28T11:00:00.000Z');
    const after = planChanges(manualChange('2026-11-28T11:00:00.000Z', sightings));
    expect(after.changes).toMatchObject([{ user: USER, entitlement: KEY, from: 'Admin', to: 'Member' }]);
    expect(after.drift[0]?.firstSeen).toBe('2026-11-28T10:00:00.000Z');
  });

  it('another value than the one seen is a new manual change: its grace starts again', () => {
    const plan = planChanges(manualChange('2026-11-28T12:00:00.000Z', [seen('2026-11-28T10:00:00.000Z', 'Viewer')]));
    expect(plan.changes).toEqual([]);
    expect(plan.drift[0]).toMatchObject({
      firstSeen: '2026-11-28T12:00:00.000Z',
      revertsAt: '2026-11-28T13:00:00.000Z',
    });
  });

  it('0s reverts at once', () => {
    const plan = planChanges(manualChange('2026-11-28T10:00:00.000Z', [], { revertAfter: '0s' }));
    expect(plan.changes).toHaveLength(1);
    expect(plan.drift[0]?.revertsAt).toBe('2026-11-28T10:00:00.000Z');
  });

  it('a kept manual change has no revertsAt', () => {
    const plan = planChanges(manualChange('2026-11-28T10:00:00.000Z', [], { manualOverrides: 'keep' }));
    expect(plan.changes).toEqual([]);
    expect(plan.drift[0]).toMatchObject({ action: 'keep', revertsAt: null });
  });

  it('when the IdP changes meanwhile (a conflict), the desired value applies at once', () => {
    const input = manualChange('2026-11-28T10:10:00.000Z', [seen('2026-11-28T10:00:00.000Z')]);
    input.desired = desiredState(desiredUser(USER, { [KEY]: 'Viewer' }));
    const plan = planChanges(input);
    expect(plan.drift[0]?.cause).toBe('conflict');
    expect(plan.changes).toMatchObject([{ entitlement: KEY, from: 'Admin', to: 'Viewer', cause: 'conflict' }]);
  });

  it('within the grace the baseline keeps the old value, so the next run still sees the manual change', () => {
    const input = manualChange('2026-11-28T10:00:00.000Z');
    const plan = planChanges(input);
    const baseline = nextBaseline(plan, input, input.actual);
    expect(baseline.get(USER)?.[KEY]).toBe('Member');
  });

  it('carries who changed it from the sighting', () => {
    const who = {
      ...seen('2026-11-28T10:00:00.000Z'),
      changedBy: 'eve@example.com',
      changedAt: '2026-11-28T09:58:00Z',
    };
    const plan = planChanges(manualChange('2026-11-28T10:05:00.000Z', [who]));
    expect(plan.drift[0]).toMatchObject({ changedBy: 'eve@example.com', changedAt: '2026-11-28T09:58:00Z' });
  });
});
