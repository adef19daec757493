import type { Policy, Rule, Team } from '../domain/mapping.js';
import type { AccessModel, Project } from '../domain/model.js';
import type { IssueSink, SourceFile } from './issue-sink.js';
import type { Declared } from './read-mapping-file.js';
import { DEFAULT_PRIORITY, type RawRule } from './schema.js';
import {
  adminRankOf,
  ENVIRONMENT_PREFIX,
  isProductionProject,
  resolveSelector,
  resolveSelectorEntries,
  selectorCandidates,
} from './selectors.js';
import { didYouMean, quoteList } from './suggest.js';
import type { PathSegment } from './yaml-locate.js';

export interface RuleContext {
  model: AccessModel;
  projects: Project[];
  policy: Policy;
  teams: readonly Team[];
}

/** Checks every rule against the merged model and projects, and returns them in their final form. */
export function checkRules(rules: readonly Declared<RawRule>[], ctx: RuleContext, sink: IssueSink): Rule[] {
  const names = new Map<string, string>();
  const out: Rule[] = [];
  for (const d of rules) {
    const r = d.value;
    const at = (...rest: PathSegment[]) => [...d.path, ...rest];
    const error = (path: PathSegment[], message: string) => sink.error(d.src, path, message);
    const first = names.get(r.name);
    if (first) error(at('name'), `duplicate rule name "${r.name}" (first declared at ${first})`);
    else names.set(r.name, `${d.src.file}:${sink.line(d.src, at('name'))}`);
    if (r.group === undefined && r.groupId === undefined) {
      error(at(), `rule "${r.name}" needs group (a display name) or groupId`);
    }
    if (r.group !== undefined && r.groupId !== undefined) error(at('groupId'), 'give group or groupId, not both');
    const modules = normalizeModules(r, ctx, d.src, at, sink);
    const projects = r.projects ?? {};
    const teams = checkTeamGrants(r, ctx, (path, msg) => error(at('teams', ...path), msg));
    if (
      r.orgRole === undefined &&
      !Object.keys(projects).length &&
      !Object.values(modules).some(hasKeys) &&
      !r.teams?.length
    ) {
      error(at(), `rule "${r.name}" grants nothing: give orgRole, projects, modules or teams`);
    }
    if (r.orgRole !== undefined && !ctx.model.orgRoles.includes(r.orgRole)) {
      error(at('orgRole'), notInModel(r.orgRole, 'an org role', ctx.model.orgRoles));
    }
    checkProjectGrants(r, ctx, (path, msg) => error(at('projects', ...path), msg));
    if (r.allowProductionAdmin && !grantsProductionAdmin(projects, ctx)) {
      sink.warn(
        d.src,
        at('allowProductionAdmin'),
        'allowProductionAdmin has no effect: the rule gives no production Admin',
      );
    }
    out.push({
      name: r.name,
      ...(r.group !== undefined && { group: r.group }),
      ...(r.groupId !== undefined && { groupId: r.groupId }),
      ...(r.source !== undefined && { source: r.source }),
      priority: r.priority ?? DEFAULT_PRIORITY,
      ...(r.orgRole !== undefined && { orgRole: r.orgRole }),
      projects,
      modules,
      ...(teams.length && { teams }),
      allowProductionAdmin: r.allowProductionAdmin ?? false,
      location: { file: d.src.file, line: sink.line(d.src, d.path) },
    });
  }
  return out;
}

/** The rule's Teams under their declared names (Heap compares Team names without case). */
function checkTeamGrants(r: RawRule, ctx: RuleContext, error: (path: PathSegment[], msg: string) => void): string[] {
  const out: string[] = [];
  (r.teams ?? []).forEach((name, i) => {
    const team = ctx.teams.find((t) => t.name.toLowerCase() === name.trim().toLowerCase());
    if (!team) {
      const declared = ctx.teams.map((t) => t.name);
      const known = declared.length ? `declared: ${quoteList(declared)}` : 'no teams: are declared';
      error([i], `unknown Team "${name}"${didYouMean(name, declared)} (${known})`);
    } else if (out.includes(team.name)) error([i], `Team "${team.name}" is listed twice`);
    else out.push(team.name);
  });
  return out;
}

