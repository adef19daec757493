import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ScimUniquenessError, ScimVersionConflictError } from '../../sources/scim/errors.js';
import type {
  ScimGroupOfUser,
  ScimListOptions,
  ScimUserLookup,
  ScimUserRecord,
  ScimUserWithGroups,
} from '../../sources/scim/repository.js';
import { readUserFields, scimUserKey, type ScimAttributes } from '../../sources/scim/user-fields.js';
import { inTransaction, PG, pgConstraint, pgErrorCode, rows, type Queryable } from './open-postgres-pool.js';
import { listRows, type ListTable } from './scim-list-query.js';
import type { OutboxQueries } from './scim-outbox-queries.js';

interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  active: boolean;
  primary_email: string | null;
  data: string;
  created_at: string;
  modified_at: string;
  version: number;
}

const USER_COLUMNS =
  'u.id, u.user_name, u.external_id, u.display_name, u.active, u.primary_email, u.data, u.created_at, u.modified_at, u.version';

const USERS: ListTable<ScimUserLookup> = {
  name: 'scim_users',
  alias: 'u',
  columns: USER_COLUMNS,
  where: {
    id: 'u.id = $1',
    userName: 'lower(u.user_name) = lower($1)',
    externalId: 'u.external_id = $1',
    displayName: 'lower(u.display_name) = lower($1)',
    email: 'u.id IN (SELECT user_id FROM scim_user_emails WHERE lower(value) = lower($1))',
  },
  sortable: ['id', 'userName', 'displayName', 'externalId', 'created', 'lastModified'],
};

/** A user's groups as one JSON column, so a list and its groups come from one statement (one snapshot). */
const GROUPS_COLUMN = `(SELECT coalesce(json_agg(json_build_object('id', g.id, 'displayName', g.display_name)
    ORDER BY lower(g.display_name) COLLATE "C", g.id COLLATE "C"), '[]'::json)
  FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id WHERE m.user_id = u.id) AS groups`;

const GROUPS_OF = `SELECT m.user_id, g.id, g.display_name AS "displayName"
  FROM scim_group_members m JOIN scim_groups g ON g.id = m.group_id
  WHERE m.user_id = ANY($1::text[]) ORDER BY lower(g.display_name) COLLATE "C", g.id COLLATE "C"`;

function toRecord(row: UserRow): ScimUserRecord {
  const attributes = JSON.parse(row.data) as ScimAttributes;
  return {
    ...readUserFields(attributes),
    id: row.id,
    userName: row.user_name,
    active: row.active,
    attributes,
    created: row.created_at,
    lastModified: row.modified_at,
    version: row.version,
  };
}

const keyOfRow = (row: UserRow) => scimUserKey({ primaryEmail: row.primary_email, userName: row.user_name });

const checkVersion = (row: { id: string; version: number }, expected: number | undefined) => {
  if (expected !== undefined && expected !== row.version) {
    throw new ScimVersionConflictError(row.id, expected, row.version);
  }
};

/** The unique index on lower(user_name) refuses a duplicate, whichever replica the other request reached. */
function asUniqueness(err: unknown, userName: string): unknown {
  if (pgErrorCode(err) === PG.uniqueViolation && pgConstraint(err) === 'scim_users_user_name') {
    return new ScimUniquenessError('userName', `userName "${userName}" is already taken`);
  }
  return err;
}

/**
 * Locks the user's row for this write. A replace takes NO KEY UPDATE, so a concurrent group write adding this user
 * (a foreign key check) does not wait for it; a delete takes UPDATE.
 */
async function selectForUpdate(
  client: pg.PoolClient,
  id: string,
  lock: 'NO KEY UPDATE' | 'UPDATE',
): Promise<UserRow | undefined> {
  const [row] = await rows<UserRow>(client, `SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.id = $1 FOR ${lock}`, [
    id,
  ]);
  return row;
}

async function writeEmails(client: pg.PoolClient, id: string, emails: string[], replace: boolean) {
  if (replace) await client.query('DELETE FROM scim_user_emails WHERE user_id = $1', [id]);
  if (emails.length === 0) return;
  await client.query(
    `INSERT INTO scim_user_emails (user_id, value) SELECT $1, v FROM unnest($2::text[]) AS t(v)
     ON CONFLICT (user_id, lower(value)) DO NOTHING`,
    [id, emails],
  );
}

