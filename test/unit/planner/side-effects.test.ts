import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Access } from '../../../src/domain/entitlement.js';
import type { MappingSet } from '../../../src/domain/mapping.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { loadMappingDir } from '../../../src/mapping/load-mapping-dir.js';
import { planChanges } from '../../../src/planner/index.js';
import { parseDirectory } from '../../../src/sources/file/read-file-directory.js';
import { access, desiredState, desiredUser, planInput, rule, teammate } from './builders.js';

const LENA = 'lena.fischer@acme.example';
const CARLA = 'carla.mendes@acme.example';
const snapshot = parseDirectory(fs.readFileSync('examples/directory.json', 'utf8'), 'file', 'examples/directory.json');
const example = (await loadMappingDir('mappings')).mapping;

/** The example organisation synced (Heap = baseline = desired), then one entitlement of one user changed by hand. */
function driftAfter(mapping: MappingSet, user: string, entitlement: string, value: string | null) {
  const desired = evaluateMapping(mapping, snapshot);
  const synced = new Map<string, Access>();
  for (const d of desired.users) {
    if (d.mapped) synced.set(d.user, Object.fromEntries(Object.entries(d.entitlements).map(([k, e]) => [k, e.value])));
  }
  const actual = [...synced].map(([email, a]) => {
    if (email !== user) return { email, access: a };
    const changed = { ...a };
    if (value === null) delete changed[entitlement];
    else changed[entitlement] = value;
    return { email, access: changed };
  });
  const plan = planChanges(planInput({ mapping, desired, actual, baseline: synced }));
  expect(plan.drift.map((d) => [d.user, d.entitlement])).toEqual([[user, entitlement]]);
  return plan.drift[0];
}

describe('suggestions list their side effects (DESIGN §11)', () => {
  it('lena: leaving UX Research, her only mapped group, would deactivate her', () => {
    const item = driftAfter(example, LENA, 'module:govern:web-prod', null);
    expect(item).toMatchObject({
      suggestion: `remove ${LENA} from group "UX Research"`,
      sideEffects: [{ entitlement: 'membership', from: 'active', to: 'deactivated' }],
    });
    expect(item?.suggestions).toEqual([
      {
        suggestion: item?.suggestion,
        suggestedActions: [{ action: 'remove-from-group', user: LENA, group: 'UX Research' }],
        sideEffects: item?.sideEffects,
      },
    ]);
  });

  it('lena under unmappedUsers: remove: she would lose every entitlement', () => {
    const mapping = { ...example, policy: { ...example.policy, unmappedUsers: 'remove' as const } };
    const item = driftAfter(mapping, LENA, 'module:govern:web-prod', null);
    expect(item?.sideEffects).toEqual([
      { entitlement: 'membership', from: 'active', to: null },
      { entitlement: 'org', from: 'Member', to: null },
      { entitlement: 'project:mobile-prod', from: 'Viewer', to: null },
      { entitlement: 'project:web-prod', from: 'Viewer', to: null },
      { entitlement: 'module:illuminate:mobile-prod', from: 'enabled', to: null },
      { entitlement: 'module:illuminate:web-prod', from: 'enabled', to: null },
    ]);
  });

  it('carla: Heap Admins, the only group granting Illuminate on staging, says it makes her org Admin and Admin everywhere', () => {
    const item = driftAfter(example, CARLA, 'module:illuminate:web-staging', 'enabled');
    expect(item?.suggestion).toBe(`add ${CARLA} to group "Heap Admins"`);
    expect(item?.sideEffects).toEqual(
      expect.arrayContaining([
        { entitlement: 'org', from: 'Member', to: 'Admin' },
        { entitlement: 'project:web-staging', from: 'Member', to: 'Admin' },
        { entitlement: 'module:govern:web-prod', from: null, to: 'editor' },
      ]),
    );
    // her production Admin (Heap Prod Admins) and development Admin (Engineering) are no side effect
    expect(item?.sideEffects?.map((e) => e.entitlement)).not.toContain('project:web-prod');
    expect(item?.sideEffects?.map((e) => e.entitlement)).not.toContain('project:web-dev');
  });

  it('carla: the group that only keeps the module grant comes first, the broad one last; fewest side effects, not breadth', () => {
    const illuminate = { illuminate: { 'web-staging': 'enabled' } };
    const mapping: MappingSet = {
      ...example,
      rules: [
        ...example.rules,
        // narrower by breadth (2 grants), but raises her on staging: one side effect
        rule('replay-staging-admins', 'Replay Staging Admins', {
          projects: { 'web-staging': 'Admin' },
          modules: illuminate,
        }),
        // broader (3 grants), all of which but the module she has already through Engineering: none
        rule('replay-engineers', 'Replay Engineers', {
          projects: { 'web-dev': 'Admin', 'mobile-dev': 'Admin' },
          modules: illuminate,
        }),
      ],
    };
    const item = driftAfter(mapping, CARLA, 'module:illuminate:web-staging', 'enabled');
    expect(item?.suggestions?.map((s) => [s.suggestion, s.sideEffects.length])).toEqual([
      [`add ${CARLA} to group "Replay Engineers"`, 0],
      [`add ${CARLA} to group "Replay Staging Admins"`, 1],
      [`add ${CARLA} to group "Heap Admins"`, item?.suggestions?.[2]?.sideEffects.length],
    ]);
    expect(item?.suggestions?.[2]?.sideEffects.length).toBeGreaterThan(10);
    expect(item?.suggestions?.[1]?.sideEffects).toEqual([
      { entitlement: 'project:web-staging', from: 'Member', to: 'Admin' },
    ]);
    // the item's own fields are the first suggestion's (DESIGN §6 keeps `suggestion`)
    expect(item).toMatchObject({ suggestion: item?.suggestions?.[0]?.suggestion, sideEffects: [] });
    expect(item?.suggestedActions).toEqual([{ action: 'add-to-group', user: CARLA, group: 'Replay Engineers' }]);
  });

  it('a suggestion that changes no group (add a rule) has no side effects', () => {
    const item = driftAfter(example, CARLA, 'module:govern:web-staging', 'viewer');
    expect(item).toMatchObject({
      suggestion: 'no group grants govern viewer on web-staging: add a rule to the mapping',
      sideEffects: [],
    });
  });

  it('a mass drift: the first 1,000 items are evaluated, the others keep their suggestions without, and the plan says so', () => {
    const users = Array.from({ length: 1_001 }, (_, i) => `u${String(i).padStart(4, '0')}@example.com`);
    const plan = planChanges(
      planInput({
        desired: desiredState(...users.map((u) => desiredUser(u))),
        actual: users.map((u) => teammate(u, { org: 'Admin' })),
        baseline: new Map(users.map((u) => [u, access()])),
      }),
    );
    expect(plan.drift).toHaveLength(1_001);
    expect(plan.drift[999]).toMatchObject({ suggestion: `add ${users[999]} to group "Heap Admins"`, sideEffects: [] });
    expect(plan.drift[1_000]).toMatchObject({ suggestion: `add ${users[1_000]} to group "Heap Admins"` });
    expect(plan.drift[1_000]).not.toHaveProperty('sideEffects');
    expect(plan.warnings).toContain(
      '1001 drift items: the side effects of their suggestions are evaluated for the first 1000 only (the others list their suggestions without)',
    );
  });
});
