import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ScimUnknownMemberError } from '../../sources/scim/errors.js';
import type {
  ScimGroupLookup,
  ScimGroupMember,
  ScimGroupRecord,
  ScimGroupWrite,
  ScimListOptions,
  ScimMemberChange,
  ScimPage,
} from '../../sources/scim/repository.js';
import { prepareListQuery } from './scim-list-query.js';
import { readGroupFields, type ScimAttributes } from '../../sources/scim/user-fields.js';
import type { OutboxQueries } from './scim-outbox-queries.js';
import {
  GROUP_COLUMNS,
  checkGroupVersion as checkVersion,
  groupsWithMemberIds,
  planMemberChange,
  toGroupRecord as toRecord,
  touchedByReplace,
  type GroupRow,
} from '../scim-group-rows.js';

const WHERE: Record<ScimGroupLookup['by'], string> = {
  id: 'g.id = ?',
  displayName: 'g.display_name = ?',
  externalId: 'g.external_id = ?',
};

export function prepareGroupQueries(db: Database.Database, now: () => Date, outbox: OutboxQueries) {
  const selectById = db.prepare<[string], GroupRow>(`SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.id = ?`);
  const selectAll = db.prepare<[], GroupRow>(`SELECT ${GROUP_COLUMNS} FROM scim_groups g ORDER BY g.rowid`);
  const insert = db.prepare(
    `INSERT INTO scim_groups (id, display_name, external_id, data, created_at, modified_at, version)
     VALUES (@id, @displayName, @externalId, @data, @now, @now, 1)`,
  );
  const update = db.prepare(
    `UPDATE scim_groups SET display_name = @displayName, external_id = @externalId, data = @data,
       modified_at = @now, version = version + 1 WHERE id = @id`,
  );
  const touch = db.prepare<[string, string]>(
    'UPDATE scim_groups SET modified_at = ?, version = version + 1 WHERE id = ?',
  );
  const remove = db.prepare<[string]>('DELETE FROM scim_groups WHERE id = ?');
  const unknownUsers = db
    .prepare<[string], string>('SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM scim_users)')
    .pluck();
  const memberIds = db
    .prepare<[string], string>('SELECT user_id FROM scim_group_members WHERE group_id = ? ORDER BY rowid')
    .pluck();
  const insertMember = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO scim_group_members (group_id, user_id) VALUES (?, ?)',
  );
  const deleteMember = db.prepare<[string, string]>(
    'DELETE FROM scim_group_members WHERE group_id = ? AND user_id = ?',
  );
  const selectMembers = db.prepare<[string], { group_id: string; id: string; display: string }>(
    `SELECT m.group_id, u.id, coalesce(u.display_name, u.user_name) AS display
     FROM scim_group_members m JOIN scim_users u ON u.id = m.user_id
     WHERE m.group_id IN (SELECT value FROM json_each(?)) ORDER BY m.rowid`,
  );
  const selectAllMembers = db.prepare<[], { group_id: string; user_id: string }>(
    'SELECT group_id, user_id FROM scim_group_members ORDER BY rowid',
  );

  const mustGet = (id: string): ScimGroupRecord => {
    const row = selectById.get(id);
    if (!row) throw new Error(`group ${id} vanished inside its own transaction`);
    return toRecord(row);
  };
  const assertUsers = (ids: string[]) => {
    if (ids.length === 0) return;
    const missing = unknownUsers.all(JSON.stringify(ids));
    if (missing.length) throw new ScimUnknownMemberError(missing);
  };
  const paramsOf = (id: string, attributes: ScimAttributes) => {
    const fields = readGroupFields(attributes);
    return {
      id,
      displayName: fields.displayName,
      externalId: fields.externalId,
      data: JSON.stringify(attributes),
      now: now().toISOString(),
    };
  };
  /** Applies a member change to one group and reports what actually changed. */
  const applyMembers = (id: string, change: ScimMemberChange) => {
    const { add, remove, members } = planMemberChange(memberIds.all(id), change);
    for (const user of remove) deleteMember.run(id, user);
    assertUsers(add);
    for (const user of add) insertMember.run(id, user);
    return { added: add, removed: remove, members };
  };

  const create = db.transaction((attributes: ScimAttributes, members: string[], chosenId?: string): ScimGroupWrite => {
    const id = chosenId ?? randomUUID();
    const params = paramsOf(id, attributes);
    insert.run(params);
    const { added, members: after } = applyMembers(id, { add: members });
    outbox.record(outbox.keysOf(added), params.now);
    return {
      group: mustGet(id),
      previousDisplayName: params.displayName,
      added,
      removed: [],
      members: after,
      changed: true,
    };
  });

  const replace = db.transaction(
    (id: string, attributes: ScimAttributes, members: string[], expectedVersion?: number): ScimGroupWrite | null => {
      const row = selectById.get(id);
      if (!row) return null;
      checkVersion(row, expectedVersion);
      const wanted = new Set(members);
      const stale = memberIds.all(id).filter((user) => !wanted.has(user));
      const params = paramsOf(id, attributes);
      const written = applyMembers(id, { add: members, remove: stale });
      const { added, removed, members: after } = written;
      const sameAttributes = params.data === row.data;
      if (!sameAttributes) update.run(params);
      else if (added.length || removed.length) touch.run(params.now, id);
      const changed = !sameAttributes || added.length > 0 || removed.length > 0;
      // mappings name groups by displayName: a rename changes what every member is granted
      const renamed = params.displayName !== row.display_name;
      outbox.record(outbox.keysOf(touchedByReplace(renamed, written)), params.now);
      return { group: mustGet(id), previousDisplayName: row.display_name, added, removed, members: after, changed };
    },
  );

  const change = db.transaction(
    (id: string, memberChange: ScimMemberChange, expectedVersion?: number): ScimGroupWrite | null => {
      const row = selectById.get(id);
      if (!row) return null;
      checkVersion(row, expectedVersion);
      const { added, removed, members } = applyMembers(id, memberChange);
      const changed = added.length > 0 || removed.length > 0;
      const at = now().toISOString();
      if (changed) touch.run(at, id);
      outbox.record(outbox.keysOf([...added, ...removed]), at);
      return { group: mustGet(id), previousDisplayName: row.display_name, added, removed, members, changed };
    },
  );

  const dispose = db.transaction((id: string, expectedVersion?: number): { members: string[] } | null => {
    const row = selectById.get(id);
    if (!row) return null;
    checkVersion(row, expectedVersion);
    const members = memberIds.all(id);
    outbox.record(outbox.keysOf(members), now().toISOString());
    remove.run(id);
    return { members };
  });

  const listGroups = prepareListQuery<GroupRow, ScimGroupRecord, ScimGroupLookup>(
    db,
    { name: 'scim_groups', alias: 'g', columns: GROUP_COLUMNS, where: WHERE },
    toRecord,
  );
  // Groups have no userName; sorting by it falls back to insertion order.
  const list = (options: ScimListOptions<ScimGroupLookup> = {}): ScimPage<ScimGroupRecord> =>
    listGroups(options.sort?.by === 'userName' ? { ...options, sort: undefined } : options);

  const membersOf = (groupIds: string[]): Map<string, ScimGroupMember[]> => {
    const result = new Map<string, ScimGroupMember[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return result;
    for (const row of selectMembers.all(JSON.stringify(groupIds))) {
      result.get(row.group_id)?.push({ id: row.id, display: row.display });
    }
    return result;
  };

  return {
    getGroup: (id: string) => {
      const row = selectById.get(id);
      return row ? toRecord(row) : null;
    },
    listGroups: list,
    membersOf,
    createGroup: (attributes: ScimAttributes, members: string[], options: { id?: string } = {}) =>
      create.immediate(attributes, members, options.id),
    replaceGroup: (
      id: string,
      attributes: ScimAttributes,
      members: string[],
      options: { expectedVersion?: number } = {},
    ) => replace.immediate(id, attributes, members, options.expectedVersion),
    changeMembers: (id: string, memberChange: ScimMemberChange, options: { expectedVersion?: number } = {}) =>
      change.immediate(id, memberChange, options.expectedVersion),
    deleteGroup: (id: string, options: { expectedVersion?: number } = {}) =>
      dispose.immediate(id, options.expectedVersion),
    allGroups: () => groupsWithMemberIds(selectAll.all(), selectAllMembers.all()),
  };
}