export async function groupsOfUsers(db: Queryable, ids: string[]): Promise<Map<string, ScimGroupOfUser[]>> {
  const result = new Map<string, ScimGroupOfUser[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  for (const row of await rows<{ user_id: string; id: string; displayName: string }>(db, GROUPS_OF, [ids])) {
    result.get(row.user_id)?.push({ id: row.id, displayName: row.displayName });
  }
  return result;
}

export function prepareUserQueries(pool: pg.Pool, now: () => Date, outbox: OutboxQueries) {
  const paramsOf = (id: string, attributes: ScimAttributes) => {
    const fields = readUserFields(attributes);
    const values = [
      id,
      fields.userName,
      fields.externalId,
      fields.displayName,
      fields.active,
      fields.primaryEmail,
      JSON.stringify(attributes),
      now().toISOString(),
    ] as const;
    return { fields, values, data: values[6], at: values[7] };
  };

  return {
    getUser: async (id: string) => {
      const [row] = await rows<UserRow>(pool, `SELECT ${USER_COLUMNS} FROM scim_users u WHERE u.id = $1`, [id]);
      return row ? toRecord(row) : null;
    },
    listUsers: (options: ScimListOptions<ScimUserLookup> = {}) => listRows(pool, USERS, options, toRecord),
    listUsersWithGroups: (options: ScimListOptions<ScimUserLookup> = {}) =>
      listRows(
        pool,
        USERS,
        options,
        (row: UserRow & { groups: ScimGroupOfUser[] }): ScimUserWithGroups => ({
          user: toRecord(row),
          groups: row.groups,
        }),
        GROUPS_COLUMN,
      ),
    createUser: async (attributes: ScimAttributes, options: { id?: string } = {}) => {
      readUserFields(attributes); // refuse an invalid value before taking a connection
      return inTransaction(pool, async (client) => {
        const { fields, values, at } = paramsOf(options.id ?? randomUUID(), attributes);
        let row: UserRow | undefined;
        try {
          [row] = await rows<UserRow>(
            client,
            `INSERT INTO scim_users AS u (id, user_name, external_id, display_name, active, primary_email, data,
               created_at, modified_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING ${USER_COLUMNS}`,
            [...values],
          );
        } catch (err) {
          throw asUniqueness(err, fields.userName);
        }
        await writeEmails(client, values[0], fields.emails, false);
        await client.query('INSERT INTO scim_first_push (id, at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [at]);
        await outbox.record(client, [scimUserKey(fields)], at);
        return toRecord(row as UserRow);
      });
    },
    replaceUser: async (id: string, attributes: ScimAttributes, options: { expectedVersion?: number } = {}) => {
      readUserFields(attributes);
      return inTransaction(pool, async (client): Promise<{ user: ScimUserRecord; changed: boolean } | null> => {
        const before = await selectForUpdate(client, id, 'NO KEY UPDATE');
        if (!before) return null;
        checkVersion(before, options.expectedVersion);
        const { fields, values, data, at } = paramsOf(id, attributes);
        if (data === before.data) return { user: toRecord(before), changed: false };
        let row: UserRow | undefined;
        try {
          [row] = await rows<UserRow>(
            client,
            `UPDATE scim_users AS u SET user_name = $2, external_id = $3, display_name = $4, active = $5,
               primary_email = $6, data = $7, modified_at = $8, version = version + 1
             WHERE id = $1 RETURNING ${USER_COLUMNS}`,
            [...values],
          );
        } catch (err) {
          throw asUniqueness(err, fields.userName);
        }
        await writeEmails(client, id, fields.emails, true);
        // a rename touches both keys: the old one loses what the new one gains
        await outbox.record(client, [keyOfRow(before), scimUserKey(fields)], at);
        return { user: toRecord(row as UserRow), changed: true };
      });
    },
    deleteUser: (id: string, options: { expectedVersion?: number } = {}) =>
      inTransaction(pool, async (client): Promise<{ groups: string[] } | null> => {
        const before = await selectForUpdate(client, id, 'UPDATE');
        if (!before) return null;
        checkVersion(before, options.expectedVersion);
        const at = now().toISOString();
        const touched = await rows<{ id: string; display_name: string }>(
          client,
          `UPDATE scim_groups SET version = version + 1, modified_at = $1
           WHERE id IN (SELECT group_id FROM scim_group_members WHERE user_id = $2) RETURNING id, display_name`,
          [at, id],
        );
        await client.query('DELETE FROM scim_users WHERE id = $1', [id]);
        await outbox.record(client, [keyOfRow(before)], at);
        const sorted = touched.sort(
          (a, b) => cmp(a.display_name.toLowerCase(), b.display_name.toLowerCase()) || cmp(a.id, b.id),
        );
        return { groups: sorted.map((g) => g.id) };
      }),
    groupsOfUser: async (id: string) => (await groupsOfUsers(pool, [id])).get(id) ?? [],
    groupsOfUsers: (ids: string[]) => groupsOfUsers(pool, ids),
    allUsers: async (db: Queryable) =>
      (await rows<UserRow>(db, `SELECT ${USER_COLUMNS} FROM scim_users u ORDER BY u.ord`)).map(toRecord),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
