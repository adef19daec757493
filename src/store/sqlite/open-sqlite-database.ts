import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** How long a connection waits for another connection's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens a connection with the pragmas every module sharing the store's file must use (the SCIM inbound store opens
 * its own connection to the same file).
 */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    // WAL lets readers (dashboard, `journal list`) run while a sync writes, and other connections to this file.
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL may lose the last transactions on power loss. FULL syncs the WAL on every commit, so a
    // run's journal record and baseline are on disk before the run reports success (DESIGN §8), and the next run
    // never plans against a baseline that silently went back in time.
    db.pragma('synchronous = FULL');
    // Several connections share the file (other stores in this process, SCIM inbound, a concurrent CLI): wait for
    // a writer to finish instead of failing at once.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
