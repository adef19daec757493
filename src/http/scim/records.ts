import type {
  ScimAttributes,
  ScimGroupMember,
  ScimGroupRecord,
  ScimUserRecord,
} from '../../sources/scim/repository.js';

/** What a scimmy egress handler returns: a plain SCIM resource that scimmy coerces and filters on the way out. */
export type ScimResourceObject = Record<string, unknown> & { id: string };

/** Attributes never stored: server-assigned ones and secrets (a provisioning push may carry a password). */
const NOT_STORED = new Set(['id', 'meta', 'schemas', 'groups', 'members', 'password']);

export const etagOf = (version: number) => `W/"${version}"`;

/** Parses `W/"3"`, `"3"` or `*` (any version); undefined when there is no usable precondition. */
export function parseIfMatch(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const first = header.split(',')[0]?.trim() ?? '';
  if (first === '*') return '*';
  const m = /^(?:W\/)?"(\d+)"$/.exec(first);
  return m ? Number(m[1]) : -1;
}

/** The plain JSON of a scimmy schema instance, without what the server owns. */
export function toStoredAttributes(instance: unknown): ScimAttributes {
  const json = JSON.parse(JSON.stringify(instance)) as ScimAttributes;
  for (const key of Object.keys(json)) if (NOT_STORED.has(key)) delete json[key];
  return json;
}

export function memberIdsOf(instance: unknown): string[] {
  const members = (instance as { members?: unknown }).members;
  if (!Array.isArray(members)) return [];
  const ids: string[] = [];
  for (const m of members) {
    const value = (m as { value?: unknown } | null)?.value;
    if (typeof value === 'string' && value.length > 0) ids.push(value);
  }
  return ids;
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * A stored User as SCIM JSON, in the shape scimmy's outbound coercion gives it (the equivalence is pinned by a test).
 * Built directly because that coercion costs about 1.6 ms per resource, which capped filtered GETs near 300/s: the
 * stored attributes were coerced by scimmy on their way in, so only `schemas`, `id`, `meta` and `groups` are added.
 * scimmy still shapes every response that asks for `attributes` / `excludedAttributes`.
 */
export function toScimUser(
  user: ScimUserRecord,
  groups: { id: string; displayName: string }[] | null,
  baseUri: string,
): ScimResourceObject {
  const { externalId, ...attributes } = user.attributes;
  return {
    schemas: ENTERPRISE_USER_SCHEMA in attributes ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...(externalId !== undefined && { externalId }),
    meta: {
      resourceType: 'User',
      created: user.created,
      lastModified: user.lastModified,
      location: `${baseUri}/Users/${user.id}`,
      version: etagOf(user.version),
    },
    ...attributes,
    ...(groups?.length && {
      groups: groups.map((g) => ({
        value: g.id,
        display: g.displayName,
        $ref: `${baseUri}/Groups/${g.id}`,
        type: 'direct',
      })),
    }),
  };
}

export function toScimGroup(
  group: ScimGroupRecord,
  members: ScimGroupMember[] | null,
  baseUri: string,
): ScimResourceObject {
  const { externalId, ...attributes } = group.attributes;
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(externalId !== undefined && { externalId }),
    meta: {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: `${baseUri}/Groups/${group.id}`,
      version: etagOf(group.version),
    },
    ...attributes,
    ...(members?.length && {
      members: members.map((m) => ({
        value: m.id,
        display: m.display,
        $ref: `${baseUri}/Users/${m.id}`,
        type: 'User',
      })),
    }),
  };
}
