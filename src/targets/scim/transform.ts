import { ACTIVE, DEACTIVATED, MEMBERSHIP, type Access } from '../../domain/entitlement.js';
import type { Teammate } from '../../domain/teammate.js';
import type { RoleCodec } from '../role-encoding.js';

/** Heap's own facts, when its SCIM endpoint reports them (the stand-in does, in this extension). */
export const HEAP_EXTENSION = 'urn:heap-access-sync:scim:schemas:extension:heap:2.0:User';

/** What the target knows of one Heap user between calls: enough to build the next PATCH. */
export interface RemoteUser {
  id: string;
  userName: string;
  externalId?: string;
  active: boolean;
  /** org, project and module entitlements (membership is `active`) */
  access: Access;
}

export interface ReadUser {
  remote: RemoteUser;
  teammate: Teammate;
  reportsFacts: boolean;
}

export class MalformedUserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedUserError';
  }
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const readActive = (v: unknown): boolean => {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  return true;
};

/** The user's e-mail, Heap's identity: the userName when it is one, else the primary (or first) e-mail. */
function emailOf(userName: string, emails: unknown): string {
  if (userName.includes('@')) return userName;
  const list = Array.isArray(emails) ? emails.map(record).filter((e) => typeof e?.value === 'string') : [];
  const primary = list.find((e) => e?.primary === true || e?.primary === 'true') ?? list[0];
  return typeof primary?.value === 'string' ? primary.value : userName;
}

/**
 * Maps one SCIM User to a teammate: `roles` through the encoding, `active` to membership. Role values the
 * encoding does not know go to `onUnknownRole` and stay out of the access; a user without id or userName
 * is malformed (a read that met one must fail rather than come back partial). `codec` null: roles are not
 * observed (Heap's documented SCIM does not carry them), whatever the server sends.
 */
export function readScimUser(raw: unknown, codec: RoleCodec | null, onUnknownRole: (role: string) => void): ReadUser {
  const user = record(raw);
  const id = user?.id;
  const userName = user?.userName;
  if (!user || typeof id !== 'string' || !id || typeof userName !== 'string' || !userName) {
    throw new MalformedUserError('a User without "id" or "userName"');
  }
  const active = readActive(user.active);
  const access: Access = {};
  for (const role of codec && Array.isArray(user.roles) ? user.roles : []) {
    const value = record(role)?.value;
    if (typeof value !== 'string' || !codec) continue;
    const decoded = codec.decode(value);
    if (!decoded || decoded.entitlement in access) {
      onUnknownRole(value);
      continue;
    }
    access[decoded.entitlement] = decoded.value;
  }
  const name = record(user.name);
  const displayName =
    typeof user.displayName === 'string'
      ? user.displayName
      : typeof name?.formatted === 'string'
        ? name.formatted
        : undefined;
  const facts = record(user[HEAP_EXTENSION]);
  const teammate: Teammate = {
    email: emailOf(userName, user.emails),
    userName,
    ...(typeof user.externalId === 'string' && { externalId: user.externalId }),
    ...(displayName !== undefined && { displayName }),
    access: { [MEMBERSHIP]: active ? ACTIVE : DEACTIVATED, ...access },
    ...(typeof facts?.ownedAssets === 'number' && { ownedAssets: facts.ownedAssets }),
    ...(typeof facts?.lastActiveAt === 'string' && { lastActiveAt: facts.lastActiveAt }),
  };
  const externalId = typeof user.externalId === 'string' ? user.externalId : undefined;
  return {
    remote: { id, userName, ...(externalId !== undefined && { externalId }), active, access },
    teammate,
    reportsFacts: facts !== undefined,
  };
}
