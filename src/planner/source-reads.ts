import type { Guards } from '../domain/mapping.js';
import type { SourceReading } from './input.js';

/** What the sources' reads say about trusting this plan's revocations (DESIGN §10). */
export interface ReadVerdict {
  /** one sentence per source whose read is suspicious: empty, or much smaller than its last good read */
  shrank: string[];
  /** SCIM sources that have never received a push: nothing they lack can be revoked */
  waiting: string[];
}

/**
 * Judges each source's read against its last good one. A read that succeeds but is empty, or has fewer users
 * than `minSourceFraction` of the last read a run acted on, looks like a broken filter or an outage, not like
 * an organisation that lost its people; a SCIM source that has never been pushed to has simply not started.
 */
export function judgeReads(
  sources: readonly SourceReading[] | undefined,
  guards: Pick<Guards, 'minSourceFraction'>,
): ReadVerdict {
  const verdict: ReadVerdict = { shrank: [], waiting: [] };
  for (const s of sources ?? []) {
    if (s.waitingForFirstPush) {
      verdict.waiting.push(s.source);
      continue;
    }
    const last = s.previousUsers;
    if (s.users === 0) {
      verdict.shrank.push(
        `source ${s.source} returned no users${last ? ` (its last good read had ${last})` : ''}: a broken filter or an outage?`,
      );
    } else if (last !== null && s.users < guards.minSourceFraction * last) {
      verdict.shrank.push(
        `source ${s.source} returned ${s.users} users, fewer than minSourceFraction (${guards.minSourceFraction}) ` +
          `of the ${last} in its last good read`,
      );
    }
  }
  return verdict;
}
