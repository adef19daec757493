import { normalizeUserKey } from '../domain/entitlement.js';
import type { Identity } from '../domain/identity.js';
import type { MatchKey } from '../domain/mapping.js';

/**
 * The Heap identity of an IdP user: the normalised e-mail; the userName when there is no e-mail (usually an
 * e-mail too in Okta and Entra). Identities from several sources with the same key are one person.
 */
export function userKeyOf(identity: Identity): string {
  return normalizeUserKey(identity.email ?? identity.userName);
}

/** The value that finds this identity among Heap teammates (policy.match). */
export function matchValueOf(identity: Identity, match: MatchKey, userKey: string): string {
  if (match === 'userName') return identity.userName;
  if (match === 'externalId') return identity.externalId ?? identity.id;
  return userKey;
}
