import type Database from 'better-sqlite3';
import type { RunQueue, RunRequest } from '../../ports/run-queue.js';
import { RunInProgressError } from '../../domain/errors.js';
import { SQLITE } from '../migrations/dialect.js';
import { runQueueMigrations } from '../migrations/run-queue.js';
import { enqueued, isAbandoned, putBack, toRun, type QueueRow, type QueueState } from '../run-queue-rows.js';
import { runMigrations } from './migrate.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

/**
 * The embedded RunQueue on the store's SQLite file, with its own connection. Every change is one IMMEDIATE
 * transaction (the file's write lock is taken before the rows are read), so two processes on one file never both
 * claim a run or lose a coalesced trigger.
 */
export function openSqliteRunQueue(dbPath: string): RunQueue {
  const db = openSqliteDatabase(dbPath);
  try {
    runMigrations(db, runQueueMigrations(SQLITE));
    return queueOn(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

function queueOn(db: Database.Database): RunQueue {
  const select = db.prepare<[string, QueueState], QueueRow>('SELECT * FROM run_queue WHERE target = ? AND state = ?');
  const insert = db.prepare<QueueRow>(
    `INSERT INTO run_queue (target, state, id, triggers, scope, enqueued_at, due_ms, attempts)
     VALUES (@target, 'pending', @id, @triggers, @scope, @enqueued_at, @due_ms, @attempts)`,
  );
  const update = db.prepare<QueueRow>(
    `UPDATE run_queue SET triggers = @triggers, scope = @scope, enqueued_at = @enqueued_at, due_ms = @due_ms,
       attempts = @attempts WHERE target = @target AND state = 'pending'`,
  );
  const activate = db.prepare<[string, number, string]>(
    `UPDATE run_queue SET state = 'active', worker = ?, heartbeat_ms = ? WHERE target = ? AND state = 'pending'`,
  );
  const beat = db.prepare<[number, string, string, string]>(
    `UPDATE run_queue SET heartbeat_ms = ? WHERE target = ? AND state = 'active' AND id = ? AND worker = ?`,
  );
  const removeActive = db.prepare<[string, string, string]>(
    `DELETE FROM run_queue WHERE target = ? AND state = 'active' AND id = ? AND worker = ?`,
  );
  const removeAnyActive = db.prepare<[string]>(`DELETE FROM run_queue WHERE target = ? AND state = 'active'`);

  /** writes the target's pending row: `pending` is what was there (read in this transaction) */
  const writePending = (row: QueueRow, pending: QueueRow | undefined) => (pending ? update : insert).run(row);
  const back = (active: QueueRow, dueMs: number) => {
    removeAnyActive.run(active.target);
    const pending = select.get(active.target, 'pending');
    writePending(putBack(active, pending, dueMs), pending);
  };

  const enqueue = db.transaction((target: string, request: RunRequest, nowMs: number, debounceMs: number) => {
    const pending = select.get(target, 'pending');
    const row = enqueued(target, pending, request, nowMs, debounceMs);
    writePending(row, pending);
    return toRun(row);
  });

  const claim = db.transaction((target: string, worker: string, nowMs: number, staleMs: number) => {
    const active = select.get(target, 'active');
    if (active) {
      if (!isAbandoned(active, nowMs, staleMs)) return null;
      // its worker died mid-run: the run is done again (the journal's pending run tells what it had applied)
      back(active, nowMs);
    }
    const pending = select.get(target, 'pending');
    if (!pending || pending.due_ms > nowMs) return null;
    activate.run(worker, nowMs, target);
    return toRun(pending);
  });

  const release = db.transaction((target: string, id: string, worker: string, dueMs: number) => {
    const active = select.get(target, 'active');
    if (active && active.id === id && active.worker === worker) back(active, dueMs);
  });

  return {
    async enqueue(target, request, options) {
      return enqueue.immediate(target, request, options.now.getTime(), options.debounceMs ?? 0);
    },
    async claim(target, worker, options) {
      return claim.immediate(target, worker, options.now.getTime(), options.staleMs);
    },
    async heartbeat(target, id, worker, now) {
      if (beat.run(now.getTime(), target, id, worker).changes === 0) {
        throw new RunInProgressError(`queued run ${id} of ${target} is no longer held by ${worker}`);
      }
    },
    async complete(target, id, worker) {
      removeActive.run(target, id, worker);
    },
    async release(target, id, worker, options) {
      release.immediate(target, id, worker, options.now.getTime() + options.delayMs);
    },
    async state(target) {
      const active = select.get(target, 'active');
      const pending = select.get(target, 'pending');
      return {
        active: active ? { ...toRun(active), worker: active.worker ?? '' } : null,
        pending: pending ? toRun(pending) : null,
      };
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
