import { describe, expect, it } from 'vitest';
import type { EntitlementValue } from '../../../src/domain/entitlement.js';
import type { ManualOverridePolicy } from '../../../src/domain/mapping.js';
import { classifyDifference, planChanges } from '../../../src/planner/index.js';
import { access, desiredState, desiredUser, planInput, teammate } from './builders.js';

const KEY = 'project:web-staging';
const USER = 'alice@example.com';
const NO_GUARDS = { lastProjectAdmin: false, lastOrgAdmin: false };

interface Row {
  row: string;
  d: EntitlementValue;
  a: EntitlementValue;
  /** undefined: the user was never reconciled (no baseline at all); null: reconciled, key missing */
  b: EntitlementValue | undefined;
  change: { cause: string } | null;
  drift: string | null;
}

const withValue = (v: EntitlementValue): Record<string, string> => (v === null ? {} : { [KEY]: v });

/** DESIGN §4, row by row; `change` is what policy `revert` does, `keep` never changes drift. */
const ROWS: Row[] = [
  { row: 'A = D (in sync)', d: 'Member', a: 'Member', b: 'Member', change: null, drift: null },
  {
    row: 'A = D, baseline differs (baseline is updated, nothing planned)',
    d: 'Admin',
    a: 'Admin',
    b: 'Viewer',
    change: null,
    drift: null,
  },
  { row: 'A = D = null, baseline had a value', d: null, a: null, b: 'Viewer', change: null, drift: null },
  { row: 'A = D, never reconciled', d: 'Viewer', a: 'Viewer', b: undefined, change: null, drift: null },
  {
    row: 'A = B, D != B: idp-change (grant)',
    d: 'Admin',
    a: 'Member',
    b: 'Member',
    change: { cause: 'idp-change' },
    drift: null,
  },
  {
    row: 'A = B, D != B: idp-change (revocation)',
    d: null,
    a: 'Member',
    b: 'Member',
    change: { cause: 'idp-change' },
    drift: null,
  },
  {
    row: 'A = B = null, D set: idp-change (new grant)',
    d: 'Viewer',
    a: null,
    b: null,
    change: { cause: 'idp-change' },
    drift: null,
  },
  {
    row: 'A != B, D = B: manual-override (elevation)',
    d: 'Member',
    a: 'Admin',
    b: 'Member',
    change: { cause: 'manual-override' },
    drift: 'manual-override',
  },
  {
    row: 'A != B, D = B: manual-override (revocation)',
    d: 'Member',
    a: null,
    b: 'Member',
    change: { cause: 'manual-override' },
    drift: 'manual-override',
  },
  {
    row: 'A != B, D = B = null: manual-override (manual grant)',
    d: null,
    a: 'Admin',
    b: null,
    change: { cause: 'manual-override' },
    drift: 'manual-override',
  },
  {
    row: 'A != B, D != B, A != D: conflict',
    d: 'Admin',
    a: 'Viewer',
    b: 'Member',
    change: { cause: 'conflict' },
    drift: 'conflict',
  },
  {
    row: 'A != B, D != B, A != D: conflict (D null)',
    d: null,
    a: 'Viewer',
    b: 'Member',
    change: { cause: 'conflict' },
    drift: 'conflict',
  },
  {
    row: 'never reconciled, A null, D set: idp-change',
    d: 'Member',
    a: null,
    b: undefined,
    change: { cause: 'idp-change' },
    drift: null,
  },
  {
    row: 'never reconciled, A set != D: unmanaged',
    d: 'Member',
    a: 'Admin',
    b: undefined,
    change: { cause: 'unmanaged' },
    drift: 'unmanaged',
  },
  {
    row: 'never reconciled, A set, D null: unmanaged',
    d: null,
    a: 'Viewer',
    b: undefined,
    change: { cause: 'unmanaged' },
    drift: 'unmanaged',
  },
];

function planRow(r: Row, manualOverrides: ManualOverridePolicy) {
  const baseline = new Map(r.b === undefined ? [] : [[USER, access(withValue(r.b))]]);
  return planChanges(
    planInput({
      policy: { manualOverrides, guards: NO_GUARDS },
      desired: desiredState(desiredUser(USER, withValue(r.d))),
      actual: [teammate(USER, withValue(r.a))],
      baseline,
    }),
  );
}

describe('classification table (DESIGN §4)', () => {
  describe.each(['revert', 'keep'] as const)('manualOverrides: %s', (policy) => {
    it.each(ROWS)('$row', (r) => {
      const plan = planRow(r, policy);
      const expectChange = r.change && (r.drift === null || policy === 'revert');
      expect(plan.changes).toEqual(
        expectChange
          ? [
              expect.objectContaining({
                user: USER,
                entitlement: KEY,
                from: r.a,
                to: r.d,
                cause: r.change?.cause,
                blocked: null,
              }),
            ]
          : [],
      );
      expect(plan.drift).toEqual(
        r.drift
          ? [
              expect.objectContaining({
                user: USER,
                entitlement: KEY,
                baseline: r.b ?? null,
                actual: r.a,
                desired: r.d,
                cause: r.drift,
                action: policy,
              }),
            ]
          : [],
      );
      expect(plan.summary.drift).toBe(plan.drift.length);
      expect(plan.summary.changes).toBe(plan.changes.length);
    });
  });

  it.each(ROWS.filter((r) => r.a !== r.d))('classifyDifference: $row', (r) => {
    expect(classifyDifference(r.a, r.d, r.b)).toBe(r.drift ?? 'idp-change');
  });

  it('a reconciled user keeps being reported while a manual override is kept', () => {
    const r = ROWS.find((x) => x.drift === 'manual-override');
    if (!r) throw new Error('fixture');
    const first = planRow(r, 'keep');
    const second = planRow(r, 'keep');
    expect(second.drift).toEqual(first.drift);
    expect(second.changes).toEqual([]);
  });

  it('compares every key of desired and actual, not only the ones both have', () => {
    const plan = planChanges(
      planInput({
        policy: { guards: NO_GUARDS },
        desired: desiredState(desiredUser(USER, { 'project:web-dev': 'Viewer' })),
        actual: [teammate(USER, { 'module:illuminate:web-prod': 'enabled' })],
        baseline: new Map([[USER, access({ 'module:illuminate:web-prod': 'enabled' })]]),
      }),
    );
    expect(plan.changes.map((c) => [c.entitlement, c.from, c.to, c.cause])).toEqual([
      ['project:web-dev', null, 'Viewer', 'idp-change'],
      ['module:illuminate:web-prod', 'enabled', null, 'idp-change'],
    ]);
  });
});
