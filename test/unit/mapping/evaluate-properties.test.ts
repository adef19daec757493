import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEntitlements } from '../../../src/domain/entitlement.js';
import type { DirectorySnapshot, Group, Identity } from '../../../src/domain/identity.js';
import { DEFAULT_POLICY, type MappingSet, type Rule } from '../../../src/domain/mapping.js';
import { DEFAULT_MODEL, type Project } from '../../../src/domain/model.js';
import { evaluateMapping } from '../../../src/mapping/evaluate.js';
import { explainUser } from '../../../src/mapping/explain.js';

const PROJECTS: Project[] = [
  { key: 'p1', name: 'P1', environment: 'production' },
  { key: 's1', name: 'S1', environment: 'staging' },
  { key: 's2', name: 'S2', environment: 'staging' },
  { key: 'd1', name: 'D1', environment: 'development' },
];
const SELECTORS = ['*', 'environment:staging', 'environment:production', 'p1', 's1', 's2', 'd1'];
const GROUPS = ['G0', 'G1', 'G2', 'G3', 'G4'];
const SOURCES = ['okta', 'entra'];

const ruleArb = fc.record({
  group: fc.constantFrom(...GROUPS),
  source: fc.option(fc.constantFrom(...SOURCES), { nil: undefined }),
  priority: fc.integer({ min: 0, max: 3 }),
  orgRole: fc.option(fc.constantFrom('Member', 'Admin'), { nil: undefined }),
  projects: fc.dictionary(fc.constantFrom(...SELECTORS), fc.constantFrom('Viewer', 'Member', 'Admin'), { maxKeys: 3 }),
  govern: fc.dictionary(fc.constantFrom(...SELECTORS), fc.constantFrom('viewer', 'editor'), { maxKeys: 2 }),
  illuminate: fc.dictionary(fc.constantFrom(...SELECTORS), fc.constant('enabled'), { maxKeys: 2 }),
});

const mappingArb = fc
  .tuple(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.constantFrom('highest' as const, 'priority' as const))
  .map(([raw, multiGroup]): MappingSet => ({
    version: 'test',
    model: DEFAULT_MODEL,
    projects: PROJECTS,
    policy: { ...DEFAULT_POLICY, multiGroup },
    rules: raw.map((r, i): Rule => ({
      name: `r${i}`,
      group: r.group,
      ...(r.source !== undefined && { source: r.source }),
      priority: r.priority,
      ...(r.orgRole !== undefined && { orgRole: r.orgRole }),
      projects: r.projects,
      modules: { govern: r.govern, illuminate: r.illuminate },
      allowProductionAdmin: true,
      location: { file: 'm.yaml', line: i + 1 },
    })),
    files: ['m.yaml'],
  }));

/** Up to 8 people, some present in both sources (same e-mail), some inactive, in random groups. */
const directoryArb = fc
  .array(
    fc.record({
      person: fc.integer({ min: 0, max: 7 }),
      source: fc.constantFrom(...SOURCES),
      active: fc.boolean(),
      groups: fc.subarray(GROUPS),
    }),
    { maxLength: 12 },
  )
  .map((rows): DirectorySnapshot => {
    const users: Identity[] = [];
    const groups = new Map<string, Group>();
    rows.forEach((row, i) => {
      const id = `id${i}`;
      users.push({
        id,
        userName: `u${row.person}`,
        email: `U${row.person}@x.example`,
        active: row.active,
        source: row.source,
      });
      for (const g of row.groups) {
        const key = `${row.source}/${g}`;
        const group = groups.get(key) ?? { id: `${g}-${row.source}`, displayName: g, members: [], source: row.source };
        group.members.push(id);
        groups.set(key, group);
      }
    });
    return { users, groups: [...groups.values()] };
  });

