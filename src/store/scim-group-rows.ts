import { ScimVersionConflictError } from '../sources/scim/errors.js';
import type { ScimGroupRecord, ScimMemberChange } from '../sources/scim/repository.js';
import type { ScimAttributes } from '../sources/scim/user-fields.js';

/** A `scim_groups` row as both stores keep it; what a group write does to its members is decided here, once. */
export interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  data: string;
  created_at: string;
  modified_at: string;
  version: number;
}

export const GROUP_COLUMNS = 'g.id, g.display_name, g.external_id, g.data, g.created_at, g.modified_at, g.version';

export function toGroupRecord(row: GroupRow): ScimGroupRecord {
  return {
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    attributes: JSON.parse(row.data) as ScimAttributes,
    created: row.created_at,
    lastModified: row.modified_at,
    version: row.version,
  };
}

export function checkGroupVersion(row: GroupRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version) {
    throw new ScimVersionConflictError(row.id, expected, row.version);
  }
}

const unique = (ids: readonly string[]) => [...new Set(ids)];

/**
 * What a member change does to a group whose members are `before`: the members to remove, those to add (each once,
 * in the order given) and the members after it. A member both removed and added ends up a member (replace, or
 * remove-then-add in one PATCH).
 */
export function planMemberChange(before: readonly string[], change: ScimMemberChange) {
  const current = new Set(before);
  const adding = new Set(change.add ?? []);
  const remove = (change.remove === 'all' ? [...before] : unique(change.remove ?? [])).filter(
    (u) => !adding.has(u) && current.has(u),
  );
  for (const user of remove) current.delete(user);
  const add = unique(change.add ?? []).filter((user) => !current.has(user));
  return { add, remove, members: [...current, ...add] };
}

/** The users a group replace touched: every member when it was renamed (mappings name groups by displayName). */
export const touchedByReplace = (renamed: boolean, w: { added: string[]; removed: string[]; members: string[] }) =>
  renamed ? [...w.members, ...w.removed] : [...w.added, ...w.removed];

/** Every group with its member ids, from the group rows and the membership rows, each in insertion order. */
export function groupsWithMemberIds(
  groups: readonly GroupRow[],
  memberships: readonly { group_id: string; user_id: string }[],
): (ScimGroupRecord & { members: string[] })[] {
  const members = new Map<string, string[]>();
  for (const m of memberships) {
    const list = members.get(m.group_id);
    if (list) list.push(m.user_id);
    else members.set(m.group_id, [m.user_id]);
  }
  return groups.map((row) => ({ ...toGroupRecord(row), members: members.get(row.id) ?? [] }));
}
