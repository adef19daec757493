import {
  ACTIVE,
  DEACTIVATED,
  MEMBERSHIP,
  parseEntitlement,
  projectEntitlement,
  TEAM_MEMBER,
  teamEntitlement,
  type Access,
} from '../../domain/entitlement.js';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import { DEFAULT_MODEL, rankOf } from '../../domain/model.js';
import type { Teammate } from '../../domain/teammate.js';
import { type AccessRules, checkEntitlement, checkEntitlementKey } from '../access-rules.js';
import type { GroupsStore, TeamAccess } from '../groups-store.js';
import { ConflictError } from './http-errors.js';
import type { JsonObject } from '../scim/json.js';
import type { ChangeContext, UserDraft, UserRecord, UsersStore } from '../users-store.js';

/** A teammate as Heap's UI shows it, with what their Teams give: `directAccess` is set on the user alone. */
export type TeammateView = Teammate & { directAccess?: Access };

/**
 * A teammate as Heap's UI shows it: access as entitlements, membership and Teams included, each project at the
 * most privileged of the teammate's own role and the roles their Teams give (`directAccess` when they differ).
 */
export function toTeammate(user: UserRecord, teams?: TeamAccess, rules: AccessRules = {}): TeammateView {
  const direct: Access = { [MEMBERSHIP]: user.active ? ACTIVE : DEACTIVATED, ...user.access };
  const access: Access = { ...direct };
  for (const team of teams?.teams.get(user.seq) ?? []) access[teamEntitlement(team)] = TEAM_MEMBER;
  const model = rules.model ?? DEFAULT_MODEL;
  let widened = false;
  for (const [project, roles] of teams?.roles.get(user.seq) ?? []) {
    const key = projectEntitlement(project);
    for (const role of roles) {
      const held = access[key];
      if (held === undefined || rankOf(model, key, role) > rankOf(model, key, held)) {
        access[key] = role;
        widened = true;
      }
    }
  }
  return {
    email: user.userName,
    userName: user.userName,
    ...(user.externalId !== null && { externalId: user.externalId }),
    ...(user.displayName !== null && { displayName: user.displayName }),
    access,
    ...(widened && { directAccess: direct }),
    ownedAssets: user.ownedAssets,
    ...(user.lastActiveAt !== null && { lastActiveAt: user.lastActiveAt }),
  };
}

const draftOf = (user: UserRecord): UserDraft => ({
  userName: user.userName,
  externalId: user.externalId,
  displayName: user.displayName,
  active: user.active,
  profile: user.profile,
  access: { ...user.access },
});

export interface TeammateChange {
  entitlement?: string;
  value?: string | null;
  ownedAssets?: number;
  lastActiveAt?: string | null;
}

const isIsoDate = (s: string) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s));

/** Reads `{ entitlement, value }` (and the optional facts); every problem is listed at once. */
export function readTeammateChange(body: unknown, rules: AccessRules): TeammateChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError(
      'the body must be a JSON object: { "entitlement": "project:web-prod", "value": "Admin" }',
    );
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const change: TeammateChange = {};
  const hasFacts = 'ownedAssets' in b || 'lastActiveAt' in b;
  if ('entitlement' in b || !hasFacts) {
    if (typeof b.entitlement !== 'string' || !b.entitlement) problems.push('"entitlement" must be a non-empty string');
    else change.entitlement = b.entitlement;
    if (!('value' in b)) problems.push('"value" is required (null removes the entitlement)');
    else if (b.value !== null && typeof b.value !== 'string') problems.push('"value" must be a string or null');
    else change.value = b.value;
    if (change.entitlement && change.value !== undefined) {
      const problem =
        change.value === null
          ? checkEntitlementKey(rules, change.entitlement)
          : checkEntitlement(rules, change.entitlement, change.value);
      if (problem) problems.push(problem);
    }
  }
  if ('ownedAssets' in b) {
    if (typeof b.ownedAssets !== 'number' || !Number.isInteger(b.ownedAssets) || b.ownedAssets < 0) {
      problems.push('"ownedAssets" must be a non-negative integer');
    } else change.ownedAssets = b.ownedAssets;
  }
  if ('lastActiveAt' in b) {
    if (b.lastActiveAt !== null && (typeof b.lastActiveAt !== 'string' || !isIsoDate(b.lastActiveAt))) {
      problems.push('"lastActiveAt" must be an ISO 8601 date-time or null');
    } else change.lastActiveAt = b.lastActiveAt as string | null;
  }
  if (problems.length) throw new BadRequestError(problems.join('; '), problems);
  return change;
}

