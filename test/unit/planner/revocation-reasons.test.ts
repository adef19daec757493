import { describe, expect, it } from 'vitest';
import type { GrantReasons } from '../../../src/domain/desired.js';
import type { Access } from '../../../src/domain/entitlement.js';
import type { DirectorySnapshot } from '../../../src/domain/identity.js';
import type { Plan } from '../../../src/domain/plan.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { UNKNOWN_GRANT } from '../../../src/planner/grant-reasons.js';
import { applyChanges, nextBaseline, planChanges } from '../../../src/planner/index.js';
import type { PlanInput } from '../../../src/planner/input.js';
import { mappingSet, planInput, rule, teammate } from './builders.js';

const ALICE = 'alice@example.com';
const P = 'project:web-prod';
const mapping = mappingSet({}, [
  // rule a (group GA) and rule b (group GB) both grant Member on web-prod
  rule('a', 'GA', { projects: { 'web-prod': 'Member' } }),
  rule('b', 'GB', { projects: { 'web-prod': 'Member' } }),
  // GC keeps alice mapped whatever else she leaves
  rule('c', 'GC', { projects: { 'web-staging': 'Viewer' } }),
]);

const directory = (groups: string[]): DirectorySnapshot => ({
  users: [{ id: 'u1', userName: ALICE, email: ALICE, active: true, source: 'file' }],
  groups: ['GA', 'GB', 'GC']
    .map((g) => ({ id: g, displayName: g, members: groups.includes(g) ? ['u1'] : [] }))
    .map((g) => ({ ...g, source: 'file' })),
});

/** What the store holds after a run: Heap, the baseline and the grant reasons. */
interface State {
  heap: Access;
  baseline: Map<string, Access>;
  reasons: Map<string, GrantReasons | null>;
}
const EMPTY: State = { heap: {}, baseline: new Map(), reasons: new Map() };

function inputFor(groups: string[], state: State): PlanInput {
  return planInput({
    mapping,
    desired: evaluateMapping(mapping, directory(groups)),
    actual: Object.keys(state.heap).length ? [teammate(ALICE, state.heap)] : [],
    baseline: state.baseline,
    baselineReasons: state.reasons,
  });
}

/** A sync with alice in `groups`: its plan, and the state it leaves (every change applied). */
function sync(groups: string[], state: State): { plan: Plan; state: State } {
  const input = inputFor(groups, state);
  const plan = planChanges(input);
  const post = applyChanges(input.actual, plan.changes);
  const reasons = new Map<string, GrantReasons>();
  const next = nextBaseline(plan, input, post, reasons);
  const heap = post.find((t) => t.email === ALICE)?.access ?? {};
  const baseline = new Map(state.baseline);
  for (const [user, access] of next) if (access) baseline.set(user, access);
  return { plan, state: { heap, baseline, reasons: new Map([...state.reasons, ...reasons]) } };
}

const revocation = (plan: Plan) => plan.changes.find((c) => c.entitlement === P && c.to === null);

describe("a revocation's reasons name only the rules the user actually had", () => {
  it('alice, of GA and GB only in GA, leaves GA: the reasons name rule a via GA (the lost grant), never b or GB', () => {
    const first = sync(['GA', 'GC'], EMPTY);
    expect(first.state.reasons.get(ALICE)?.[P]).toEqual([{ rule: 'a', group: 'GA', source: 'file' }]);
    const { plan } = sync(['GC'], first.state);
    expect(revocation(plan)).toMatchObject({ from: 'Member', to: null, cause: 'idp-change' });
    expect(revocation(plan)?.reasons).toEqual([{ rule: 'a', group: 'GA', source: 'file', lost: true }]);
    expect(JSON.stringify(plan.changes)).not.toMatch(/"b"|GB/);
  });

  it('in both groups, she leaves GA (nothing changes in Heap), later GB: the revocation names b via GB only', () => {
    const both = sync(['GA', 'GB', 'GC'], EMPTY);
    expect(both.state.reasons.get(ALICE)?.[P]?.map((r) => r.rule)).toEqual(['a', 'b']);
    const onlyB = sync(['GB', 'GC'], both.state);
    expect(onlyB.plan.changes).toEqual([]);
    expect(onlyB.state.reasons.get(ALICE)?.[P]).toEqual([{ rule: 'b', group: 'GB', source: 'file' }]);
    const { plan } = sync(['GC'], onlyB.state);
    expect(revocation(plan)?.reasons).toEqual([{ rule: 'b', group: 'GB', source: 'file', lost: true }]);
  });

  it('a baseline written before reasons were kept says plainly that the earlier reasons are unknown', () => {
    const first = sync(['GA', 'GC'], EMPTY);
    const legacy = { ...first.state, reasons: new Map([[ALICE, null]]) };
    expect(revocation(sync(['GC'], legacy).plan)?.reasons).toEqual([UNKNOWN_GRANT]);
    // a plan given no reasons at all (an offline plan over a baseline file) says the same
    expect(revocation(sync(['GC'], { ...first.state, reasons: new Map() }).plan)?.reasons).toEqual([UNKNOWN_GRANT]);
    expect(UNKNOWN_GRANT.detail).toMatch(/unknown/);
  });

  it('a value no rule granted (kept by hand, recorded reasons know nothing of it) has no reasons', () => {
    const first = sync(['GA', 'GC'], EMPTY);
    const extra = { ...first.state, heap: { ...first.state.heap, 'project:web-dev': 'Viewer' } };
    extra.baseline = new Map([
      [ALICE, { ...(first.state.baseline.get(ALICE) as Access), 'project:web-dev': 'Viewer' }],
    ]);
    const { plan } = sync(['GA', 'GC'], extra);
    expect(plan.changes.find((c) => c.entitlement === 'project:web-dev')).toMatchObject({ to: null, reasons: [] });
  });
});
