import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ScimUniquenessError, ScimVersionConflictError } from '../../sources/scim/errors.js';
import type { ScimUserLookup, ScimUserRecord } from '../../sources/scim/repository.js';
import { prepareListQuery } from './scim-list-query.js';
import { readUserFields, scimUserKey, type ScimAttributes } from '../../sources/scim/user-fields.js';
import type { OutboxQueries } from './scim-outbox-queries.js';

interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  active: number;
  primary_email: string | null;
  data: string;
  created_at: string;
  modified_at: string;
  version: number;
}

const USER_COLUMNS =
  'u.id, u.user_name, u.external_id, u.display_name, u.active, u.primary_email, u.data, u.created_at, u.modified_at, u.version';

const WHERE: Record<ScimUserLookup['by'], string> = {
  id: 'u.id = ?',
  userName: 'u.user_name = ?',
  externalId: 'u.external_id = ?',
  displayName: 'u.display_name = ?',
  email: 'u.id IN (SELECT user_id FROM scim_user_emails WHERE value = ?)',
};

function toRecord(row: UserRow): ScimUserRecord {
  const attributes = JSON.parse(row.data) as ScimAttributes;
  return {
    ...readUserFields(attributes),
    id: row.id,
    userName: row.user_name,
    active: row.active === 1,
    attributes,
    created: row.created_at,
    lastModified: row.modified_at,
    version: row.version,
  };
}

const keyOfRow = (row: UserRow) => scimUserKey({ primaryEmail: row.primary_email, userName: row.user_name });

export function prepareUserQueries(db: Database.Database, now: () => Date, outbox: OutboxQueries) {
  const selectById = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.id = ?`);
  const selectOwnerOfName = db.prepare<[string], string>('SELECT id FROM scim_users WHERE user_name = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO scim_users (id, user_name, external_id, display_name, active, primary_email, data, created_at, modified_at, version)
     VALUES (@id, @userName, @externalId, @displayName, @active, @primaryEmail, @data, @now, @now, 1)`,
  );
  const update = db.prepare(
    `UPDATE scim_users SET user_name = @userName, external_id = @externalId, display_name = @displayName,
       active = @active, primary_email = @primaryEmail, data = @data, modified_at = @now, version = version + 1
     WHERE id = @id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM scim_users WHERE id = ?');
  const deleteEmails = db.prepare<[string]>('DELETE FROM scim_user_emails WHERE user_id = ?');
  const insertEmail = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO scim_user_emails (user_id, value) VALUES (?, ?)',
  );
  const selectGroupsOf = db.prepare<[string], { id: string; displayName: string }>(
    `SELECT g.id, g.display_name AS displayName FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id
     WHERE m.user_id = ? ORDER BY g.display_name, g.id`,
  );
  const selectGroupsOfMany = db.prepare<[string], { user_id: string; id: string; displayName: string }>(
    `SELECT m.user_id, g.id, g.display_name AS displayName FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id
     WHERE m.user_id IN (SELECT value FROM json_each(?)) ORDER BY g.display_name, g.id`,
  );
  const touchGroupsOf = db.prepare<[string, string]>(
    `UPDATE scim_groups SET version = version + 1, modified_at = ?
     WHERE id IN (SELECT group_id FROM scim_group_members WHERE user_id = ?)`,
  );
  const selectAll = db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM scim_users u ORDER BY u.rowid`);
  const mustGet = (id: string): ScimUserRecord => {
    const row = selectById.get(id);
    if (!row) throw new Error(`user ${id} vanished inside its own transaction`);
    return toRecord(row);
  };

  const assertUniqueName = (userName: string, id: string | null) => {
    const owner = selectOwnerOfName.get(userName);
    if (owner !== undefined && owner !== id) {
      throw new ScimUniquenessError('userName', `userName "${userName}" is already taken`);
    }
  };
  const writeEmails = (id: string, emails: string[]) => {
    deleteEmails.run(id);
    for (const email of emails) insertEmail.run(id, email);
  };
  const checkVersion = (row: UserRow, expected: number | undefined) => {
    if (expected !== undefined && expected !== row.version) {
      throw new ScimVersionConflictError(row.id, expected, row.version);
    }
  };
  const paramsOf = (id: string, attributes: ScimAttributes) => {
    const fields = readUserFields(attributes);
    return {
      fields,
      params: {
        id,
        userName: fields.userName,
        externalId: fields.externalId,
        displayName: fields.displayName,
        active: fields.active ? 1 : 0,
        primaryEmail: fields.primaryEmail,
        data: JSON.stringify(attributes),
        now: now().toISOString(),
      },
    };
  };

  const create = db.transaction((attributes: ScimAttributes, chosenId?: string): ScimUserRecord => {
    const id = chosenId ?? randomUUID();
    const { fields, params } = paramsOf(id, attributes);
    assertUniqueName(fields.userName, null);
    insert.run(params);
    writeEmails(id, fields.emails);
    outbox.record([scimUserKey(fields)], params.now);
    return mustGet(id);
  });

  const replace = db.transaction(
    (
      id: string,
      attributes: ScimAttributes,
      expectedVersion?: number,
    ): { user: ScimUserRecord; changed: boolean } | null => {
      const row = selectById.get(id);
      if (!row) return null;
      checkVersion(row, expectedVersion);
      const { fields, params } = paramsOf(id, attributes);
      if (params.data === row.data) return { user: toRecord(row), changed: false };
      assertUniqueName(fields.userName, id);
      update.run(params);
      writeEmails(id, fields.emails);
      // a rename touches both keys: the old one loses what the new one gains
      outbox.record([keyOfRow(row), scimUserKey(fields)], params.now);
      return { user: mustGet(id), changed: true };
    },
  );

  const dispose = db.transaction((id: string, expectedVersion?: number): { groups: string[] } | null => {
    const row = selectById.get(id);
    if (!row) return null;
    checkVersion(row, expectedVersion);
    const groups = selectGroupsOf.all(id).map((g) => g.id);
    const at = now().toISOString();
    touchGroupsOf.run(at, id);
    remove.run(id);
    outbox.record([keyOfRow(row)], at);
    return { groups };
  });

  const list = prepareListQuery<UserRow, ScimUserRecord, ScimUserLookup>(
    db,
    { name: 'scim_users', alias: 'u', columns: USER_COLUMNS, where: WHERE },
    toRecord,
  );

  return {
    getUser: (id: string) => {
      const row = selectById.get(id);
      return row ? toRecord(row) : null;
    },
    listUsers: list,
    createUser: (attributes: ScimAttributes, options: { id?: string } = {}) => create.immediate(attributes, options.id),
    replaceUser: (id: string, attributes: ScimAttributes, options: { expectedVersion?: number } = {}) =>
      replace.immediate(id, attributes, options.expectedVersion),
    deleteUser: (id: string, options: { expectedVersion?: number } = {}) =>
      dispose.immediate(id, options.expectedVersion),
    groupsOfUser: (id: string) => selectGroupsOf.all(id),
    groupsOfUsers: (ids: string[]) => {
      const result = new Map<string, { id: string; displayName: string }[]>(ids.map((id) => [id, []]));
      if (ids.length === 0) return result;
      // The filtered GETs IdPs send most return one user: skip json_each for it.
      if (ids.length === 1 && ids[0] !== undefined) return result.set(ids[0], selectGroupsOf.all(ids[0]));
      for (const row of selectGroupsOfMany.all(JSON.stringify(ids))) {
        result.get(row.user_id)?.push({ id: row.id, displayName: row.displayName });
      }
      return result;
    },
    allUsers: () => selectAll.all().map(toRecord),
  };
}
