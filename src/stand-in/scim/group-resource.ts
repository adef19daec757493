import type { GroupDraft, GroupRecord, MemberRef } from '../groups-store.js';
import { canonicalize } from './canonical.js';
import { badRequest } from './errors.js';
import { getKey, isObject, type JsonObject } from './json.js';
import { GROUP_SCHEMA, GROUP_SCHEMAS } from './schema-defs.js';

/** The SCIM representation of a team; `members` null leaves them out (`excludedAttributes=members`). */
export function toGroupResource(group: GroupRecord, members: MemberRef[] | null, baseUrl: string): JsonObject {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId !== null && { externalId: group.externalId }),
    displayName: group.displayName,
    ...(members && {
      members: members.map((m) => ({
        value: m.id,
        display: m.display,
        $ref: `${baseUrl}/Users/${m.id}`,
        type: 'User',
      })),
    }),
    meta: {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: `${baseUrl}/Groups/${group.id}`,
      version: `W/"${group.version}"`,
    },
  };
}

/**
 * Reads a client's Group body (POST, PUT, or the representation after PATCH operations). Members must be users of
 * this Heap: teams do not nest. On PUT, `externalId` left out keeps its value.
 */
export function readGroupBody(
  body: unknown,
  mode: 'create' | 'replace' | 'patch',
  current: GroupRecord | undefined,
  userSeq: (id: string) => number | undefined,
): GroupDraft {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'a Group must be a JSON object');
  const canonical = canonicalize(body, GROUP_SCHEMAS);
  const displayName = canonical.displayName;
  if (typeof displayName !== 'string' || !displayName.trim())
    throw badRequest('invalidValue', 'displayName is required');
  const externalKey = getKey(body, 'externalId');
  const externalRaw = externalKey === undefined ? undefined : body[externalKey];
  if (externalRaw !== undefined && externalRaw !== null && typeof externalRaw !== 'string') {
    throw badRequest('invalidValue', 'externalId must be a string');
  }
  const externalId =
    externalRaw === undefined && mode === 'replace' ? (current?.externalId ?? null) : (externalRaw ?? null);
  const members = new Set<number>();
  for (const m of Array.isArray(canonical.members) ? canonical.members : []) {
    const value = isObject(m) ? m.value : undefined;
    if (typeof value !== 'string') throw badRequest('invalidValue', 'each member needs a string "value"');
    const seq = userSeq(value);
    if (seq === undefined) throw badRequest('invalidValue', `member "${value}" is not a User of this service`);
    members.add(seq);
  }
  return { displayName: displayName.trim(), externalId, members: [...members] };
}
