import { TEAM_MEMBER } from '../../domain/entitlement.js';
import type { ScimHttp, ScimResponse } from './http.js';
import { PATCH_SCHEMA } from './apply.js';
import { findGroupByName } from './read.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A Team write Heap refused, in words; the caller decides how it is reported. */
export class TeamWriteError extends Error {
  constructor(
    message: string,
    readonly res: ScimResponse,
  ) {
    super(message);
    this.name = 'TeamWriteError';
  }
}

export interface TeamWrites {
  /** Team name (lower-cased) -> Group id, from the last read or an earlier write */
  ids: Map<string, string>;
}

export interface TeamCall {
  team: string;
  member: boolean;
}

/**
 * Puts a user in a Team or takes them out, the way Okta and Entra do it: PATCH the Group's members (add by
 * value, remove by value filter), creating the Group when a user is to join a Team that does not exist yet.
 * Idempotent: adding a member already there changes nothing, and removing one who is not there is done
 * (a 400 `noTarget` or a missing Group both mean the user is not in it).
 */
export async function writeTeamMembership(
  http: ScimHttp,
  state: TeamWrites,
  userId: string,
  call: TeamCall,
  send: { signal?: AbortSignal; runId?: string },
): Promise<void> {
  const key = call.team.toLowerCase();
  const opts = { ...(send.signal && { signal: send.signal }), ...(send.runId !== undefined && { runId: send.runId }) };
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = state.ids.get(key) ?? (await findGroupByName(http, call.team, send.signal));
    if (id) state.ids.set(key, id);
    if (!id) {
      if (!call.member) return;
      const res = await http.request('POST', '/Groups', {
        body: { schemas: [GROUP_SCHEMA], displayName: call.team, members: [{ value: userId }] },
        ...opts,
      });
      const created = (res.body as { id?: unknown } | undefined)?.id;
      if (res.status === 201 || (res.status >= 200 && res.status < 300)) {
        if (typeof created === 'string') state.ids.set(key, created);
        return;
      }
      if (res.status === 409) continue; // someone created it meanwhile: find it and PATCH
      throw new TeamWriteError(`POST /Groups (Team "${call.team}"): ${http.explain(res)}`, res);
    }
    const res = await http.request('PATCH', `/Groups/${encodeURIComponent(id)}`, {
      body: {
        schemas: [PATCH_SCHEMA],
        Operations: call.member
          ? [{ op: 'add', path: 'members', value: [{ value: userId }] }]
          : [{ op: 'remove', path: `members[value eq ${JSON.stringify(userId)}]` }],
      },
      ...opts,
    });
    if (res.status >= 200 && res.status < 300) return;
    const scimType = (res.body as { scimType?: unknown } | undefined)?.scimType;
    if (!call.member && (scimType === 'noTarget' || res.status === 404)) return;
    if (res.status === 404) {
      state.ids.delete(key); // the Group went away: look again (and create it, to add)
      continue;
    }
    throw new TeamWriteError(`PATCH /Groups/${id} (Team "${call.team}"): ${http.explain(res)}`, res);
  }
  throw new Error(`Team "${call.team}" kept changing under the write`);
}

/** The Team calls of a change set: `team:<name>` -> member or not. */
export function teamCallsOf(set: Record<string, string | null>): TeamCall[] {
  return Object.entries(set)
    .filter(([key]) => key.startsWith('team:'))
    .map(([key, value]) => ({ team: key.slice('team:'.length), member: value === TEAM_MEMBER }));
}
