import { createHash } from 'node:crypto';
import { runMigrations } from '../../store/sqlite/migrate.js';
import { openSqliteDatabase } from '../../store/sqlite/open-sqlite-database.js';
import { scimMigrations } from './migrations.js';
import type { ScimRepository, ScimSnapshot } from './repository.js';
import { prepareGroupQueries } from './sqlite-group-queries.js';
import { prepareUserQueries } from './sqlite-user-queries.js';

/**
 * Opens the SCIM repository on the store's SQLite file with its own connection (WAL, busy timeout, the same
 * pragmas as the store) and applies the `scim-…` migrations.
 */
export function openScimRepository(dbPath: string, options: { now?: () => Date } = {}): ScimRepository {
  const now = options.now ?? (() => new Date());
  const db = openSqliteDatabase(dbPath);
  try {
    runMigrations(db, scimMigrations);
    const { allUsers, ...users } = prepareUserQueries(db, now);
    const { allGroups, ...groups } = prepareGroupQueries(db, now);
    const firstPushAt = db.prepare<[], string>('SELECT at FROM scim_first_push WHERE id = 1').pluck();
    // One read transaction: a snapshot never mixes states from before and after a concurrent write.
    const snapshot = db.transaction((): ScimSnapshot => ({
      users: allUsers(),
      groups: allGroups(),
      firstPushAt: firstPushAt.get() ?? null,
    }));
    return {
      path: dbPath,
      ...users,
      ...groups,
      snapshot: () => snapshot(),
      digest: () => digestSnapshot(snapshot()),
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

function digestSnapshot(snap: ScimSnapshot): string {
  const hash = createHash('sha256');
  for (const u of snap.users) {
    hash.update(`u|${u.id}|${u.version}|${u.lastModified}|${JSON.stringify(u.attributes)}\n`);
  }
  for (const g of snap.groups) {
    hash.update(`g|${g.id}|${g.version}|${g.lastModified}|${JSON.stringify(g.attributes)}|${g.members.join(',')}\n`);
  }
  return hash.digest('hex');
}
