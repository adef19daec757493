import type { ScimMemberChange } from '../../sources/scim/repository.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const MEMBER_FILTER = /^members\s*\[\s*value\s+eq\s+"([^"\\]+)"\s*\]$/i;
const MEMBER_KEYS = new Set(['value', 'display', 'displayname', '$ref', 'type']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `[{ value: "id" }, …]` (or one such object) as member ids, or null when it is anything else. */
function memberValues(value: unknown): string[] | null {
  const list = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const item of list) {
    if (!isObject(item) || typeof item.value !== 'string' || item.value === '') return null;
    if (Object.keys(item).some((k) => !MEMBER_KEYS.has(k.toLowerCase()))) return null;
    if (item.type !== undefined && item.type !== 'User') return null;
    ids.push(item.value);
  }
  return ids;
}

/**
 * Recognises the member-only PATCHes Okta and Entra send to Groups (`add`/`remove`/`replace` on `members`,
 * `remove` on `members[value eq "…"]`, capitalised or not) and folds them, in order, into one change the
 * repository applies in a single transaction without reading the group's other members. Anything else returns
 * null and takes scimmy's general PatchOp path.
 */
export function parseMemberPatch(body: unknown): ScimMemberChange | null {
  if (
    !isObject(body) ||
    !Array.isArray(body.schemas) ||
    body.schemas.length !== 1 ||
    body.schemas[0] !== PATCH_OP_SCHEMA
  ) {
    return null;
  }
  const operations = body.Operations;
  if (!Array.isArray(operations) || operations.length === 0) return null;
  const add = new Set<string>();
  let remove: Set<string> | 'all' = new Set<string>();
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') return null;
    const op = operation.op.toLowerCase();
    const path = operation.path.trim();
    const filtered = MEMBER_FILTER.exec(path);
    if (filtered?.[1] !== undefined && op === 'remove') {
      add.delete(filtered[1]);
      if (remove !== 'all') remove.add(filtered[1]);
      continue;
    }
    if (path.toLowerCase() !== 'members') return null;
    if (op === 'remove' && operation.value === undefined) {
      add.clear();
      remove = 'all';
      continue;
    }
    const ids = memberValues(operation.value);
    if (ids === null) return null;
    if (op === 'add') {
      for (const id of ids) {
        add.add(id);
        if (remove !== 'all') remove.delete(id);
      }
    } else if (op === 'remove') {
      for (const id of ids) {
        add.delete(id);
        if (remove !== 'all') remove.add(id);
      }
    } else if (op === 'replace') {
      add.clear();
      for (const id of ids) add.add(id);
      remove = 'all';
    } else {
      return null;
    }
  }
  return { add: [...add], remove: remove === 'all' ? 'all' : [...remove] };
}
