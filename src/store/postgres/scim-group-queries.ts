import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ScimUnknownMemberError } from '../../sources/scim/errors.js';
import type {
  ScimGroupLookup,
  ScimGroupMember,
  ScimGroupWithMembers,
  ScimGroupWrite,
  ScimListOptions,
  ScimMemberChange,
} from '../../sources/scim/repository.js';
import { readGroupFields, type ScimAttributes } from '../../sources/scim/user-fields.js';
import { inTransaction, PG, pgErrorCode, rows, type Queryable } from './open-postgres-pool.js';
import { listRows, type ListTable } from './scim-list-query.js';
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

// Groups have no userName; sorting by it falls back to insertion order.
const GROUPS: ListTable<ScimGroupLookup> = {
  name: 'scim_groups',
  alias: 'g',
  columns: GROUP_COLUMNS,
  where: {
    id: 'g.id = $1',
    displayName: 'lower(g.display_name) = lower($1)',
    externalId: 'g.external_id = $1',
  },
  sortable: ['id', 'displayName', 'externalId', 'created', 'lastModified'],
};

/** A group's members as one JSON column, so a list and its members come from one statement (one snapshot). */
const MEMBERS_COLUMN = `(SELECT coalesce(json_agg(json_build_object('id', u.id,
    'display', coalesce(u.display_name, u.user_name)) ORDER BY m.ord), '[]'::json)
  FROM scim_group_members m JOIN scim_users u ON u.id = m.user_id WHERE m.group_id = g.id) AS members`;

const memberIds = async (db: Queryable, id: string) =>
  (
    await rows<{ user_id: string }>(db, 'SELECT user_id FROM scim_group_members WHERE group_id = $1 ORDER BY ord', [id])
  ).map((r) => r.user_id);

const unknownUsers = async (db: Queryable, ids: string[]) =>
  (
    await rows<{ v: string }>(
      db,
      'SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) WHERE v NOT IN (SELECT id FROM scim_users) ORDER BY n',
      [ids],
    )
  ).map((r) => r.v);

/** Applies a member change to one group (its row locked by the caller) and reports what actually changed. */
async function applyMembers(client: pg.PoolClient, id: string, change: ScimMemberChange) {
  const { add: toAdd, remove: toRemove, members } = planMemberChange(await memberIds(client, id), change);
  if (toRemove.length) {
    await client.query('DELETE FROM scim_group_members WHERE group_id = $1 AND user_id = ANY($2::text[])', [
      id,
      toRemove,
    ]);
  }
  if (toAdd.length) {
    const missing = await unknownUsers(client, toAdd);
    if (missing.length) throw new ScimUnknownMemberError(missing);
    try {
      await client.query(
        `INSERT INTO scim_group_members (group_id, user_id)
         SELECT $1, v FROM unnest($2::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n ON CONFLICT DO NOTHING`,
        [id, toAdd],
      );
    } catch (err) {
      // a user deleted on another replica since the check above
      if (pgErrorCode(err) === PG.foreignKeyViolation) throw new ScimUnknownMemberError(toAdd);
      throw err;
    }
  }
  return { added: toAdd, removed: toRemove, members };
}

