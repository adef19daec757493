import { normalizeUserKey } from '../../domain/entitlement.js';
import { ScimInvalidValueError } from './errors.js';

/** The SCIM attributes of a resource as stored: core and extension attributes, without id, meta or groups. */
export type ScimAttributes = Record<string, unknown>;

/** The columns the repository indexes, read from a User's attributes. */
export interface ScimUserFields {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  emails: string[];
  /** the email flagged primary, else the first one, else null */
  primaryEmail: string | null;
}

export interface ScimGroupFields {
  displayName: string;
  externalId: string | null;
}

const asString = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function readUserFields(attributes: ScimAttributes): ScimUserFields {
  const userName = asString(attributes.userName);
  if (userName === null) throw new ScimInvalidValueError('a SCIM User needs a non-empty userName');
  const entries = Array.isArray(attributes.emails) ? attributes.emails : [];
  const emails: { value: string; primary: boolean }[] = [];
  for (const e of entries) {
    if (e === null || typeof e !== 'object') continue;
    const value = asString((e as Record<string, unknown>).value);
    if (value !== null) emails.push({ value, primary: (e as Record<string, unknown>).primary === true });
  }
  return {
    userName,
    externalId: asString(attributes.externalId),
    displayName: asString(attributes.displayName),
    // RFC 7643 leaves `active` optional; an IdP that omits it has not deactivated the user.
    active: attributes.active !== false,
    emails: [...new Set(emails.map((e) => e.value))],
    primaryEmail: (emails.find((e) => e.primary) ?? emails[0])?.value ?? null,
  };
}

export function readGroupFields(attributes: ScimAttributes): ScimGroupFields {
  const displayName = asString(attributes.displayName);
  if (displayName === null) throw new ScimInvalidValueError('a SCIM Group needs a non-empty displayName');
  return { displayName, externalId: asString(attributes.externalId) };
}

/**
 * The Heap key of a pushed user, as `userKeyOf(toIdentity(user))` computes it: the normalised primary e-mail, else
 * the userName. The outbox records it at write time, so a deleted or renamed user's old key is still known.
 */
export function scimUserKey(user: { primaryEmail: string | null; userName: string }): string {
  return normalizeUserKey(user.primaryEmail ?? user.userName);
}
