import { type Access, compareEntitlements, ORG } from '../../domain/entitlement.js';
import type { RoleCodec } from '../../targets/role-encoding.js';
import { type AccessRules, checkEntitlement } from '../access-rules.js';
import type { UserDraft, UserRecord } from '../users-store.js';
import { canonicalize } from './canonical.js';
import { badRequest } from './errors.js';
import { getKey, isObject, type Json, type JsonObject } from './json.js';
import { ENTERPRISE_SCHEMA, HEAP_SCHEMA, USER_SCHEMA, USER_SCHEMAS } from './schema-defs.js';

/** Attributes kept in their own columns rather than in the profile. */
const COLUMNS = new Set(['userName', 'displayName', 'active', 'roles', 'password']);

/** `full`: roles travel in SCIM `roles` (the stand-in's own encoding); `heap-documented`: as Heap documents it. */
export type StandInProfile = 'full' | 'heap-documented';

export interface UserContext {
  codec: RoleCodec;
  rules: AccessRules;
  profile: StandInProfile;
  /** the org role a user created over SCIM gets when roles are not carried (a setting in Heap) */
  defaultRole: () => string;
}

/** The SCIM representation of a stored user. */
export function toUserResource(
  user: UserRecord,
  groups: { id: string; display: string }[],
  baseUrl: string,
  ctx: UserContext,
): JsonObject {
  const { [ENTERPRISE_SCHEMA]: enterprise, ...core } = user.profile;
  // Heap's documented SCIM carries neither roles nor Heap's own facts about a teammate
  const full = ctx.profile === 'full';
  const roles = full
    ? Object.keys(user.access)
        .sort(compareEntitlements)
        .flatMap((key) => {
          const value = ctx.codec.encode(key, user.access[key] ?? '');
          return value ? [{ value }] : [];
        })
    : [];
  const heap: JsonObject = {
    ownedAssets: user.ownedAssets,
    ...(user.lastActiveAt && { lastActiveAt: user.lastActiveAt }),
  };
  return {
    schemas: [USER_SCHEMA, ...(enterprise ? [ENTERPRISE_SCHEMA] : []), ...(full ? [HEAP_SCHEMA] : [])],
    id: user.id,
    ...(user.externalId !== null && { externalId: user.externalId }),
    userName: user.userName,
    ...core,
    ...(user.displayName !== null && { displayName: user.displayName }),
    active: user.active,
    ...(roles.length && { roles }),
    ...(groups.length && {
      groups: groups.map((g) => ({
        value: g.id,
        display: g.display,
        $ref: `${baseUrl}/Groups/${g.id}`,
        type: 'direct',
      })),
    }),
    ...(enterprise !== undefined && { [ENTERPRISE_SCHEMA]: enterprise }),
    ...(full && { [HEAP_SCHEMA]: heap }),
    meta: {
      resourceType: 'User',
      created: user.created,
      lastModified: user.lastModified,
      location: `${baseUrl}/Users/${user.id}`,
      version: `W/"${user.version}"`,
    },
  };
}

/**
 * Reads a client's User body. `create` and `replace` come from POST and PUT; `patch` is the representation after
 * PATCH operations. On PUT, `active`, `roles` and `externalId` left out are not asserted and keep their values
 * (RFC 7644 §3.5.1 lets the provider choose), so a profile update never strips access by accident.
 * In a PATCH, a role added for an entitlement that already has one replaces it: an entitlement holds one value.
 * With the `heap-documented` profile roles are ignored, as Heap ignores them: a new user gets the default role.
 */
export function readUserBody(
  body: unknown,
  mode: 'create' | 'replace' | 'patch',
  current: UserRecord | undefined,
  ctx: UserContext,
): UserDraft {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a User must be a JSON object');
  const canonical = canonicalize(body, USER_SCHEMAS);
  const userName = canonical.userName;
  if (typeof userName !== 'string' || !userName.trim()) throw badRequest('invalidValue', 'userName is required');
  const externalKey = getKey(body, 'externalId');
  const externalRaw = externalKey === undefined ? undefined : body[externalKey];
  if (externalRaw !== undefined && externalRaw !== null && typeof externalRaw !== 'string') {
    throw badRequest('invalidValue', 'externalId must be a string');
  }
  const keepsOmitted = mode === 'replace' && current;
  const externalId = externalRaw === undefined && keepsOmitted ? current.externalId : (externalRaw ?? null);
  const active = typeof canonical.active === 'boolean' ? canonical.active : (current?.active ?? true);
  // `roles: []` or `roles: null` clears; leaving `roles` out does not
  const rolesAsserted = getKey(body, 'roles') !== undefined;
  const access =
    ctx.profile === 'heap-documented'
      ? (current?.access ?? defaultAccess(ctx))
      : !rolesAsserted && keepsOmitted
        ? current.access
        : readRoles(canonical.roles ?? [], mode === 'patch', ctx);
  const profile: JsonObject = {};
  for (const [key, value] of Object.entries(canonical)) if (!COLUMNS.has(key)) profile[key] = value;
  const displayName = typeof canonical.displayName === 'string' ? canonical.displayName : null;
  return { userName: userName.trim(), externalId, displayName, active, profile, access };
}

function defaultAccess(ctx: UserContext): Access {
  const role = ctx.defaultRole();
  return role ? { [ORG]: role } : {};
}

function readRoles(roles: Json, lastWins: boolean, ctx: UserContext): Access {
  const access: Access = {};
  for (const role of Array.isArray(roles) ? roles : [roles]) {
    const value = isObject(role) ? role.value : undefined;
    if (typeof value !== 'string') throw badRequest('invalidValue', 'each role needs a string "value"');
    const decoded = ctx.codec.decode(value);
    if (!decoded) throw badRequest('invalidValue', `unknown role "${value}"`);
    const problem = checkEntitlement(ctx.rules, decoded.entitlement, decoded.value);
    if (problem) throw badRequest('invalidValue', `role "${value}": ${problem}`);
    const existing = access[decoded.entitlement];
    if (existing !== undefined && existing !== decoded.value && !lastWins) {
      throw badRequest(
        'invalidValue',
        `roles give ${decoded.entitlement} two values ("${existing}", "${decoded.value}")`,
      );
    }
    access[decoded.entitlement] = decoded.value;
  }
  return access;
}
