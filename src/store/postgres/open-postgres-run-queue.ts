import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { RunInProgressError } from '../../domain/errors.js';
import type { RunTrigger } from '../../domain/journal.js';
import { unionScope, unionTriggers, type QueuedRun, type RunQueue } from '../../ports/run-queue.js';
import { isLockOwnerDead } from '../lock-owner.js';
import { runPostgresMigrations } from './migrate.js';
import { runQueueMigrations } from './migrations/run-queue.js';
import {
  checkConnection,
  closeOnce,
  inTransaction,
  openPostgresPool,
  rows,
  type PostgresConnection,
} from './open-postgres-pool.js';

type State = 'pending' | 'active';

interface QueueRow {
  target: string;
  id: string;
  triggers: string;
  scope: string | null;
  enqueued_at: string;
  due_ms: number;
  attempts: number;
  worker: string | null;
  heartbeat_ms: number | null;
}

const toRun = (row: QueueRow): QueuedRun => ({
  id: row.id,
  target: row.target,
  triggers: JSON.parse(row.triggers) as RunTrigger[],
  scope: row.scope === null ? null : (JSON.parse(row.scope) as string[]),
  enqueuedAt: row.enqueued_at,
  dueAt: new Date(row.due_ms).toISOString(),
  attempts: row.attempts,
});

const scopeJson = (scope: string[] | null) => (scope === null ? null : JSON.stringify(scope));

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
  const pool = openPostgresPool(connection, (err) => logger?.warn({ err: err.message }, 'idle connection failed'));
  try {
    await checkConnection(pool, 'run queue');
    await runPostgresMigrations(pool, runQueueMigrations);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return queueOn(pool);
}

function queueOn(pool: pg.Pool): RunQueue {
  const select = async (db: pg.PoolClient | pg.Pool, target: string, state: State) =>
    (await rows<QueueRow>(db, 'SELECT * FROM run_queue WHERE target = $1 AND state = $2', [target, state]))[0];
  const locked = <T>(target: string, fn: (client: pg.PoolClient) => Promise<T>) =>
    inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QUEUE_LOCK_CLASS, target]);
      return fn(client);
    });
  const insertPending = (client: pg.PoolClient, run: QueueRow) =>
    client.query(
      `INSERT INTO run_queue (target, state, id, triggers, scope, enqueued_at, due_ms, attempts)
       VALUES ($1, 'pending', $2, $3, $4, $5, $6, $7)`,
      [run.target, run.id, run.triggers, run.scope, run.enqueued_at, run.due_ms, run.attempts],
    );
  const updatePending = (client: pg.PoolClient, target: string, run: Omit<QueueRow, 'target' | 'id'>) =>
    client.query(
      `UPDATE run_queue SET triggers = $2, scope = $3, enqueued_at = $4, due_ms = $5, attempts = $6
       WHERE target = $1 AND state = 'pending'`,
      [target, run.triggers, run.scope, run.enqueued_at, run.due_ms, run.attempts],
    );

  /** the active row back into the pending one (or as it), due no sooner than dueMs, one more attempt */
  const putBack = async (client: pg.PoolClient, active: QueueRow, dueMs: number) => {
    await client.query(`DELETE FROM run_queue WHERE target = $1 AND state = 'active'`, [active.target]);
    const pending = await select(client, active.target, 'pending');
    const attempts = active.attempts + 1;
    if (!pending) {
      await insertPending(client, { ...active, due_ms: dueMs, attempts });
      return;
    }
    const run = toRun(pending);
    const back = toRun(active);
    await updatePending(client, active.target, {
      triggers: JSON.stringify(unionTriggers(back.triggers, run.triggers)),
      scope: scopeJson(unionScope(run.scope, back.scope)),
      enqueued_at: back.enqueuedAt < run.enqueuedAt ? back.enqueuedAt : run.enqueuedAt,
      due_ms: Math.max(pending.due_ms, dueMs),
      attempts: Math.max(pending.attempts, attempts),
      worker: null,
      heartbeat_ms: null,
    });
  };

  return {
    enqueue: (target, request, options) =>
      locked(target, async (client) => {
        const nowMs = options.now.getTime();
        const debounceMs = options.debounceMs ?? 0;
        const pending = await select(client, target, 'pending');
        if (!pending) {
          await insertPending(client, {
            target,
            id: randomUUID(),
            triggers: JSON.stringify([request.trigger]),
            scope: scopeJson(request.scope === null ? null : [...new Set(request.scope)].sort()),
            enqueued_at: options.now.toISOString(),
            due_ms: nowMs + debounceMs,
            attempts: 0,
            worker: null,
            heartbeat_ms: null,
          });
        } else {
          const run = toRun(pending);
          // a debounced trigger never delays the pending run; one without a debounce makes it due now
          await updatePending(client, target, {
            ...pending,
            triggers: JSON.stringify(unionTriggers(run.triggers, [request.trigger])),
            scope: scopeJson(unionScope(run.scope, request.scope)),
            due_ms: debounceMs > 0 ? pending.due_ms : Math.min(pending.due_ms, nowMs),
          });
        }
        return toRun((await select(client, target, 'pending'))!);
      }),
    claim: (target, worker, options) =>
      locked(target, async (client) => {
        const nowMs = options.now.getTime();
        const active = await select(client, target, 'active');
        if (active) {
          const dead = nowMs - (active.heartbeat_ms ?? 0) > options.staleMs || isLockOwnerDead(active.worker ?? '');
          if (!dead) return null;
          // its worker died mid-run: the run is done again (the journal's pending run tells what it had applied)
          await putBack(client, active, nowMs);
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
          await putBack(client, active, options.now.getTime() + options.delayMs);
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
