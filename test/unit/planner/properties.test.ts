import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredUser } from '../../../src/domain/desired.js';
import type { Access } from '../../../src/domain/entitlement.js';
import type { AccessException } from '../../../src/domain/exception.js';
import type { ManualOverridePolicy, UnmappedUsersPolicy } from '../../../src/domain/mapping.js';
import { DEFAULT_MODEL, valuesOf } from '../../../src/domain/model.js';
import type { Teammate } from '../../../src/domain/teammate.js';
import { applyChanges, nextBaseline, planChanges } from '../../../src/planner/index.js';
import type { PlanInput } from '../../../src/planner/input.js';
import { NOW, desiredState, desiredUser, mappingSet, reason, unmappedUser } from './builders.js';

const KEYS = [
  'membership',
  'org',
  'project:web-prod',
  'project:web-staging',
  'project:web-dev',
  'module:govern:web-prod',
  'module:illuminate:web-staging',
];
const OPTIONAL_KEYS = KEYS.slice(2);
const REASONS = [
  reason('analysts', 'Analytics'),
  reason('prod-admins', 'Heap Prod Admins'),
  reason('viewers', 'Everyone'),
];

const valueArb = (key: string) => fc.constantFrom(...(valuesOf(DEFAULT_MODEL, key) ?? []));
const strip = (o: Record<string, string | undefined>): Access =>
  Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined));

/** Any access a teammate can hold, possibly odd (no org role, deactivated). */
const accessArb: fc.Arbitrary<Access> = fc
  .record(Object.fromEntries(KEYS.map((k) => [k, fc.option(valueArb(k), { nil: undefined })])))
  .map(strip);

/** What the mapping can produce for a mapped user: active, an org role, any project and module grants. */
const desiredAccessArb: fc.Arbitrary<Access> = fc
  .record({
    org: valueArb('org'),
    ...Object.fromEntries(OPTIONAL_KEYS.map((k) => [k, fc.option(valueArb(k), { nil: undefined })])),
  })
  .map((o) => strip({ membership: 'active', ...o }));

const reasonsArb = fc.subarray(REASONS, { minLength: 1 });

interface UserCase {
  id: number;
  desired: { mapped: true; access: Access; reasons: typeof REASONS } | { mapped: false } | null;
  actual: Access | null;
  baseline: Access | null;
  upper: boolean;
}

const userArb: fc.Arbitrary<UserCase> = fc.record({
  id: fc.integer({ min: 0, max: 12 }),
  desired: fc.oneof(
    fc.record({ mapped: fc.constant(true as const), access: desiredAccessArb, reasons: reasonsArb }),
    fc.constant({ mapped: false as const }),
    fc.constant(null),
  ),
  actual: fc.option(accessArb, { nil: null }),
  baseline: fc.option(accessArb, { nil: null }),
  upper: fc.boolean(),
});

interface ExceptionCase {
  id: number;
  key: string;
  value: string | null;
  createdDays: number;
  expiresDays: number;
  revoked: boolean;
}

const exceptionArb: fc.Arbitrary<ExceptionCase> = fc.constantFrom(...KEYS.slice(1)).chain((key) =>
  fc.record({
    // few users and days, so that overlapping exceptions and ties happen
    id: fc.integer({ min: 0, max: 6 }),
    key: fc.constant(key),
    value: fc.option(valueArb(key), { nil: null }),
    createdDays: fc.integer({ min: -2, max: 0 }),
    expiresDays: fc.integer({ min: -5, max: 5 }),
    revoked: fc.boolean(),
  }),
);

const policyArb = fc.record({
  unmappedUsers: fc.constantFrom<UnmappedUsersPolicy>('deactivate', 'remove', 'keep'),
  manualOverrides: fc.constantFrom<ManualOverridePolicy>('revert', 'keep'),
});

const emailOf = (id: number) => `user${id}@example.com`;
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000 + 3_600_000).toISOString();

function buildInput(
  users: UserCase[],
  exceptions: readonly ExceptionCase[],
  policy: { unmappedUsers: UnmappedUsersPolicy; manualOverrides: ManualOverridePolicy },
  guards: boolean,
): PlanInput {
  const desired: DesiredUser[] = [];
  const actual: Teammate[] = [];
  const baseline = new Map<string, Access>();
  for (const u of users) {
    const email = emailOf(u.id);
    if (u.desired?.mapped) {
      const reasons = u.desired.reasons;
      const ents = Object.fromEntries(Object.entries(u.desired.access).map(([k, v]) => [k, { value: v, reasons }]));
      desired.push(desiredUser(email, {}, { entitlements: ents }));
    } else if (u.desired) desired.push(unmappedUser(email));
    if (u.actual) actual.push({ email: u.upper ? email.toUpperCase() : email, access: u.actual });
    if (u.baseline) baseline.set(email, u.baseline);
  }
  const exs: AccessException[] = exceptions.map((e, i) => ({
    id: `ex-${String(i).padStart(3, '0')}`,
    user: emailOf(e.id),
    entitlement: e.key,
    value: e.value,
    reason: 'r',
    approver: 'boss',
    createdAt: day(e.createdDays),
    expiresAt: day(e.expiresDays),
    revokedAt: e.revoked ? day(-1) : null,
  }));
  const off = { lastProjectAdmin: false, lastOrgAdmin: false };
  return {
    mapping: mappingSet({ ...policy, guards: guards ? {} : off }),
    desired: desiredState(...desired),
    actual,
    baseline,
    exceptions: exs,
    now: NOW,
  };
}

