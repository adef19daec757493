import type { Logger } from 'pino';
import type { ScimRepository, ScimSnapshot } from '../../sources/scim/repository.js';
import { digestScimSnapshot } from '../../sources/scim/snapshot-digest.js';
import { scimMigrations } from './migrations/scim.js';
import {
  closeOnce,
  inTransaction,
  openMigratedPool,
  rows,
  schemaName,
  type PostgresConnection,
} from './open-postgres-pool.js';
import { prepareGroupQueries } from './scim-group-queries.js';
import { prepareOutboxQueries } from './scim-outbox-queries.js';
import { prepareUserQueries } from './scim-user-queries.js';

/**
 * The SCIM repository in the store's PostgreSQL database, with its own pool, migrated on open (`scim-…` ids).
 * Every replica opens one: a write is one transaction that locks the rows it changes, so writes reaching different
 * replicas take turns instead of overwriting each other, and versions (ETags) are the database's.
 */
export async function openPostgresScimRepository(
  connection: PostgresConnection,
  options: { now?: () => Date; source?: string; logger?: Logger; schema?: string } = {},
): Promise<ScimRepository> {
  const now = options.now ?? (() => new Date());
  const logger = options.logger?.child({ component: 'postgres-scim' });
  const own = options.schema ? { ...connection, schema: schemaName(options.schema) } : connection;
  const { pool } = await openMigratedPool(own, {
    what: 'SCIM repository',
    migrations: scimMigrations,
    ...(logger && { logger }),
  });
  const outbox = prepareOutboxQueries(options.source ?? 'scim');
  const users = prepareUserQueries(pool, now, outbox);
  const groups = prepareGroupQueries(pool, now, outbox);
  // One REPEATABLE READ transaction: a snapshot never mixes states from before and after a concurrent write.
  const snapshot = () =>
    inTransaction(
      pool,
      async (client): Promise<ScimSnapshot> => {
        const [first] = await rows<{ at: string }>(client, 'SELECT at FROM scim_first_push WHERE id = 1');
        return {
          users: await users.allUsers(client),
          groups: await groups.allGroups(client),
          firstPushAt: first?.at ?? null,
        };
      },
      { isolation: 'REPEATABLE READ', readOnly: true },
    );
  return {
    getUser: users.getUser,
    listUsers: users.listUsers,
    listUsersWithGroups: users.listUsersWithGroups,
    createUser: users.createUser,
    replaceUser: users.replaceUser,
    deleteUser: users.deleteUser,
    groupsOfUser: users.groupsOfUser,
    groupsOfUsers: users.groupsOfUsers,
    getGroup: groups.getGroup,
    listGroups: groups.listGroups,
    listGroupsWithMembers: groups.listGroupsWithMembers,
    membersOf: groups.membersOf,
    createGroup: groups.createGroup,
    replaceGroup: groups.replaceGroup,
    changeMembers: groups.changeMembers,
    deleteGroup: groups.deleteGroup,
    pendingOutbox: (opts) => outbox.pending(pool, opts?.limit),
    ackOutbox: (upToSeq) => outbox.ack(pool, upToSeq),
    snapshot,
    digest: async () => digestScimSnapshot(await snapshot()),
    close: closeOnce(pool),
  };
}