export async function membersOf(db: Queryable, groupIds: string[]): Promise<Map<string, ScimGroupMember[]>> {
  const result = new Map<string, ScimGroupMember[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return result;
  const found = await rows<{ group_id: string; id: string; display: string }>(
    db,
    `SELECT m.group_id, u.id, coalesce(u.display_name, u.user_name) AS display
     FROM scim_group_members m JOIN scim_users u ON u.id = m.user_id
     WHERE m.group_id = ANY($1::text[]) ORDER BY m.ord`,
    [groupIds],
  );
  for (const row of found) result.get(row.group_id)?.push({ id: row.id, display: row.display });
  return result;
}

export function prepareGroupQueries(pool: pg.Pool, now: () => Date, outbox: OutboxQueries) {
  const paramsOf = (id: string, attributes: ScimAttributes) => {
    const fields = readGroupFields(attributes);
    return { id, ...fields, data: JSON.stringify(attributes), now: now().toISOString() };
  };
  const lockGroup = async (client: pg.PoolClient, id: string) => {
    // every write to a group's members locks its row first: two replicas changing one group take turns
    const [row] = await rows<GroupRow>(
      client,
      `SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.id = $1 FOR UPDATE`,
      [id],
    );
    return row;
  };
  const update = (client: pg.PoolClient, p: ReturnType<typeof paramsOf>) =>
    rows<GroupRow>(
      client,
      `UPDATE scim_groups AS g SET display_name = $2, external_id = $3, data = $4, modified_at = $5,
         version = version + 1 WHERE id = $1 RETURNING ${GROUP_COLUMNS}`,
      [p.id, p.displayName, p.externalId, p.data, p.now],
    );
  const touch = (client: pg.PoolClient, id: string, at: string) =>
    rows<GroupRow>(
      client,
      `UPDATE scim_groups AS g SET modified_at = $2, version = version + 1 WHERE id = $1 RETURNING ${GROUP_COLUMNS}`,
      [id, at],
    );

  return {
    getGroup: async (id: string) => {
      const [row] = await rows<GroupRow>(pool, `SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.id = $1`, [id]);
      return row ? toRecord(row) : null;
    },
    listGroups: (options: ScimListOptions<ScimGroupLookup> = {}) => listRows(pool, GROUPS, options, toRecord),
    listGroupsWithMembers: (options: ScimListOptions<ScimGroupLookup> = {}) =>
      listRows(
        pool,
        GROUPS,
        options,
        (row: GroupRow & { members: ScimGroupMember[] }): ScimGroupWithMembers => ({
          group: toRecord(row),
          members: row.members,
        }),
        MEMBERS_COLUMN,
      ),
    membersOf: (groupIds: string[]) => membersOf(pool, groupIds),
    createGroup: async (attributes: ScimAttributes, members: string[], options: { id?: string } = {}) => {
      readGroupFields(attributes);
      return inTransaction(pool, async (client): Promise<ScimGroupWrite> => {
        const p = paramsOf(options.id ?? randomUUID(), attributes);
        const [row] = await rows<GroupRow>(
          client,
          `INSERT INTO scim_groups AS g (id, display_name, external_id, data, created_at, modified_at, version)
           VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING ${GROUP_COLUMNS}`,
          [p.id, p.displayName, p.externalId, p.data, p.now],
        );
        const { added, members: after } = await applyMembers(client, p.id, { add: members });
        await client.query('INSERT INTO scim_first_push (id, at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [p.now]);
        await outbox.record(client, await outbox.keysOf(client, added), p.now);
        return {
          group: toRecord(row as GroupRow),
          previousDisplayName: p.displayName,
          added,
          removed: [],
          members: after,
          changed: true,
        };
      });
    },
    replaceGroup: async (
      id: string,
      attributes: ScimAttributes,
      members: string[],
      options: { expectedVersion?: number } = {},
    ) => {
      readGroupFields(attributes);
      return inTransaction(pool, async (client): Promise<ScimGroupWrite | null> => {
        const before = await lockGroup(client, id);
        if (!before) return null;
        checkVersion(before, options.expectedVersion);
        const wanted = new Set(members);
        const stale = (await memberIds(client, id)).filter((user) => !wanted.has(user));
        const p = paramsOf(id, attributes);
        const written = await applyMembers(client, id, { add: members, remove: stale });
        const { added, removed, members: after } = written;
        const sameAttributes = p.data === before.data;
        let row = before;
        if (!sameAttributes) [row = before] = await update(client, p);
        else if (added.length || removed.length) [row = before] = await touch(client, id, p.now);
        const changed = !sameAttributes || added.length > 0 || removed.length > 0;
        // mappings name groups by displayName: a rename changes what every member is granted
        const renamed = p.displayName !== before.display_name;
        await outbox.record(client, await outbox.keysOf(client, touchedByReplace(renamed, written)), p.now);
        return {
          group: toRecord(row),
          previousDisplayName: before.display_name,
          added,
          removed,
          members: after,
          changed,
        };
      });
    },
    changeMembers: (id: string, memberChange: ScimMemberChange, options: { expectedVersion?: number } = {}) =>
      inTransaction(pool, async (client): Promise<ScimGroupWrite | null> => {
        const before = await lockGroup(client, id);
        if (!before) return null;
        checkVersion(before, options.expectedVersion);
        const { added, removed, members } = await applyMembers(client, id, memberChange);
        const changed = added.length > 0 || removed.length > 0;
        const at = now().toISOString();
        let row = before;
        if (changed) [row = before] = await touch(client, id, at);
        await outbox.record(client, await outbox.keysOf(client, [...added, ...removed]), at);
        return { group: toRecord(row), previousDisplayName: before.display_name, added, removed, members, changed };
      }),
    deleteGroup: (id: string, options: { expectedVersion?: number } = {}) =>
      inTransaction(pool, async (client): Promise<{ members: string[] } | null> => {
        const before = await lockGroup(client, id);
        if (!before) return null;
        checkVersion(before, options.expectedVersion);
        const members = await memberIds(client, id);
        await outbox.record(client, await outbox.keysOf(client, members), now().toISOString());
        await client.query('DELETE FROM scim_groups WHERE id = $1', [id]);
        return { members };
      }),
    allGroups: async (db: Queryable) => {
      const memberships = await rows<{ group_id: string; user_id: string }>(
        db,
        'SELECT group_id, user_id FROM scim_group_members ORDER BY ord',
      );
      const groups = await rows<GroupRow>(db, `SELECT ${GROUP_COLUMNS} FROM scim_groups g ORDER BY g.ord`);
      return groupsWithMemberIds(groups, memberships);
    },
  };
}
