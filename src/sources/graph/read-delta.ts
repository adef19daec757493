import type { Logger } from 'pino';
import type { DeltaDirectory, StoredDeltaState } from './delta-state.js';
import {
  applyGroupItems,
  applyUserItems,
  emptyDirectory,
  MalformedDeltaItem,
  toDirectory,
  toStoredState,
} from './delta-state.js';
import type { GraphApi } from './graph-api.js';
import { asGraphFailure, readAllPages } from './graph-api.js';
import { USER_FIELDS } from './read-full.js';

export type DeltaRound = 'initial' | 'incremental' | 'resync';

/**
 * One delta round: with a stored state, follow its two delta links (groups, then users, so a user added to a
 * group before the groups page was read is already in the users page) and apply the changes; a poll with no
 * changes is two requests. Without a state, or when a link has expired, read everything through delta again.
 * Nothing is applied to the stored state itself: a failed round leaves it as it was.
 */
export async function readDeltaRound(
  api: GraphApi,
  previous: StoredDeltaState | null,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ directory: DeltaDirectory; stored: StoredDeltaState; round: DeltaRound }> {
  const graphOrigin = new URL(api.baseUrl).origin;
  if (previous) {
    try {
      const directory = toDirectory(previous);
      const links = await applyRound(api, directory, previous.groupsDeltaLink, previous.usersDeltaLink, signal);
      return { directory, stored: toStoredState(directory, { graphOrigin, ...links }), round: 'incremental' };
    } catch (err) {
      if (!isExpiredDelta(err)) throw err;
      log.warn(
        { status: asGraphFailure(err)?.statusCode, code: asGraphFailure(err)?.code },
        'delta link expired; reading everything again',
      );
    }
  }
  const directory = emptyDirectory();
  const links = await applyRound(
    api,
    directory,
    '/groups/delta?$select=displayName,members',
    `/users/delta?$select=${USER_FIELDS}`,
    signal,
  );
  return {
    directory,
    stored: toStoredState(directory, { graphOrigin, ...links }),
    round: previous ? 'resync' : 'initial',
  };
}

async function applyRound(
  api: GraphApi,
  directory: DeltaDirectory,
  groupsFrom: string,
  usersFrom: string,
  signal: AbortSignal | undefined,
): Promise<{ groupsDeltaLink: string; usersDeltaLink: string }> {
  const groups = await readAllPages(api, groupsFrom, signal);
  applyGroupItems(directory, groups.items);
  const users = await readAllPages(api, usersFrom, signal);
  applyUserItems(directory, users.items);
  if (!groups.deltaLink || !users.deltaLink)
    throw new MalformedDeltaItem('a delta round ended without @odata.deltaLink');
  return { groupsDeltaLink: groups.deltaLink, usersDeltaLink: users.deltaLink };
}

/**
 * Graph answers an expired or unusable delta token with 400 `syncStateNotFound` (directory objects, after 7 days)
 * or 410 Gone (`resyncRequired` and friends): either way, start over with a full round.
 */
export function isExpiredDelta(err: unknown): boolean {
  const failure = asGraphFailure(err);
  if (!failure) return false;
  if (failure.statusCode === 410) return true;
  return (
    failure.statusCode === 400 && /^(syncStateNotFound|syncStateInvalid|resyncRequired)$/i.test(failure.code ?? '')
  );
}
