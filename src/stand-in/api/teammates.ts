import { ACTIVE, DEACTIVATED, MEMBERSHIP, type Access } from '../../domain/entitlement.js';
import { BadRequestError, NotFoundError } from '../../domain/errors.js';
import type { Teammate } from '../../domain/teammate.js';
import { type AccessRules, checkEntitlement, checkEntitlementKey } from '../access-rules.js';
import { ConflictError } from './http-errors.js';
import type { JsonObject } from '../scim/filter.js';
import type { ChangeContext, UserDraft, UserRecord, UsersStore } from '../users-store.js';

/** A teammate as Heap's UI shows it: access as entitlements, membership included. */
export function toTeammate(user: UserRecord): Teammate {
  return {
    email: user.userName,
    userName: user.userName,
    ...(user.externalId !== null && { externalId: user.externalId }),
    ...(user.displayName !== null && { displayName: user.displayName }),
    access: { [MEMBERSHIP]: user.active ? ACTIVE : DEACTIVATED, ...user.access },
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

/** Applies a hand-made change, as an administrator in Heap's UI would; returns null when the teammate was removed. */
export function changeTeammate(
  users: UsersStore,
  email: string,
  change: TeammateChange,
  ctx: ChangeContext,
): Teammate | null {
  const current = users.findByUserName(email);
  if (!current) throw new NotFoundError(`no teammate ${email}`);
  if (change.entitlement === MEMBERSHIP && change.value === null) {
    users.remove(current, ctx);
    return null;
  }
  const draft = draftOf(current);
  if (change.entitlement === MEMBERSHIP) draft.active = change.value === ACTIVE;
  else if (change.entitlement) {
    if (change.value === null || change.value === undefined) delete draft.access[change.entitlement];
    else draft.access[change.entitlement] = change.value;
  }
  if (change.ownedAssets !== undefined) draft.ownedAssets = change.ownedAssets;
  if (change.lastActiveAt !== undefined) draft.lastActiveAt = change.lastActiveAt;
  return toTeammate(users.update(current, draft, ctx));
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