const usersArb = fc.uniqueArray(userArb, { selector: (u) => u.id, maxLength: 13 });

/** A seeded Fisher-Yates shuffle, so a failing case replays. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
const shuffleKeys = <V>(o: Record<string, V>, seed: number): Record<string, V> =>
  Object.fromEntries(shuffle(Object.entries(o), seed));

describe('planner properties', () => {
  it('(a) actual = desired and baseline = desired: nothing to change, no drift', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ id: fc.integer({ min: 0, max: 60 }), access: desiredAccessArb }), {
          selector: (u) => u.id,
          maxLength: 30,
        }),
        policyArb,
        (users, policy) => {
          const input = buildInput(
            users.map((u) => ({
              id: u.id,
              desired: { mapped: true, access: u.access, reasons: REASONS },
              actual: u.access,
              baseline: u.access,
              upper: false,
            })),
            [],
            policy,
            true,
          );
          const plan = planChanges(input);
          expect(plan.changes).toEqual([]);
          expect(plan.drift).toEqual([]);
          expect(plan.held).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(b) applying the unblocked changes reaches desired: planning again finds nothing to change', () => {
    fc.assert(
      fc.property(usersArb, fc.array(exceptionArb, { maxLength: 12 }), policyArb, (users, exceptions, policy) => {
        const input = buildInput(users, exceptions, { ...policy, manualOverrides: 'revert' }, false);
        const plan = planChanges(input);
        expect(plan.changes.every((c) => c.blocked === null)).toBe(true);
        const after = applyChanges(input.actual, plan.changes);
        expect(planChanges({ ...input, actual: after }).changes).toEqual([]);
        // and without exceptions, every mapped user holds exactly what the mapping says
        if (!exceptions.length) {
          const byEmail = new Map(after.map((t) => [t.email.toLowerCase(), t.access]));
          for (const d of input.desired.users.filter((u) => u.mapped)) {
            const want = Object.fromEntries(Object.entries(d.entitlements).map(([k, e]) => [k, e.value]));
            expect(byEmail.get(d.user)).toEqual(want);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('(c) the plan does not depend on input order (users, teammates, entitlements, exceptions; sorted or not)', () => {
    fc.assert(
      fc.property(
        usersArb,
        fc.array(exceptionArb, { maxLength: 12 }),
        policyArb,
        fc.boolean(),
        fc.integer(),
        (users, exceptions, policy, guards, seed) => {
          const input = buildInput(users, exceptions, policy, guards);
          const shuffled: PlanInput = {
            ...input,
            desired: {
              ...input.desired,
              users: shuffle(input.desired.users, seed).map((u, i) => ({
                ...u,
                entitlements: shuffleKeys(u.entitlements, seed + i),
              })),
            },
            actual: shuffle(input.actual, seed + 1).map((t, i) => ({ ...t, access: shuffleKeys(t.access, seed - i) })),
            baseline: new Map(
              shuffle([...input.baseline], seed + 2).map(([k, v], i) => [k, shuffleKeys(v, seed * 3 + i)]),
            ),
            exceptions: shuffle(input.exceptions, seed + 3),
          };
          const byKey =
            <T>(key: (x: T) => string) =>
            (a: T, b: T) =>
              key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
          // sorted lists take the merge join, shuffled ones the hash join: the plan must not tell them apart
          const sorted: PlanInput = {
            ...input,
            desired: { ...input.desired, users: [...input.desired.users].sort(byKey((u) => u.matchValue)) },
            actual: [...input.actual].sort(byKey((t) => t.email.toLowerCase())),
          };
          const plan = planChanges(input);
          expect(planChanges(shuffled)).toEqual(plan);
          expect(planChanges(sorted)).toEqual(plan);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('(d) a sync converges: with the baseline it establishes, the next plan has no changes, and only kept drift', () => {
    fc.assert(
      fc.property(usersArb, fc.array(exceptionArb, { maxLength: 12 }), policyArb, (users, exceptions, policy) => {
        const input = buildInput(users, exceptions, policy, false);
        const plan = planChanges(input);
        const post = applyChanges(input.actual, plan.changes);
        const established = nextBaseline(plan, input, post);
        const baseline = new Map(input.baseline);
        for (const [user, access] of established) {
          if (access === null) baseline.delete(user);
          else baseline.set(user, access);
        }
        const next = planChanges({ ...input, actual: post, baseline });
        expect(next.changes).toEqual([]);
        // kept drift stays reported, unless the sync removed its user (removal takes every entitlement with it)
        const removed = new Set(
          plan.changes.filter((c) => c.entitlement === 'membership' && c.to === null).map((c) => c.user),
        );
        const kept = plan.drift
          .filter((d) => d.action === 'keep' && !removed.has(d.user))
          .map((d) => [d.user, d.entitlement]);
        expect(next.drift.map((d) => [d.user, d.entitlement])).toEqual(kept);
      }),
      { numRuns: 300 },
    );
  });
});