describe('evaluateMapping properties', () => {
  it('agrees with explainUser (the reference decision on candidates) for every user', () => {
    fc.assert(
      fc.property(mappingArb, directoryArb, (mapping, snapshot) => {
        const desired = evaluateMapping(mapping, snapshot);
        const notApplied = new Set(desired.warnings.map((w) => `${w.user} ${w.entitlement}`));
        for (const u of desired.users) {
          const e = explainUser(mapping, snapshot, u.user);
          expect(e.mapped).toBe(u.mapped);
          const fromExplain: Record<string, { value: string; rules: string[] }> = {};
          for (const ent of e.entitlements) {
            if (ent.value === null) {
              expect(notApplied.has(`${u.user} ${ent.entitlement}`)).toBe(true);
              continue;
            }
            fromExplain[ent.entitlement] = { value: ent.value, rules: ent.winners.map((w) => `${w.rule}/${w.source}`) };
          }
          const fromEvaluate = Object.fromEntries(
            Object.entries(u.entitlements).map(([k, v]) => [
              k,
              { value: v.value, rules: v.reasons.map((r) => `${r.rule}/${r.source}`) },
            ]),
          );
          expect(fromEvaluate).toEqual(fromExplain);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order of users, groups or members', () => {
    fc.assert(
      fc.property(mappingArb, directoryArb, fc.integer(), (mapping, snapshot, seed) => {
        const shuffled: DirectorySnapshot = {
          users: shuffle(snapshot.users, seed),
          groups: shuffle(snapshot.groups, seed + 1).map((g) => ({ ...g, members: shuffle(g.members, seed + 2) })),
        };
        expect(JSON.stringify(evaluateMapping(mapping, shuffled))).toBe(
          JSON.stringify(evaluateMapping(mapping, snapshot)),
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('evaluateMapping on a large directory', () => {
  it('decides the same whether a set of groups was seen before or not (5,000 distinct sets, then repeats)', () => {
    const groupNames = Array.from({ length: 40 }, (_, i) => `G${i}`);
    const mapping: MappingSet = {
      version: 'test',
      model: DEFAULT_MODEL,
      projects: PROJECTS,
      policy: DEFAULT_POLICY,
      rules: groupNames.map((g, i) => ({
        name: `r${i}`,
        group: g,
        priority: i % 4,
        projects: { [PROJECTS[i % 4]?.key ?? 'p1']: ['Viewer', 'Member', 'Admin'][i % 3] ?? 'Viewer' },
        modules: (i % 5 === 0 ? { govern: { s2: 'editor' } } : {}) as Rule['modules'],
        allowProductionAdmin: true,
        location: { file: 'm.yaml', line: i + 1 },
      })),
      files: ['m.yaml'],
    };
    const combos: number[][] = [];
    for (let a = 0; a < 40 && combos.length < 5000; a++)
      for (let b = a + 1; b < 40 && combos.length < 5000; b++)
        for (let c = b + 1; c < 40 && combos.length < 5000; c++) combos.push([a, b, c]);
    const sets = [...combos, ...combos.slice(0, 500)];
    const users: Identity[] = sets.map((_, i) => ({
      id: `u${i}`,
      userName: `u${i}`,
      email: `u${i}@x.example`,
      active: true,
      source: 'file',
    }));
    const groups: Group[] = groupNames.map((g) => ({ id: g, displayName: g, members: [], source: 'file' }));
    sets.forEach((set, i) => set.forEach((g) => groups[g]?.members.push(`u${i}`)));
    const snapshot = { users, groups };
    const desired = evaluateMapping(mapping, snapshot);
    const byUser = new Map(desired.users.map((u) => [u.user, u]));
    for (let i = 0; i < sets.length; i += 37) {
      const key = `u${i}@x.example`;
      const e = explainUser(mapping, snapshot, key);
      const expected = Object.fromEntries(
        e.entitlements.flatMap((x) => (x.value === null ? [] : [[x.entitlement, x.value]])),
      );
      const actual = Object.fromEntries(
        Object.entries(byUser.get(key)?.entitlements ?? {}).map(([k, v]) => [k, v.value]),
      );
      expect(actual).toEqual(expected);
    }
    // a repeated set gives an equal but separate record
    const first = byUser.get('u0@x.example');
    const repeat = byUser.get('u5000@x.example');
    expect(repeat?.entitlements).toEqual(first?.entitlements);
    expect(repeat?.entitlements).not.toBe(first?.entitlements);
    // past the first 4,096 distinct sets records are built another way: still plain, own, in canonical key order
    for (const i of [4999, 4500, 10]) {
      const record = byUser.get(`u${i}@x.example`)?.entitlements ?? {};
      expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
      expect(Object.keys(record)).toEqual(Object.keys(record).sort(compareEntitlements));
      expect(JSON.stringify(record)).toBe(JSON.stringify(Object.fromEntries(Object.entries(record))));
    }
  });
});

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
