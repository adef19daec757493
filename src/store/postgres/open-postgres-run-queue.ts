import type pg from 'pg';
import type { Logger } from 'pino';
import { RunInProgressError } from '../../domain/errors.js';
import type { RunQueue } from '../../ports/run-queue.js';
import { POSTGRES } from '../migrations/dialect.js';
import { runQueueMigrations } from '../migrations/run-queue.js';
import { enqueued, isAbandoned, putBack, toRun, type QueueRow, type QueueState } from '../run-queue-rows.js';
import { closeOnce, inTransaction, openMigratedPool, rows, type PostgresConnection } from './open-postgres-pool.js';

/** pg_advisory_xact_lock namespace of one target's queue rows (the key is hashtext(target)). */
const QUEUE_LOCK_CLASS = 7_361_004;

/**
 * The RunQueue on PostgreSQL, shared by every replica. Each change is one transaction that first takes the target's
 * advisory lock, so replicas serialize per target: two never both claim a run, and a trigger coalescing into the
 * pending run is never lost to a claim racing it.
 *
 * Why not pg-boss jobs: the port coalesces a trigger into the one pending run (scopes united in place) and compares
 * due times with the caller's clock; a pg-boss job's data cannot be merged once queued, its `startAfter` is compared
 * with the database's clock, and its `stately` policy refuses a second queued job instead of merging it. Two small
 * rows under a lock do exactly what the port says, in the store's own database.
 */
export async function openPostgresRunQueue(
  connection: PostgresConnection,
  options: { logger?: Logger } = {},
): Promise<RunQueue> {
  const logger = options.logger?.child({ component: 'postgres-run-queue' });
  const { pool } = await openMigratedPool(connection, {
    what: 'run queue',
    migrations: runQueueMigrations(POSTGRES),
    ...(logger && { logger }),
  });
  return queueOn(pool);
}

function queueOn(pool: pg.Pool): RunQueue {
  const select = async (db: pg.PoolClient | pg.Pool, target: string, state: QueueState) =>
    (await rows<QueueRow>(db, 'SELECT * FROM run_queue WHERE target = $1 AND state = $2', [target, state]))[0];
  const locked = <T>(target: string, fn: (client: pg.PoolClient) => Promise<T>) =>
    inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QUEUE_LOCK_CLASS, target]);
      return fn(client);
    });
  /** writes the target's pending row: `pending` is what was there (read under the target's lock) */
  const writePending = (client: pg.PoolClient, row: QueueRow, pending: QueueRow | undefined) => {
    const fields = [row.target, row.triggers, row.scope, row.enqueued_at, row.due_ms, row.attempts];
    return pending
      ? client.query(
          `UPDATE run_queue SET triggers = $2, scope = $3, enqueued_at = $4, due_ms = $5, attempts = $6
           WHERE target = $1 AND state = 'pending'`,
          fields,
        )
      : client.query(
          `INSERT INTO run_queue (target, state, triggers, scope, enqueued_at, due_ms, attempts, id)
           VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7)`,
          [...fields, row.id],
        );
  };
  const back = async (client: pg.PoolClient, active: QueueRow, dueMs: number) => {
    await client.query(`DELETE FROM run_queue WHERE target = $1 AND state = 'active'`, [active.target]);
    const pending = await select(client, active.target, 'pending');
    await writePending(client, putBack(active, pending, dueMs), pending);
  };

  return {
    enqueue: (target, request, options) =>
      locked(target, async (client) => {
        const pending = await select(client, target, 'pending');
        const row = enqueued(target, pending, request, options.now.getTime(), options.debounceMs ?? 0);
        await writePending(client, row, pending);
        return toRun(row);
      }),
    claim: (target, worker, options) =>
      locked(target, async (client) => {
        const nowMs = options.now.getTime();
        const active = await select(client, target, 'active');
        if (active) {
          if (!isAbandoned(active, nowMs, options.staleMs)) return null;
          // its worker died mid-run: the run is done again (the journal's pending run tells what it had applied)
          await back(client, active, nowMs);
        }
        const pending = await select(client, target, 'pending');
        if (!pending || pending.due_ms > nowMs) return null;
        await client.query(
          `UPDATE run_queue SET state = 'active', worker = $2, heartbeat_ms = $3 WHERE target = $1 AND state = 'pending'`,
          [target, worker, nowMs],
        );
        return toRun(pending);
      }),
    async heartbeat(target, id, worker, now) {
      const result = await pool.query(
        `UPDATE run_queue SET heartbeat_ms = $1 WHERE target = $2 AND state = 'active' AND id = $3 AND worker = $4`,
        [now.getTime(), target, id, worker],
      );
      if (result.rowCount === 0) {
        throw new RunInProgressError(`queued run ${id} of ${target} is no longer held by ${worker}`);
      }
    },
    async complete(target, id, worker) {
      await pool.query(`DELETE FROM run_queue WHERE target = $1 AND state = 'active' AND id = $2 AND worker = $3`, [
        target,
        id,
        worker,
      ]);
    },
    release: (target, id, worker, options) =>
      locked(target, async (client) => {
        const active = await select(client, target, 'active');
        if (active && active.id === id && active.worker === worker) {
          await back(client, active, options.now.getTime() + options.delayMs);
        }
      }),
    async state(target) {
      return inTransaction(
        pool,
        async (client) => {
          const active = await select(client, target, 'active');
          const pending = await select(client, target, 'pending');
          return {
            active: active ? { ...toRun(active), worker: active.worker ?? '' } : null,
            pending: pending ? toRun(pending) : null,
          };
        },
        { isolation: 'REPEATABLE READ', readOnly: true },
      );
    },
    close: closeOnce(pool),
  };
}