function checkProjectGrants(r: RawRule, ctx: RuleContext, error: (path: PathSegment[], msg: string) => void): void {
  const projects = r.projects ?? {};
  for (const [selector, role] of Object.entries(projects)) {
    checkSelector(selector, ctx.projects, (msg) => error([selector], msg));
    if (!ctx.model.projectRoles.includes(role))
      error([selector], notInModel(role, 'a project role', ctx.model.projectRoles));
  }
  if (!ctx.policy.guards.productionAdminNeedsAllow || r.allowProductionAdmin) return;
  for (const [selector, keys] of productionAdminBySelector(projects, ctx)) {
    const role = projects[selector] ?? '';
    const which =
      keys.length === 1 && keys[0] === selector
        ? `production project "${selector}"`
        : `"${selector}" (production: ${quoteList(keys)})`;
    error([selector], `${role} on ${which} needs allowProductionAdmin: true (policy.guards.productionAdminNeedsAllow)`);
  }
}

/** selector -> the production projects it gives Admin (or more) on, after the most specific selector wins. */
function productionAdminBySelector(projects: Record<string, string>, ctx: RuleContext): Map<string, string[]> {
  const adminRank = adminRankOf(ctx.model);
  const out = new Map<string, string[]>();
  for (const [key, { value, selector }] of resolveSelectorEntries(projects, ctx.projects)) {
    const project = ctx.projects.find((p) => p.key === key);
    if (!project || !isProductionProject(project) || ctx.model.projectRoles.indexOf(value) < adminRank) continue;
    out.set(selector, [...(out.get(selector) ?? []), key]);
  }
  return out;
}

/** Module grants as `module -> selector -> value`; the list form is for modules with exactly one value. */
function normalizeModules(
  r: RawRule,
  ctx: RuleContext,
  src: SourceFile,
  at: (...rest: PathSegment[]) => PathSegment[],
  sink: IssueSink,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [module, grant] of Object.entries(r.modules ?? {})) {
    const path = at('modules', module);
    const values = ctx.model.modules[module];
    if (!values) {
      sink.error(src, path, `unknown module "${module}"${didYouMean(module, Object.keys(ctx.model.modules))}`);
      continue;
    }
    if (!ctx.model.licensedModules.includes(module)) {
      const licensed = ctx.model.licensedModules.length ? quoteList(ctx.model.licensedModules) : 'none';
      sink.error(src, path, `module "${module}" is not licensed (model.licensedModules: ${licensed})`);
      continue;
    }
    const entries: Record<string, string> = {};
    if (Array.isArray(grant)) {
      const only = values.length === 1 ? values[0] : undefined;
      if (only === undefined) {
        const msg = `a list needs a module with one value; "${module}" has ${quoteList(values)}: write { <project>: <value> }`;
        sink.error(src, path, msg);
        continue;
      }
      grant.forEach((selector, i) => {
        checkSelector(selector, ctx.projects, (msg) => sink.error(src, [...path, i], msg));
        entries[selector] = only;
      });
    } else {
      for (const [selector, value] of Object.entries(grant)) {
        checkSelector(selector, ctx.projects, (msg) => sink.error(src, [...path, selector], msg));
        if (!values.includes(value))
          sink.error(src, [...path, selector], notInModel(value, `a ${module} value`, values));
        entries[selector] = value;
      }
    }
    out[module] = entries;
  }
  return out;
}

function checkSelector(selector: string, projects: readonly Project[], error: (msg: string) => void): Project[] | null {
  const hits = resolveSelector(selector, projects);
  if (hits) return hits;
  const hint = didYouMean(selector, selectorCandidates(projects));
  if (selector === '*') error('"*" matches no project: no projects are declared');
  else if (selector.startsWith(ENVIRONMENT_PREFIX)) {
    error(`unknown environment "${selector.slice(ENVIRONMENT_PREFIX.length)}"${hint}`);
  } else error(`unknown project "${selector}"${hint}`);
  return null;
}

function grantsProductionAdmin(projects: Record<string, string>, ctx: RuleContext): boolean {
  return productionAdminBySelector(projects, ctx).size > 0;
}

const notInModel = (value: string, what: string, allowed: readonly string[]): string =>
  `"${value}" is not ${what}${didYouMean(value, allowed)}; allowed: ${quoteList(allowed)}`;

const hasKeys = (o: object): boolean => Object.keys(o).length > 0;
