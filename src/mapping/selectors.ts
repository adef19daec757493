import type { AccessModel, Project } from '../domain/model.js';

export const ALL_PROJECTS = '*';
export const ENVIRONMENT_PREFIX = 'environment:';

/** Production is what auditors care about; "prod" is accepted because people write it. */
export const isProductionEnvironment = (environment: string): boolean => /^prod(uction)?$/i.test(environment);

export const isProductionProject = (p: Project): boolean => isProductionEnvironment(p.environment);

/** A projects list indexed: by key (the first project with it, and its position) and by environment. */
interface ProjectIndex {
  length: number;
  byKey: Map<string, { project: Project; position: number }>;
  byEnvironment: Map<string, Project[]>;
}

const indexes = new WeakMap<readonly Project[], ProjectIndex>();

/**
 * Built once per projects list, so that resolving the selectors of 1,000 rules does not scan 200 projects for
 * each (lists only grow while a mapping is read: a list whose length changed is indexed again).
 */
function indexOf(projects: readonly Project[]): ProjectIndex {
  const hit = indexes.get(projects);
  if (hit && hit.length === projects.length) return hit;
  const index: ProjectIndex = { length: projects.length, byKey: new Map(), byEnvironment: new Map() };
  projects.forEach((project, position) => {
    if (!index.byKey.has(project.key)) index.byKey.set(project.key, { project, position });
    const same = index.byEnvironment.get(project.environment);
    if (same) same.push(project);
    else index.byEnvironment.set(project.environment, [project]);
  });
  indexes.set(projects, index);
  return index;
}

/**
 * The projects a selector names: a project key, `*`, or `environment:<name>`. null when it names nothing
 * (unknown key, an environment no project has, or `*` with no projects declared).
 */
export function resolveSelector(selector: string, projects: readonly Project[]): Project[] | null {
  if (selector === ALL_PROJECTS) return projects.length ? [...projects] : null;
  const index = indexOf(projects);
  if (selector.startsWith(ENVIRONMENT_PREFIX)) {
    const hits = index.byEnvironment.get(selector.slice(ENVIRONMENT_PREFIX.length));
    return hits ? [...hits] : null;
  }
  const hit = index.byKey.get(selector)?.project;
  return hit ? [hit] : null;
}

/** Everything a selector could be, for "did you mean". */
export function selectorCandidates(projects: readonly Project[]): string[] {
  const envs = [...new Set(projects.map((p) => `${ENVIRONMENT_PREFIX}${p.environment}`))];
  return [...projects.map((p) => p.key), ALL_PROJECTS, ...envs];
}

/** A project key beats an environment, which beats `*`: `{ "*": Viewer, web-prod: Admin }` means Admin on web-prod. */
export function selectorSpecificity(selector: string): number {
  if (selector === ALL_PROJECTS) return 0;
  return selector.startsWith(ENVIRONMENT_PREFIX) ? 1 : 2;
}

/**
 * Resolves `{ selector: value }` to `project key -> { value, selector }`, the most specific selector winning.
 * Unknown selectors are skipped (validation reports them). Projects come out in the mapping's project order.
 */
export function resolveSelectorEntries(
  selectors: Readonly<Record<string, string>>,
  projects: readonly Project[],
): Map<string, { value: string; selector: string }> {
  const chosen = new Map<string, { value: string; selector: string; specificity: number }>();
  for (const [selector, value] of Object.entries(selectors)) {
    const specificity = selectorSpecificity(selector);
    for (const p of resolveSelector(selector, projects) ?? []) {
      const prev = chosen.get(p.key);
      if (!prev || specificity > prev.specificity) chosen.set(p.key, { value, selector, specificity });
    }
  }
  const { byKey } = indexOf(projects);
  const position = (key: string): number => byKey.get(key)?.position ?? 0;
  const keys = [...chosen.keys()].sort((a, b) => position(a) - position(b));
  const out = new Map<string, { value: string; selector: string }>();
  for (const key of keys) {
    const hit = chosen.get(key) as { value: string; selector: string };
    out.set(key, { value: hit.value, selector: hit.selector });
  }
  return out;
}

/** `project key -> value` after selector resolution (see resolveSelectorEntries). */
export function resolveSelectorMap(
  selectors: Readonly<Record<string, string>>,
  projects: readonly Project[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, { value }] of resolveSelectorEntries(selectors, projects)) out.set(key, value);
  return out;
}

/** The project role that counts as Admin for the production guard: the model's top role, whatever its name. */
export function adminRankOf(model: AccessModel): number {
  return model.projectRoles.length - 1;
}
