import { createHash } from 'node:crypto';
import type { Group, Identity } from '../../domain/identity.js';
import type { IdentitySource, SourceSnapshot } from '../../ports/identity-source.js';
import { SourceReadError } from '../../ports/identity-source.js';
import type { ScimRepository, ScimUserRecord } from './repository.js';

/**
 * The identity an IdP pushed: its primary email, else (unless `emailFromUserName` is false) its userName when that
 * looks like an email address, as Okta's and Entra's userNames usually are.
 */
export function toIdentity(user: ScimUserRecord, source: string, emailFromUserName = true): Identity {
  const fallback = emailFromUserName && /^[^@\s]+@[^@\s]+$/.test(user.userName) ? user.userName : null;
  const email = user.primaryEmail ?? fallback;
  return {
    id: user.id,
    userName: user.userName,
    email,
    ...(user.displayName !== null && { displayName: user.displayName }),
    ...(user.externalId !== null && { externalId: user.externalId }),
    active: user.active,
    source,
  };
}

/** Users and groups pushed over SCIM, read from the repository as one consistent snapshot. */
export function createScimIdentitySource(
  repository: ScimRepository,
  options: { name?: string; emailFromUserName?: boolean } = {},
): IdentitySource {
  const name = options.name ?? 'scim';
  const emailFromUserName = options.emailFromUserName ?? true;
  return {
    name,
    type: 'scim',
    async read(readOptions = {}): Promise<SourceSnapshot> {
      readOptions.signal?.throwIfAborted();
      let snap;
      try {
        snap = await repository.snapshot();
      } catch (err) {
        throw new SourceReadError(name, `cannot read the SCIM store: ${(err as Error).message}`, err);
      }
      const users = snap.users.map((u) => toIdentity(u, name, emailFromUserName));
      const groups: Group[] = snap.groups.map((g) => ({
        id: g.id,
        displayName: g.displayName,
        members: g.members,
        source: name,
      }));
      const hash = createHash('sha256');
      for (const u of users) hash.update(`${u.id}|${u.userName}|${u.email}|${u.active}|${u.displayName ?? ''}\n`);
      for (const g of groups) hash.update(`${g.id}|${g.displayName}|${g.members.join(',')}\n`);
      return {
        users,
        groups,
        version: hash.digest('hex').slice(0, 16),
        requests: 0,
        waitingForFirstPush: snap.firstPushAt === null,
      };
    },
  };
}
