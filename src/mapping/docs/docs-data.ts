import type { EvaluationWarning, RuleReason } from '../../domain/desired.js';
import type { DirectorySnapshot } from '../../domain/identity.js';
import { entitlementKind, type KindEnforcement } from '../../domain/entitlement.js';
import type { MappingSet, Policy, Rule } from '../../domain/mapping.js';
import type { Project } from '../../domain/model.js';
import { evaluateMapping } from '../evaluate.js';
import { isProductionEnvironment, resolveSelector, resolveSelectorMap } from '../selectors.js';

export interface DocsGrant {
  /** as written: a project key, `*` or `environment:<name>` */
  selector: string;
  value: string;
  /** the projects it resolves to */
  projects: string[];
}

export interface DocsRule {
  name: string;
  /** the group's display name, or its id when the rule names a groupId */
  group: string;
  groupBy: 'displayName' | 'id';
  source: string | null;
  priority: number;
  orgRole: string | null;
  allowProductionAdmin: boolean;
  definedAt: string;
  projects: DocsGrant[];
  modules: (DocsGrant & { module: string })[];
  /** Heap Teams the rule's members join */
  teams: string[];
}

/** A Heap Team: the projects it gives (bound in Heap's UI) and the rules whose members join it. */
export interface DocsTeam {
  name: string;
  projects: string[];
  definedAt: string;
  rules: { rule: string; group: string }[];
}

export interface DocsUser {
  user: string;
  displayName: string | null;
  mapped: boolean;
  entitlements: {
    entitlement: string;
    value: string;
    reasons: RuleReason[];
    /** with a target's enforcement: how this entitlement reaches Heap */
    enforcement?: string;
  }[];
}

/** Everything the documentation export shows, in the order it shows it; every format renders this. */
export interface DocsData {
  mappingVersion: string;
  generatedAt: string;
  files: string[];
  model: {
    orgRoles: string[];
    projectRoles: string[];
    modules: { name: string; values: string[]; licensed: boolean }[];
  };
  environments: { environment: string; production: boolean; projects: Project[] }[];
  policy: Policy;
  rules: DocsRule[];
  /** project x rule: the project role each rule gives (null: none) */
  matrix: {
    columns: { rule: string; group: string }[];
    rows: { project: string; environment: string; roles: (string | null)[] }[];
  };
  moduleGrants: { module: string; project: string; rule: string; group: string; value: string }[];
  teams: DocsTeam[];
  /** with a target: per entitlement kind, enforced, assisted or unobservable */
  enforcement?: KindEnforcement;
  /** the quarterly access review: effective access of every user, with reasons */
  access?: { users: DocsUser[]; warnings: EvaluationWarning[] };
}

export interface DocsOptions {
  generatedAt: string;
  snapshot?: DirectorySnapshot;
  withMembers?: boolean;
  /** the target's reach per entitlement kind, to label what the sync enforces and what an administrator does */
  enforcement?: KindEnforcement;
}

export function buildDocsData(mapping: MappingSet, options: DocsOptions): DocsData {
  const rules = mapping.rules.map((r) => describeRule(r, mapping));
  const data: DocsData = {
    mappingVersion: mapping.version,
    generatedAt: options.generatedAt,
    files: [...mapping.files],
    model: {
      orgRoles: [...mapping.model.orgRoles],
      projectRoles: [...mapping.model.projectRoles],
      modules: Object.entries(mapping.model.modules).map(([name, values]) => ({
        name,
        values: [...values],
        licensed: mapping.model.licensedModules.includes(name),
      })),
    },
    environments: environmentsOf(mapping.projects),
    policy: structuredClone(mapping.policy),
    rules,
    matrix: matrixOf(mapping),
    moduleGrants: moduleGrantsOf(mapping),
    teams: teamsOf(mapping),
    ...(options.enforcement && { enforcement: { ...options.enforcement } }),
  };
  if (options.withMembers) {
    if (!options.snapshot) throw new Error('withMembers needs a directory snapshot');
    data.access = accessOf(mapping, options.snapshot, options.enforcement);
  }
  return data;
}

