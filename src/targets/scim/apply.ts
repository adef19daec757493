import { ACTIVE, type Access, compareEntitlements, entitlementKind, MEMBERSHIP } from '../../domain/entitlement.js';
import type { UserChangeSet } from '../../ports/access-target.js';
import type { RoleCodec } from '../role-encoding.js';
import type { RemoteUser } from './transform.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** The SCIM call that brings one user to the change set, given what Heap has now (null: not in Heap). */
export type UserCall =
  | { kind: 'none' }
  | { kind: 'create'; body: Record<string, unknown> }
  | { kind: 'patch'; id: string; ops: PatchOp[] }
  | { kind: 'delete'; id: string };

export class UnencodableChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnencodableChangeError';
  }
}

/** The entitlements carried on the User itself as roles: everything but membership (`active`) and Teams (Groups). */
const entitlementsOf = (changes: UserChangeSet) =>
  Object.keys(changes.set)
    .filter((k) => k !== MEMBERSHIP && entitlementKind(k) !== 'team')
    .sort(compareEntitlements);

function encodeRole(codec: RoleCodec | null, key: string, value: string): string {
  const role = codec?.encode(key, value);
  if (!role) throw new UnencodableChangeError(`entitlement "${key}" has no SCIM role encoding`);
  return role;
}

const emailsOf = (email: string) => [{ value: email, type: 'work', primary: true }];

/** The replaces that bring a present user's identity to the change set: a rename, a new externalId. */
function identityOps(changes: UserChangeSet, current: RemoteUser): PatchOp[] {
  const ops: PatchOp[] = [];
  const userName = changes.userName ?? changes.user;
  if (userName.toLowerCase() !== current.userName.toLowerCase()) {
    ops.push({ op: 'replace', path: 'userName', value: userName });
    ops.push({ op: 'replace', path: 'emails', value: emailsOf(changes.user) });
  }
  if (changes.externalId !== undefined && changes.externalId !== current.externalId) {
    ops.push({ op: 'replace', path: 'externalId', value: changes.externalId });
  }
  return ops;
}

/**
 * Plans the one call for a user (pure). An absent user with membership is created with its roles; a present one
 * gets a single PATCH: its identity (a rename, the externalId), the old role of each changed entitlement removed
 * by value filter, the new one added, `active` replaced; membership null deletes. Re-planning an applied set
 * yields only `add`s of roles already there, which SCIM treats as no change. `codec` null: roles are not carried
 * (Heap's documented SCIM), so only membership and identity are written. Teams are written apart (Groups).
 */
export function planUserCall(changes: UserChangeSet, current: RemoteUser | null, codec: RoleCodec | null): UserCall {
  const membership = changes.set[MEMBERSHIP];
  if (!current) {
    if (membership === null || membership === undefined) {
      const grants = entitlementsOf(changes).filter((k) => changes.set[k] !== null);
      if (!grants.length) return { kind: 'none' };
      throw new UnencodableChangeError(`${changes.user} is not in Heap; creating them needs membership "active"`);
    }
    const roles = entitlementsOf(changes).flatMap((k) => {
      const value = changes.set[k];
      return value ? [{ value: encodeRole(codec, k, value) }] : [];
    });
    return {
      kind: 'create',
      body: {
        schemas: [USER_SCHEMA],
        userName: changes.userName ?? changes.user,
        ...(changes.externalId !== undefined && { externalId: changes.externalId }),
        ...(changes.displayName !== undefined && {
          displayName: changes.displayName,
          name: { formatted: changes.displayName },
        }),
        emails: emailsOf(changes.user),
        active: membership === ACTIVE,
        ...(roles.length && { roles }),
      },
    };
  }
  if (membership === null) return { kind: 'delete', id: current.id };
  const removes: PatchOp[] = [];
  const adds: { value: string }[] = [];
  for (const key of entitlementsOf(changes)) {
    const next = changes.set[key] ?? null;
    const old = current.access[key] ?? null;
    if (old !== null && old !== next) {
      removes.push({ op: 'remove', path: `roles[value eq ${JSON.stringify(encodeRole(codec, key, old))}]` });
    }
    if (next !== null) adds.push({ value: encodeRole(codec, key, next) });
  }
  const ops: PatchOp[] = [
    ...identityOps(changes, current),
    ...removes,
    ...(adds.length ? [{ op: 'add' as const, path: 'roles', value: adds }] : []),
    ...(membership !== undefined ? [{ op: 'replace' as const, path: 'active', value: membership === ACTIVE }] : []),
  ];
  return ops.length ? { kind: 'patch', id: current.id, ops } : { kind: 'none' };
}

/** What Heap holds after the call succeeded. */
export function afterCall(changes: UserChangeSet, current: RemoteUser | null, id: string): RemoteUser | null {
  const membership = changes.set[MEMBERSHIP];
  if (membership === null) return null;
  const access: Access = { ...(current?.access ?? {}) };
  for (const key of entitlementsOf(changes)) {
    const value = changes.set[key];
    if (value === null || value === undefined) delete access[key];
    else access[key] = value;
  }
  const externalId = changes.externalId ?? current?.externalId;
  return {
    id,
    userName: changes.userName ?? changes.user,
    ...(externalId !== undefined && { externalId }),
    active: membership === undefined ? (current?.active ?? true) : membership === ACTIVE,
    access,
  };
}
