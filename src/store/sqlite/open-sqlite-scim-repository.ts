import { createGroupCommit, type Fsync, type GroupCommit } from './group-commit.js';
import { runMigrations } from './migrate.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { scimMigrations } from './migrations/scim.js';
import type { ScimRepository, ScimSnapshot } from '../../sources/scim/repository.js';
import { digestScimSnapshot } from '../../sources/scim/snapshot-digest.js';
import { prepareGroupQueries } from './scim-group-queries.js';
import { prepareOutboxQueries } from './scim-outbox-queries.js';
import { prepareUserQueries } from './scim-user-queries.js';

/**
 * Opens the SCIM repository on the store's SQLite file with its own connection (WAL, busy timeout, the same
 * pragmas as the store) and applies the `scim-…` migrations. `source` is the config name of the SCIM source this
 * repository serves ('scim' by default): its outbox entries carry it.
 */
export function openSqliteScimRepository(
  dbPath: string,
  options: {
    now?: () => Date;
    source?: string;
    fsync?: Fsync;
    /** false: one fsync per commit (synchronous FULL), as before group commit; for the benchmark's comparison */
    groupCommit?: boolean;
  } = {},
): ScimRepository {
  const now = options.now ?? (() => new Date());
  const db = openSqliteDatabase(dbPath);
  let commits: GroupCommit | null = null;
  try {
    runMigrations(db, scimMigrations);
    if (dbPath !== ':memory:' && options.groupCommit !== false) {
      // Group commit: a commit writes the WAL only; each write is acknowledged after the next fsync of it.
      db.pragma('synchronous = NORMAL');
      commits = createGroupCommit(`${db.name}-wal`, options.fsync ? { fsync: options.fsync } : {});
    }
    const durable = <T>(value: T): Promise<T> => (commits ? commits.durable(value) : Promise.resolve(value));
    const outbox = prepareOutboxQueries(db, options.source ?? 'scim');
    const users = prepareUserQueries(db, now, outbox);
    const groups = prepareGroupQueries(db, now, outbox);
    // One read transaction: a snapshot never mixes states from before and after a concurrent write.
    const firstPushAt = db.prepare<[], string>('SELECT at FROM scim_first_push WHERE id = 1').pluck();
    const snapshot = db.transaction((): ScimSnapshot => ({
      users: users.allUsers(),
      groups: groups.allGroups(),
      firstPushAt: firstPushAt.get() ?? null,
    }));
    // better-sqlite3 is synchronous: each method does its work before it returns an already settled promise, so
    // the two reads of a `…With…` list are one step that no write of this process comes between.
    return {
      getUser: async (id) => users.getUser(id),
      listUsers: async (options) => users.listUsers(options),
      listUsersWithGroups: async (options) => {
        const page = users.listUsers(options);
        const groupsOf = users.groupsOfUsers(page.items.map((u) => u.id));
        return { total: page.total, items: page.items.map((user) => ({ user, groups: groupsOf.get(user.id) ?? [] })) };
      },
      createUser: async (attributes, options) => durable(users.createUser(attributes, options)),
      replaceUser: async (id, attributes, options) => durable(users.replaceUser(id, attributes, options)),
      deleteUser: async (id, options) => durable(users.deleteUser(id, options)),
      groupsOfUser: async (id) => users.groupsOfUser(id),
      groupsOfUsers: async (ids) => users.groupsOfUsers(ids),
      getGroup: async (id) => groups.getGroup(id),
      listGroups: async (options) => groups.listGroups(options),
      listGroupsWithMembers: async (options) => {
        const page = groups.listGroups(options);
        const membersOf = groups.membersOf(page.items.map((g) => g.id));
        return {
          total: page.total,
          items: page.items.map((group) => ({ group, members: membersOf.get(group.id) ?? [] })),
        };
      },
      membersOf: async (groupIds) => groups.membersOf(groupIds),
      createGroup: async (attributes, members, options) => durable(groups.createGroup(attributes, members, options)),
      replaceGroup: async (id, attributes, members, options) =>
        durable(groups.replaceGroup(id, attributes, members, options)),
      changeMembers: async (id, change, options) => durable(groups.changeMembers(id, change, options)),
      deleteGroup: async (id, options) => durable(groups.deleteGroup(id, options)),
      pendingOutbox: async (options) => outbox.pending(options?.limit),
      ackOutbox: async (upToSeq) => durable(outbox.ack(upToSeq)),
      snapshot: async () => snapshot(),
      digest: async () => digestScimSnapshot(snapshot()),
      close: async () => {
        commits?.close();
        if (db.open) db.close();
      },
    };
  } catch (err) {
    commits?.close();
    db.close();
    throw err;
  }
}
