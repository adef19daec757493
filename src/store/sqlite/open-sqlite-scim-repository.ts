import { runMigrations } from './migrate.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { scimMigrations } from './migrations/scim.js';
import type { ScimRepository, ScimSnapshot } from '../../sources/scim/repository.js';
import { digestScimSnapshot } from '../../sources/scim/snapshot-digest.js';
import { prepareGroupQueries } from './scim-group-queries.js';
import { prepareUserQueries } from './scim-user-queries.js';

/**
 * Opens the SCIM repository on the store's SQLite file with its own connection (WAL, busy timeout, the same
 * pragmas as the store) and applies the `scim-…` migrations.
 */
export function openSqliteScimRepository(dbPath: string, options: { now?: () => Date } = {}): ScimRepository {
  const now = options.now ?? (() => new Date());
  const db = openSqliteDatabase(dbPath);
  try {
    runMigrations(db, scimMigrations);
    const { allUsers, ...users } = prepareUserQueries(db, now);
    const { allGroups, ...groups } = prepareGroupQueries(db, now);
    // One read transaction: a snapshot never mixes states from before and after a concurrent write.
    const snapshot = db.transaction((): ScimSnapshot => ({ users: allUsers(), groups: allGroups() }));
    return {
      ...users,
      ...groups,
      snapshot: () => snapshot(),
      digest: () => digestScimSnapshot(snapshot()),
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
