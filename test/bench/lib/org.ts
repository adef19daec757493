import type { DesiredState } from '../../../src/domain/desired.js';
import type { Access } from '../../../src/domain/entitlement.js';
import type { Group, Identity, DirectorySnapshot } from '../../../src/domain/identity.js';
import { DEFAULT_POLICY, type MappingSet, type Rule } from '../../../src/domain/mapping.js';
import { DEFAULT_MODEL, type Project, valuesOf } from '../../../src/domain/model.js';
import type { Teammate } from '../../../src/domain/teammate.js';

/** A small seeded PRNG (mulberry32): the same organisation every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface OrgSpec {
  users: number;
  groups: number;
  projects: number;
  rules: number;
  /** average groups per user (uniform between half and 1.5 times this) */
  groupsPerUser: number;
  seed: number;
}

export interface Org {
  mapping: MappingSet;
  snapshot: DirectorySnapshot;
  memberships: number;
}

const ENVIRONMENTS = ['production', 'production', 'production', 'production', 'staging', 'staging', 'staging'];
const envOf = (i: number) => ENVIRONMENTS[i % 10] ?? 'development';
const ROLES = ['Viewer', 'Member', 'Admin'];
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

/**
 * An organisation like DESIGN §8's: groups 0..rules-1 are the "Heap" groups the rules reference (rule i -> group i),
 * the rest are unrelated IdP groups. 40% of a user's groups are Heap groups, so most users match a few rules.
 * Group 0 (org Admins) has five members; a handful of rules use `*` and `environment:` selectors.
 */
export function generateOrg(spec: OrgSpec): Org {
  const rnd = random(spec.seed);
  const projects: Project[] = Array.from({ length: spec.projects }, (_, i) => {
    const key = `p${String(i).padStart(3, '0')}`;
    return { key, name: `Project ${i}`, environment: envOf(i) };
  });
  const rules: Rule[] = Array.from({ length: spec.rules }, (_, i) => makeRule(i, projects, rnd));
  const mapping: MappingSet = {
    version: 'bench',
    model: DEFAULT_MODEL,
    projects,
    policy: DEFAULT_POLICY,
    rules,
    files: ['bench.yaml'],
  };

  const users: Identity[] = Array.from({ length: spec.users }, (_, i) => ({
    id: `u${i}`,
    userName: `user${i}@example.com`,
    email: `user${i}@example.com`,
    active: rnd() >= 0.01,
    source: 'file',
  }));
  const members: string[][] = Array.from({ length: spec.groups }, () => []);
  for (let u = 0; u < Math.min(5, spec.users); u++) members[0]?.push(`u${u}`);
  const heapGroups = spec.rules - 1;
  const otherGroups = spec.groups - spec.rules;
  let memberships = Math.min(5, spec.users);
  const chosen = new Set<number>();
  for (let u = 0; u < spec.users; u++) {
    const k = Math.round(spec.groupsPerUser * (0.5 + rnd()));
    chosen.clear();
    while (chosen.size < k) {
      chosen.add(rnd() < 0.4 ? 1 + Math.floor(rnd() * heapGroups) : spec.rules + Math.floor(rnd() * otherGroups));
    }
    for (const g of chosen) members[g]?.push(`u${u}`);
    memberships += k;
  }
  const groups: Group[] = members.map((m, i) => ({
    id: `g${i}`,
    displayName: i < spec.rules ? `Heap Group ${i}` : `Group ${i}`,
    members: m,
    source: 'file',
  }));
  // Identities arrive as JSON (file source, SCIM store, IdP APIs): parse them like that, so strings and objects are
  // what a real run holds, not the generator's concatenated strings.
  const snapshot = JSON.parse(JSON.stringify({ users, groups })) as DirectorySnapshot;
  return { mapping, snapshot, memberships };
}

function makeRule(i: number, projects: readonly Project[], rnd: () => number): Rule {
  const rule: Rule = {
    name: `rule-${String(i).padStart(4, '0')}`,
    group: `Heap Group ${i}`,
    priority: 10 + Math.floor(rnd() * 90),
    projects: {},
    modules: {},
    allowProductionAdmin: true,
    location: { file: 'bench.yaml', line: i + 1 },
  };
  if (i === 0) return { ...rule, orgRole: 'Admin' };
  const wide: Record<number, Record<string, string>> = {
    1: { '*': 'Viewer' },
    2: { 'environment:staging': 'Member' },
    3: { 'environment:development': 'Admin' },
    4: { 'environment:production': 'Viewer' },
    5: { '*': 'Viewer', [projects[0]?.key ?? 'p000']: 'Admin' },
  };
  if (wide[i]) return { ...rule, projects: wide[i] };
  if (i % 20 === 0) rule.orgRole = 'Member';
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) rule.projects[pick(rnd, projects).key] = pick(rnd, ROLES);
  if (rnd() < 0.3) {
    const project = pick(rnd, Object.keys(rule.projects));
    const module = pick(rnd, ['govern', 'illuminate', 'activate']);
    const value = module === 'govern' ? pick(rnd, ['viewer', 'editor']) : 'enabled';
    rule.modules[module] = { [project]: value };
  }
  return rule;
}

export interface HeapState {
  actual: Teammate[];
  baseline: Map<string, Access>;
  entitlements: number;
  perturbed: number;
}

/**
 * Heap as the last sync left it (baseline = desired; unmapped users already deactivated), then changed by hand:
 * each entitlement is altered with probability `rate` (another value, removed, or an extra grant beside it).
 */
export function deriveHeap(desired: DesiredState, projects: readonly Project[], rate: number, seed: number): HeapState {
  const rnd = random(seed);
  const actual: Teammate[] = [];
  const baseline = new Map<string, Access>();
  let entitlements = 0;
  let perturbed = 0;
  for (const d of desired.users) {
    const synced: Access = {};
    if (d.mapped) for (const key in d.entitlements) synced[key] = d.entitlements[key]?.value ?? '';
    else Object.assign(synced, { membership: 'deactivated', org: 'Member' });
    baseline.set(d.user, synced);
    const access: Access = { ...synced };
    for (const key in synced) {
      entitlements++;
      if (key === 'membership' || rnd() >= rate) continue;
      perturbed++;
      const roll = rnd();
      if (roll < 0.5) {
        const values = valuesOf(DEFAULT_MODEL, key) ?? [];
        const other = values.filter((v) => v !== synced[key]);
        if (other.length) access[key] = pick(rnd, other);
      } else if (roll < 0.8) delete access[key];
      else access[`project:${pick(rnd, projects).key}`] ??= pick(rnd, ROLES);
    }
    actual.push({ email: d.user, access });
  }
  // Heap's teammates come from its API as JSON, and the baseline from the store as JSON.
  return {
    actual: JSON.parse(JSON.stringify(actual)) as Teammate[],
    baseline: new Map(
      Object.entries(JSON.parse(JSON.stringify(Object.fromEntries(baseline))) as Record<string, Access>),
    ),
    entitlements,
    perturbed,
  };
}
