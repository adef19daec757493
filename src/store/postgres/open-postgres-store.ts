import type { Logger } from 'pino';
import type pg from 'pg';
import type { NewJournalRecord, Store } from '../../ports/store.js';
import { readBaseline, readBaselineReasons, writeBaseline } from './baseline-queries.js';
import { prepareExceptionQueries } from './exception-queries.js';
import { prepareHeldPlanQueries } from './held-plan-queries.js';
import { appendJournal, getJournal, listJournal, rekeyJournal, verifyJournal } from './journal-queries.js';
import { backfillJournalUsers, indexJournalUsers, listUserJournal } from './journal-user-queries.js';
import { createJournalHasher, type JournalHasher } from '../journal-hash.js';
import { prepareLockQueries } from './lock-queries.js';
import { prepareClaimQueries } from './claim-queries.js';
import { coreMigrations } from '../migrations/core.js';
import { POSTGRES } from '../migrations/dialect.js';
import { closeOnce, inTransaction, openMigratedPool, rows, type PostgresConnection } from './open-postgres-pool.js';
import { preparePendingRunQueries } from './pending-run-queries.js';
import { prepareStateQueries } from './state-queries.js';
import { prepareSessionQueries } from './session-queries.js';
import { prepareDriftSightingQueries } from './drift-sighting-queries.js';
import { assertLease } from '../lease.js';
import { prepareTaskQueries } from './task-queries.js';
import { prepareApprovalQueries } from './approval-queries.js';
import { prepareReviewQueries } from './review-queries.js';

/**
 * The store in PostgreSQL, for several replicas on one database (DESIGN §13). Migrates on open (safe when replicas
 * start together). Every write is durable when its promise resolves (PostgreSQL's default synchronous_commit).
 */
export async function openPostgresStore(
  connection: PostgresConnection,
  options: { logger?: Logger; /** the journal's hasher; default unkeyed */ journalHasher?: JournalHasher } = {},
): Promise<Store> {
  const hasher = options.journalHasher ?? createJournalHasher(null);
  const logger = options.logger?.child({ component: 'postgres-store' });
  const { pool, applied } = await openMigratedPool(connection, {
    what: 'store',
    migrations: coreMigrations(POSTGRES),
    ...(logger && { logger }),
  });
  try {
    await backfillJournalUsers(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  logger?.debug({ applied }, 'store opened');
  /** appends the record and its per-user index rows, inside the caller's transaction */
  const append = async (client: pg.PoolClient, record: NewJournalRecord) => {
    const appended = await appendJournal(client, record, hasher);
    await indexJournalUsers(client, appended);
    return appended;
  };
  return {
    getBaseline: (users) => readBaseline(pool, users),
    getBaselineReasons: (users) => readBaselineReasons(pool, users),
    // One transaction for the record, the baseline and the pending run: a crash or a failed write leaves none.
    commitRun: (record, baseline, options) =>
      inTransaction(pool, async (client) => {
        // FOR SHARE: a takeover (which locks the row FOR UPDATE) waits for this commit, or this commit sees it
        const lease = options?.lease;
        if (lease) {
          const [row] = await rows<{ owner: string }>(client, 'SELECT owner FROM locks WHERE name = $1 FOR SHARE', [
            lease.lock,
          ]);
          assertLease(lease, row?.owner, record.id);
        }
        const committed = await append(client, record);
        await writeBaseline(client, baseline, committed.endedAt, options?.reasons);
        await client.query('DELETE FROM pending_runs WHERE id = $1', [committed.id]);
        return committed;
      }),
    listJournal: (opts) => listJournal(pool, opts),
    getJournal: (id) => getJournal(pool, id),
    listUserJournal: (user, opts) => listUserJournal(pool, user, opts),
    verifyJournal: () =>
      inTransaction(pool, (client) => verifyJournal(client, hasher), { isolation: 'REPEATABLE READ', readOnly: true }),
    rekeyJournal: (record, opts) =>
      inTransaction(pool, async (client) => {
        const rekeyed = await rekeyJournal(client, hasher, opts?.previousKey);
        return { rekeyed, record: await append(client, record) };
      }),
    ...preparePendingRunQueries(pool),
    ...prepareExceptionQueries(pool),
    ...prepareHeldPlanQueries(pool),
    ...prepareStateQueries(pool),
    ...prepareSessionQueries(pool),
    ...prepareDriftSightingQueries(pool),
    ...prepareTaskQueries(pool),
    ...prepareApprovalQueries(pool),
    ...prepareReviewQueries(pool),
    ...prepareLockQueries(pool, logger),
    ...prepareClaimQueries(pool),
    close: closeOnce(pool),
  };
}
