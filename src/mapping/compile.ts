import {
  compareEntitlements,
  MEMBERSHIP,
  moduleEntitlement,
  ORG,
  projectEntitlement,
  TEAM_MEMBER,
  teamEntitlement,
} from '../domain/entitlement.js';
import type { MappingSet, Rule } from '../domain/mapping.js';
import { MEMBER, valuesOf } from '../domain/model.js';
import { resolveSelectorEntries } from './selectors.js';

/** One rule with its selectors resolved once: parallel arrays of entitlement id and value rank. */
export interface CompiledRule {
  rule: Rule;
  index: number;
  ents: Int32Array;
  ranks: Int32Array;
  /** the selector each grant came from (`*`, `environment:production`, a key), for explain and docs */
  selectors: string[];
}

/**
 * A mapping prepared for fast evaluation: entitlement keys interned to small integers in canonical order
 * (membership, org, projects, modules), so per-user work is array indexing, not string hashing.
 */
export interface CompiledMapping {
  mapping: MappingSet;
  entKeys: string[];
  entIndex: Map<string, number>;
  /** allowed values of each entitlement, least privileged first */
  entValues: (readonly string[])[];
  /** for a module entitlement, the id of its project's entitlement; -1 otherwise */
  moduleProject: Int32Array;
  rules: CompiledRule[];
  byGroupName: Map<string, number[]>;
  byGroupId: Map<string, number[]>;
  membershipEnt: number;
  orgEnt: number;
  /** rank of `membership: active` */
  activeRank: number;
  /** rank of the org role a matched user gets when no rule names one (Member) */
  orgFallbackRank: number;
}

const cache = new WeakMap<MappingSet, CompiledMapping>();

/** Compiled once per MappingSet (mapping sets are not mutated after parsing). */
export function compileMapping(mapping: MappingSet): CompiledMapping {
  const hit = cache.get(mapping);
  if (hit) return hit;
  const compiled = compile(mapping);
  cache.set(mapping, compiled);
  return compiled;
}

interface Grant {
  key: string;
  value: string;
  selector: string;
}

function compile(mapping: MappingSet): CompiledMapping {
  const grantsByRule = mapping.rules.map((r) => grantsOf(r, mapping));
  const keys = new Set<string>([MEMBERSHIP, ORG]);
  for (const p of mapping.projects) keys.add(projectEntitlement(p.key));
  for (const grants of grantsByRule) for (const g of grants) keys.add(g.key);
  const entKeys = [...keys].sort(compareEntitlements).map(internalized);
  const entIndex = new Map(entKeys.map((k, i) => [k, i]));
  const entValues = entKeys.map((k) => (valuesOf(mapping.model, k) ?? []).map(internalized));
  const moduleProject = new Int32Array(entKeys.length).fill(-1);
  entKeys.forEach((k, i) => {
    if (!k.startsWith('module:')) return;
    const project = k.slice(k.indexOf(':', 7) + 1);
    moduleProject[i] = entIndex.get(projectEntitlement(project)) ?? -1;
  });
  const rules = mapping.rules.map((rule, index): CompiledRule => {
    const grants = (grantsByRule[index] ?? []).filter((g) => entIndex.has(g.key));
    const ents = Int32Array.from(grants, (g) => entIndex.get(g.key) ?? -1);
    const ranks = Int32Array.from(grants, (g, i) => entValues[ents[i] ?? 0]?.indexOf(g.value) ?? -1);
    return { rule, index, ents, ranks, selectors: grants.map((g) => g.selector) };
  });
  const membershipEnt = entIndex.get(MEMBERSHIP) ?? 0;
  const orgEnt = entIndex.get(ORG) ?? 1;
  const orgRoles = mapping.model.orgRoles;
  return {
    mapping,
    entKeys,
    entIndex,
    entValues,
    moduleProject,
    rules,
    byGroupName: indexBy(mapping.rules, (r) => r.group),
    byGroupId: indexBy(mapping.rules, (r) => r.groupId),
    membershipEnt,
    orgEnt,
    activeRank: entValues[membershipEnt]?.indexOf('active') ?? 1,
    orgFallbackRank: Math.max(0, orgRoles.indexOf(MEMBER)),
  };
}

/** A rule's grants as entitlements; the most specific selector wins within a rule. */
export function grantsOf(rule: Rule, mapping: MappingSet): Grant[] {
  const out: Grant[] = [];
  if (rule.orgRole !== undefined) out.push({ key: ORG, value: rule.orgRole, selector: '' });
  for (const [project, { value, selector }] of resolveSelectorEntries(rule.projects, mapping.projects)) {
    out.push({ key: projectEntitlement(project), value, selector });
  }
  for (const [module, selectors] of Object.entries(rule.modules)) {
    for (const [project, { value, selector }] of resolveSelectorEntries(selectors, mapping.projects)) {
      out.push({ key: moduleEntitlement(module, project), value, selector });
    }
  }
  for (const team of rule.teams ?? []) out.push({ key: teamEntitlement(team), value: TEAM_MEMBER, selector: team });
  return out;
}

function indexBy(rules: readonly Rule[], keyOf: (r: Rule) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  rules.forEach((r, i) => {
    const key = keyOf(r);
    if (key === undefined) return;
    const list = out.get(key);
    if (list) list.push(i);
    else out.set(key, [i]);
  });
  return out;
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The same string, internalised by V8 (a property name is): keys read from JSON are, so comparing them with these
 * is a pointer comparison instead of a comparison of characters, once per entitlement of every user.
 */
const internalized = (s: string): string => Object.keys({ [s]: 0 })[0] ?? s;