function describeRule(r: Rule, mapping: MappingSet): DocsRule {
  const grant = (selector: string, value: string): DocsGrant => ({
    selector,
    value,
    projects: (resolveSelector(selector, mapping.projects) ?? []).map((p) => p.key),
  });
  return {
    name: r.name,
    group: r.group ?? r.groupId ?? '',
    groupBy: r.group !== undefined ? 'displayName' : 'id',
    source: r.source ?? null,
    priority: r.priority,
    orgRole: r.orgRole ?? null,
    allowProductionAdmin: r.allowProductionAdmin,
    definedAt: `${r.location.file}:${r.location.line}`,
    projects: Object.entries(r.projects).map(([s, v]) => grant(s, v)),
    modules: Object.entries(r.modules).flatMap(([module, sel]) =>
      Object.entries(sel).map(([s, v]) => ({ module, ...grant(s, v) })),
    ),
    teams: [...(r.teams ?? [])],
  };
}

function teamsOf(mapping: MappingSet): DocsTeam[] {
  return (mapping.teams ?? []).map((t) => ({
    name: t.name,
    projects: [...t.projects],
    definedAt: `${t.location.file}:${t.location.line}`,
    rules: mapping.rules
      .filter((r) => r.teams?.includes(t.name))
      .map((r) => ({ rule: r.name, group: r.group ?? r.groupId ?? '' })),
  }));
}

/** Environments in the order the mapping first names them (production usually first). */
function environmentsOf(projects: readonly Project[]): DocsData['environments'] {
  const out: DocsData['environments'] = [];
  for (const p of projects) {
    let env = out.find((e) => e.environment === p.environment);
    if (!env) {
      env = { environment: p.environment, production: isProductionEnvironment(p.environment), projects: [] };
      out.push(env);
    }
    env.projects.push({ ...p });
  }
  return out;
}

function matrixOf(mapping: MappingSet): DocsData['matrix'] {
  const resolved = mapping.rules.map((r) => resolveSelectorMap(r.projects, mapping.projects));
  const ordered = environmentsOf(mapping.projects).flatMap((e) => e.projects);
  return {
    columns: mapping.rules.map((r) => ({ rule: r.name, group: r.group ?? r.groupId ?? '' })),
    rows: ordered.map((p) => ({
      project: p.key,
      environment: p.environment,
      roles: resolved.map((m) => m.get(p.key) ?? null),
    })),
  };
}

function moduleGrantsOf(mapping: MappingSet): DocsData['moduleGrants'] {
  const out: DocsData['moduleGrants'] = [];
  const ordered = environmentsOf(mapping.projects).flatMap((e) => e.projects);
  for (const module of Object.keys(mapping.model.modules)) {
    const resolved = mapping.rules.map((r) => resolveSelectorMap(r.modules[module] ?? {}, mapping.projects));
    for (const p of ordered) {
      mapping.rules.forEach((r, i) => {
        const value = resolved[i]?.get(p.key);
        if (value !== undefined)
          out.push({ module, project: p.key, rule: r.name, group: r.group ?? r.groupId ?? '', value });
      });
    }
  }
  return out;
}

function accessOf(
  mapping: MappingSet,
  snapshot: DirectorySnapshot,
  enforcement: KindEnforcement | undefined,
): NonNullable<DocsData['access']> {
  const labelOf = (key: string) => {
    const kind = entitlementKind(key);
    return enforcement && kind ? { enforcement: enforcement[kind] } : {};
  };
  const desired = evaluateMapping(mapping, snapshot);
  return {
    users: desired.users.map((u) => ({
      user: u.user,
      displayName: u.displayName ?? null,
      mapped: u.mapped,
      entitlements: Object.entries(u.entitlements).map(([entitlement, e]) => ({
        entitlement,
        value: e.value,
        reasons: e.reasons.map((r) => ({ ...r })),
        ...labelOf(entitlement),
      })),
    })),
    warnings: desired.warnings,
  };
}
