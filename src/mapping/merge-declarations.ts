import { DEFAULT_POLICY, FOUR_EYES_OFF, type Policy, type Team } from '../domain/mapping.js';
import { DEFAULT_MODEL, type AccessModel, type Project } from '../domain/model.js';
import type { IssueSink } from './issue-sink.js';
import type { Declarations } from './read-mapping-file.js';
import { didYouMean } from './suggest.js';

/** The declared model over the defaults of DESIGN §2; a model that declares modules licenses them all unless it says. */
export function mergeModel(decl: Declarations, sink: IssueSink): AccessModel {
  const d = decl.model;
  if (!d) return structuredClone(DEFAULT_MODEL);
  const raw = d.value;
  const modules = raw.modules ?? structuredClone(DEFAULT_MODEL.modules);
  const declaredLicensed = raw.licensedModules;
  const model: AccessModel = {
    orgRoles: raw.orgRoles ?? [...DEFAULT_MODEL.orgRoles],
    projectRoles: raw.projectRoles ?? [...DEFAULT_MODEL.projectRoles],
    modules,
    licensedModules: declaredLicensed
      ? [...declaredLicensed]
      : raw.modules
        ? Object.keys(modules)
        : DEFAULT_MODEL.licensedModules.filter((m) => m in modules),
  };
  const at = (...rest: (string | number)[]) => [...d.path, ...rest];
  const noDuplicates = (key: string, values: readonly string[], path: (i: number) => (string | number)[]) =>
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) sink.error(d.src, path(i), `duplicate value "${v}" in ${key}`);
    });
  noDuplicates('orgRoles', model.orgRoles, (i) => at('orgRoles', i));
  noDuplicates('projectRoles', model.projectRoles, (i) => at('projectRoles', i));
  for (const [name, values] of Object.entries(modules)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
      sink.error(d.src, at('modules', name), `module name "${name}" must be letters, digits, ".", "_" or "-"`);
    }
    noDuplicates(`modules.${name}`, values, (i) => at('modules', name, i));
  }
  declaredLicensed?.forEach((m, i) => {
    if (!(m in modules)) {
      sink.error(d.src, at('licensedModules', i), `unknown module "${m}"${didYouMean(m, Object.keys(modules))}`);
    }
  });
  return model;
}

/**
 * The declared policy over the defaults; a module `approvals.modules` names must be one the model declares. Turning
 * four eyes off is allowed, with a warning.
 */
export function mergePolicy(decl: Declarations, model: AccessModel, sink: IssueSink): Policy {
  const { guards: _guards, approvals, ...rest } = decl.policy?.value ?? {};
  if (rest.fourEyes === false) sink.warn(decl.policy!.src, [...decl.policy!.path, 'fourEyes'], FOUR_EYES_OFF);
  const known = Object.keys(model.modules);
  approvals?.modules?.forEach((m, i) => {
    if (!known.includes(m)) {
      sink.error(
        decl.policy!.src,
        [...decl.policy!.path, 'approvals', 'modules', i],
        `unknown module "${m}"${didYouMean(m, known)}`,
      );
    } else if (approvals.modules!.indexOf(m) !== i) {
      sink.error(decl.policy!.src, [...decl.policy!.path, 'approvals', 'modules', i], `module "${m}" is listed twice`);
    }
  });
  return {
    ...DEFAULT_POLICY,
    ...definedOnly(rest),
    guards: { ...DEFAULT_POLICY.guards, ...definedOnly(decl.guards?.value ?? {}) },
    approvals: { ...DEFAULT_POLICY.approvals, ...definedOnly(approvals ?? {}) },
  };
}

/** Projects of every file, in file order; a key declared twice is an error at the second declaration. */
export function mergeProjects(decl: Declarations, sink: IssueSink): Project[] {
  const seen = new Map<string, string>();
  const projects: Project[] = [];
  for (const p of decl.projects) {
    const { key, environment } = p.value;
    const first = seen.get(key);
    if (first) {
      sink.error(p.src, [...p.path, 'key'], `duplicate project "${key}" (first declared at ${first})`);
      continue;
    }
    seen.set(key, `${p.src.file}:${sink.line(p.src, [...p.path, 'key'])}`);
    projects.push({ key, name: p.value.name ?? key, environment });
  }
  return projects;
}

/**
 * Teams of every file, in file order. A name declared twice (Heap compares Team names without case) or a project
 * that is not declared is an error where it is written.
 */
export function mergeTeams(decl: Declarations, projects: readonly Project[], sink: IssueSink): Team[] {
  const seen = new Map<string, string>();
  const keys = projects.map((p) => p.key);
  const teams: Team[] = [];
  for (const t of decl.teams) {
    const name = t.value.name.trim();
    const first = seen.get(name.toLowerCase());
    if (first) {
      sink.error(t.src, [...t.path, 'name'], `duplicate Team "${name}" (first declared at ${first})`);
      continue;
    }
    seen.set(name.toLowerCase(), `${t.src.file}:${sink.line(t.src, [...t.path, 'name'])}`);
    const bound = t.value.projects ?? [];
    bound.forEach((key, i) => {
      if (!keys.includes(key)) {
        sink.error(t.src, [...t.path, 'projects', i], `unknown project "${key}"${didYouMean(key, keys)}`);
      } else if (bound.indexOf(key) !== i) {
        sink.error(t.src, [...t.path, 'projects', i], `project "${key}" is listed twice`);
      }
    });
    teams.push({ name, projects: [...bound], location: { file: t.src.file, line: sink.line(t.src, t.path) } });
  }
  return teams;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