/** Puts a teammate in a Team (created if it does not exist yet) or takes them out, as Heap's UI would. */
function changeTeam(groups: GroupsStore, user: UserRecord, team: string, member: boolean, ctx: ChangeContext): void {
  const group = groups.findByName(team);
  if (!group) {
    if (member) groups.create({ displayName: team, externalId: null, members: [user.seq] }, ctx);
    return;
  }
  groups.changeMembers(group, member ? [user.seq] : [], member ? [] : [user.seq], ctx);
}

/** Applies a hand-made change, as an administrator in Heap's UI would; returns null when the teammate was removed. */
export function changeTeammate(
  stores: { users: UsersStore; groups: GroupsStore; rules: AccessRules },
  email: string,
  change: TeammateChange,
  ctx: ChangeContext,
): Teammate | null {
  const { users, groups } = stores;
  const current = users.findByUserName(email);
  if (!current) throw new NotFoundError(`no teammate ${email}`);
  if (change.entitlement === MEMBERSHIP && change.value === null) {
    users.remove(current, ctx);
    return null;
  }
  const team = change.entitlement ? parseEntitlement(change.entitlement) : null;
  if (team?.kind === 'team') {
    changeTeam(groups, current, team.team, change.value === TEAM_MEMBER, ctx);
    change = { ...change, entitlement: undefined };
  }
  const draft = draftOf(current);
  if (change.entitlement === MEMBERSHIP) draft.active = change.value === ACTIVE;
  else if (change.entitlement) {
    if (change.value === null || change.value === undefined) delete draft.access[change.entitlement];
    else draft.access[change.entitlement] = change.value;
  }
  if (change.ownedAssets !== undefined) draft.ownedAssets = change.ownedAssets;
  if (change.lastActiveAt !== undefined) draft.lastActiveAt = change.lastActiveAt;
  const updated = users.update(current, draft, ctx);
  return toTeammate(updated, groups.teamAccess(updated.seq), stores.rules);
}

/** Seeds a teammate by hand (`POST /api/teammates`). */
export function addTeammate(users: UsersStore, body: unknown, rules: AccessRules, ctx: ChangeContext): Teammate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('the body must be a JSON object: { "email": "…", "access": { … } }');
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const email = typeof b.email === 'string' ? b.email.trim() : '';
  if (!email) problems.push('"email" is required');
  if (b.displayName !== undefined && typeof b.displayName !== 'string') problems.push('"displayName" must be a string');
  if (b.externalId !== undefined && typeof b.externalId !== 'string') problems.push('"externalId" must be a string');
  const access: Access = {};
  let active = true;
  const rawAccess = b.access ?? {};
  if (typeof rawAccess !== 'object' || rawAccess === null || Array.isArray(rawAccess)) {
    problems.push('"access" must be an object of entitlement -> value');
  } else {
    for (const [key, value] of Object.entries(rawAccess)) {
      if (typeof value !== 'string') {
        problems.push(`access.${key} must be a string`);
        continue;
      }
      const problem = checkEntitlement(rules, key, value);
      if (problem) problems.push(`access.${key}: ${problem}`);
      else if (key === MEMBERSHIP) active = value === ACTIVE;
      else if (parseEntitlement(key)?.kind === 'team') problems.push(`access.${key}: add Teams with PATCH`);
      else access[key] = value;
    }
  }
  const facts = readTeammateChange({ ownedAssets: b.ownedAssets ?? 0, lastActiveAt: b.lastActiveAt ?? null }, rules);
  if (problems.length) throw new BadRequestError(problems.join('; '), problems);
  if (users.findByUserName(email)) throw new ConflictError(`teammate ${email} already exists`);
  const profile: JsonObject = { emails: [{ value: email, type: 'work', primary: true }] };
  const created = users.create(
    {
      userName: email,
      externalId: typeof b.externalId === 'string' ? b.externalId : null,
      displayName: typeof b.displayName === 'string' ? b.displayName : null,
      active,
      profile,
      access,
      ownedAssets: facts.ownedAssets ?? 0,
      lastActiveAt: facts.lastActiveAt ?? null,
    },
    ctx,
  );
  return toTeammate(created);
}
