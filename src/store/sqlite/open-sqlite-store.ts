import type { Logger } from 'pino';
import type { Access } from '../../domain/entitlement.js';
import type { CommitOptions, NewJournalRecord, Store } from '../../ports/store.js';
import { createJournalHasher, type JournalHasher } from '../journal-hash.js';
import { prepareApprovalQueries } from './approval-queries.js';
import { prepareBaselineQueries } from './baseline-queries.js';
import { prepareExceptionQueries } from './exception-queries.js';
import { prepareHeldPlanQueries } from './held-plan-queries.js';
import { prepareJournalQueries } from './journal-queries.js';
import { prepareJournalUserQueries } from './journal-user-queries.js';
import { prepareLockQueries } from './lock-queries.js';
import { prepareClaimQueries } from './claim-queries.js';
import { preparePendingRunQueries } from './pending-run-queries.js';
import { runMigrations } from './migrate.js';
import { coreMigrations } from '../migrations/core.js';
import { SQLITE } from '../migrations/dialect.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { prepareStateQueries } from './state-queries.js';
import { prepareSessionQueries } from './session-queries.js';
import { prepareDriftSightingQueries } from './drift-sighting-queries.js';
import { assertLease } from '../lease.js';
import { prepareTaskQueries } from './task-queries.js';
import { prepareReviewQueries } from './review-queries.js';

/** The embedded store: one SQLite file (created with its folder if missing), migrated on open. */
export function openSqliteStore(
  path: string,
  options: { logger?: Logger; /** the journal's hasher; default unkeyed */ journalHasher?: JournalHasher } = {},
): Store {
  const logger = options.logger?.child({ component: 'sqlite-store' });
  const db = openSqliteDatabase(path);
  try {
    const applied = runMigrations(db, coreMigrations(SQLITE));
    logger?.debug({ path, applied }, 'store opened');
    const baseline = prepareBaselineQueries(db);
    const journal = prepareJournalQueries(db, options.journalHasher ?? createJournalHasher(null));
    const journalUsers = prepareJournalUserQueries(db);
    const pending = preparePendingRunQueries(db);
    // One transaction for the record and the baseline: a crash or a failed write leaves neither. IMMEDIATE because
    // it reads the last sequence before writing, and another connection may be committing too.
    const lockOwner = db.prepare<[string], string>('SELECT owner FROM locks WHERE name = ?').pluck();
    const commit = db.transaction(
      (record: NewJournalRecord, rows: Map<string, Access | null>, options?: CommitOptions) => {
        if (options?.lease) assertLease(options.lease, lockOwner.get(options.lease.lock), record.id);
        const committed = journal.append(record);
        journalUsers.index(committed);
        baseline.write(rows, committed.endedAt, options?.reasons);
        pending.remove(committed.id);
        return committed;
      },
    );
    const rekey = db.transaction((record: NewJournalRecord, previousKey?: JournalHasher) => {
      const rekeyed = journal.rekey(previousKey);
      const appended = journal.append(record);
      journalUsers.index(appended);
      return { rekeyed, record: appended };
    });
    return {
      // better-sqlite3 is synchronous: each method does its work before it returns an already settled promise.
      getBaseline: async (users) => baseline.read(users),
      getBaselineReasons: async (users) => baseline.readReasons(users),
      commitRun: async (record, rows, options) => commit.immediate(record, rows, options),
      listJournal: async (opts) => journal.list(opts),
      getJournal: async (id) => journal.get(id),
      listUserJournal: async (user, opts) => journalUsers.list(user, opts),
      verifyJournal: async () => journal.verify(),
      rekeyJournal: async (record, opts) => rekey.immediate(record, opts?.previousKey),
      putPendingRun: (run) => pending.putPendingRun(run),
      listPendingRuns: () => pending.listPendingRuns(),
      ...prepareExceptionQueries(db),
      ...prepareHeldPlanQueries(db),
      ...prepareStateQueries(db),
      ...prepareSessionQueries(db),
      ...prepareDriftSightingQueries(db),
      ...prepareTaskQueries(db),
      ...prepareApprovalQueries(db),
      ...prepareReviewQueries(db),
      ...prepareLockQueries(db, logger),
      ...prepareClaimQueries(db),
      close: async () => {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
