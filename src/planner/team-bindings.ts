import { projectEntitlement, teamEntitlement } from '../domain/entitlement.js';
import type { Team } from '../domain/mapping.js';
import type { Project } from '../domain/model.js';
import type { DriftItem } from '../domain/plan.js';

/** The value of a Team's project binding as the mapping declares it (the role is chosen in Heap). */
export const TEAM_BOUND = 'bound';

/** A Team as Heap holds it: the projects it gives and the role on each. */
export interface ObservedTeam {
  name: string;
  projects: Record<string, string>;
}

/** The step in Heap's UI that binds a Team to a project or unbinds it. */
export function teamBindingStep(team: string, project: string, bind: boolean, projects: readonly Project[]): string {
  const name = projects.find((p) => p.key === project)?.name;
  const label = name && name !== project ? `"${name}" (${project})` : project;
  return `Account → Manage → Teams → ${team} → Projects: ${bind ? `add ${label} and choose its project role` : `remove ${label}`}`;
}

/**
 * Where Heap's Team bindings differ from the mapping's `teams:` (only Teams the mapping declares; Heap compares
 * Team names without case). Bindings are set in Heap's UI and no API writes them, so a difference is drift the
 * sync cannot revert (`keep`), and its suggestion is the step an administrator takes. Sorted by Team, project.
 */
export function teamBindingDrift(
  declared: readonly Team[],
  observed: readonly ObservedTeam[],
  projects: readonly Project[],
): DriftItem[] {
  const byName = new Map(observed.map((t) => [t.name.toLowerCase(), t]));
  const out: DriftItem[] = [];
  for (const team of declared) {
    const heap = byName.get(team.name.toLowerCase())?.projects ?? {};
    const keys = new Set([...team.projects, ...Object.keys(heap)]);
    for (const project of [...keys].sort()) {
      const wanted = team.projects.includes(project);
      const actual = heap[project] ?? null;
      if (wanted === (actual !== null)) continue;
      const suggestion = `${teamBindingStep(team.name, project, wanted, projects)} (Team bindings are set in Heap's UI)`;
      out.push({
        user: teamEntitlement(team.name),
        entitlement: projectEntitlement(project),
        baseline: null,
        actual,
        desired: wanted ? TEAM_BOUND : null,
        cause: 'manual-override',
        action: 'keep',
        suggestion,
        suggestedActions: [],
        sideEffects: [],
        suggestions: [{ suggestion, suggestedActions: [], sideEffects: [] }],
      });
    }
  }
  return out.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : a.entitlement < b.entitlement ? -1 : 1));
}
