import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { type AccessRules, checkTeamBinding } from '../access-rules.js';
import type { ChangeContext } from '../activity-log.js';
import type { GroupRecord, GroupsStore, TeamProjects } from '../groups-store.js';
import type { UsersStore } from '../users-store.js';

/** A Team as Heap's UI shows it: who is in it and the projects it gives, with the role on each. */
export interface TeamView {
  id: string;
  name: string;
  members: string[];
  projects: TeamProjects;
}

export function toTeamView(groups: GroupsStore, users: UsersStore, group: GroupRecord): TeamView {
  const members = groups
    .members(group.seq)
    .map((m) => users.findById(m.id)?.userName)
    .filter((n): n is string => n !== undefined)
    .sort();
  return { id: group.id, name: group.displayName, members, projects: groups.projects(group.seq) };
}

/**
 * Reads `{ "projects": { "<project>": "<role>" | null, … }, "members": ["<email>", …] }`; `replace` (PUT) takes the
 * projects as the whole set and refuses nulls. Every problem is listed at once.
 */
export function readTeamBody(
  body: unknown,
  rules: AccessRules,
  replace: boolean,
): { projects: Record<string, string | null>; members?: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('the body must be a JSON object: { "projects": { "web-prod": "Member" } }');
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const projects: Record<string, string | null> = {};
  const raw = b.projects ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('"projects" must be an object of project -> role');
  } else {
    for (const [project, role] of Object.entries(raw)) {
      if (role === null && !replace) projects[project] = null;
      else if (typeof role !== 'string')
        problems.push(`projects.${project} must be a role${replace ? '' : ' or null'}`);
      else {
        const problem = checkTeamBinding(rules, project, role);
        if (problem) problems.push(`projects.${project}: ${problem}`);
        else projects[project] = role;
      }
    }
  }
  let members: string[] | undefined;
  for (const key of Object.keys(b)) if (key !== 'projects' && key !== 'members') problems.push(`unknown key "${key}"`);
  if (b.members !== undefined) {
    if (!Array.isArray(b.members) || b.members.some((m) => typeof m !== 'string')) {
      problems.push('"members" must be a list of teammate e-mails');
    } else members = b.members as string[];
  }
  if (problems.length) throw new BadRequestError(problems.join('; '), problems);
  return { projects, ...(members && { members }) };
}

/** Creates or changes a Team by hand (PUT replaces its projects, PATCH merges them); returns it, and if it is new. */
export function saveTeam(
  stores: { users: UsersStore; groups: GroupsStore },
  name: string,
  change: { projects: Record<string, string | null>; members?: string[] },
  replace: boolean,
  ctx: ChangeContext,
): { team: TeamView; created: boolean } {
  const { users, groups } = stores;
  if (!name.trim()) throw new BadRequestError('a Team needs a name');
  let memberSeqs: number[] | undefined;
  if (change.members) {
    const unknown: string[] = [];
    memberSeqs = change.members.flatMap((email) => {
      const user = users.findByUserName(email);
      if (!user) unknown.push(email);
      return user ? [user.seq] : [];
    });
    if (unknown.length) throw new BadRequestError(`no teammate ${unknown.join(', ')}`);
  }
  let group = groups.findByName(name);
  const created = !group;
  if (!group) {
    if (!replace) throw new NotFoundError(`no Team ${name}`);
    group = groups.create({ displayName: name.trim(), externalId: null, members: memberSeqs ?? [] }, ctx);
  } else if (memberSeqs) {
    group = groups.update(
      group,
      { displayName: group.displayName, externalId: group.externalId, members: memberSeqs },
      ctx,
    );
  }
  const bindings: Record<string, string | null> = { ...change.projects };
  if (replace)
    for (const project of Object.keys(groups.projects(group.seq))) if (!(project in bindings)) bindings[project] = null;
  groups.bindProjects(group, bindings, ctx);
  return { team: toTeamView(groups, users, group), created };
}
