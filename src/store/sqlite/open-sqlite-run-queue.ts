import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RunTrigger } from '../../domain/journal.js';
import { unionScope, unionTriggers, type QueuedRun, type RunQueue } from '../../ports/run-queue.js';
import { isLockOwnerDead } from '../lock-owner.js';
import { RunInProgressError } from '../../domain/errors.js';
import { runMigrations } from './migrate.js';
import { runQueueMigrations } from './migrations/run-queue.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

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

/**
 * The embedded RunQueue on the store's SQLite file, with its own connection. Every change is one IMMEDIATE
 * transaction (the file's write lock is taken before the rows are read), so two processes on one file never both
 * claim a run or lose a coalesced trigger.
 */
export function openSqliteRunQueue(dbPath: string): RunQueue {
  const db = openSqliteDatabase(dbPath);
  try {
    runMigrations(db, runQueueMigrations);
    return queueOn(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

function queueOn(db: Database.Database): RunQueue {
  const select = db.prepare<[string, State], QueueRow>('SELECT * FROM run_queue WHERE target = ? AND state = ?');
  const insert = db.prepare<[string, State, string, string, string | null, string, number, number]>(
    `INSERT INTO run_queue (target, state, id, triggers, scope, enqueued_at, due_ms, attempts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const updatePending = db.prepare<[string, string | null, string, number, number, string]>(
    `UPDATE run_queue SET triggers = ?, scope = ?, enqueued_at = ?, due_ms = ?, attempts = ?
     WHERE target = ? AND state = 'pending'`,
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

  /** the active row back into the pending one (or as it), due no sooner than dueMs, one more attempt */
  const putBack = (active: QueueRow, dueMs: number) => {
    removeAnyActive.run(active.target);
    const pending = select.get(active.target, 'pending');
    const attempts = active.attempts + 1;
    if (!pending) {
      insert.run(
        active.target,
        'pending',
        active.id,
        active.triggers,
        active.scope,
        active.enqueued_at,
        dueMs,
        attempts,
      );
      return;
    }
    const run = toRun(pending);
    const back = toRun(active);
    const scope = unionScope(run.scope, back.scope);
    updatePending.run(
      JSON.stringify(unionTriggers(back.triggers, run.triggers)),
      scope === null ? null : JSON.stringify(scope),
      back.enqueuedAt < run.enqueuedAt ? back.enqueuedAt : run.enqueuedAt,
      Math.max(pending.due_ms, dueMs),
      Math.max(pending.attempts, attempts),
      active.target,
    );
  };

  const enqueue = db.transaction(
    (target: string, trigger: RunTrigger, scope: string[] | null, nowMs: number, debounceMs: number) => {
      const pending = select.get(target, 'pending');
      if (!pending) {
        const json = scope === null ? null : JSON.stringify([...new Set(scope)].sort());
        insert.run(
          target,
          'pending',
          randomUUID(),
          JSON.stringify([trigger]),
          json,
          new Date(nowMs).toISOString(),
          nowMs + debounceMs,
          0,
        );
      } else {
        const run = toRun(pending);
        const merged = unionScope(run.scope, scope);
        // a debounced trigger never delays the pending run; one without a debounce makes it due now
        const due = debounceMs > 0 ? pending.due_ms : Math.min(pending.due_ms, nowMs);
        updatePending.run(
          JSON.stringify(unionTriggers(run.triggers, [trigger])),
          merged === null ? null : JSON.stringify(merged),
          run.enqueuedAt,
          due,
          pending.attempts,
          target,
        );
      }
      return toRun(select.get(target, 'pending')!);
    },
  );

  const claim = db.transaction((target: string, worker: string, nowMs: number, staleMs: number) => {
    const active = select.get(target, 'active');
    if (active) {
      const dead = nowMs - (active.heartbeat_ms ?? 0) > staleMs || isLockOwnerDead(active.worker ?? '');
      if (!dead) return null;
      // its worker died mid-run: the run is done again (the journal's pending run tells what it had applied)
      putBack(active, nowMs);
    }
    const pending = select.get(target, 'pending');
    if (!pending || pending.due_ms > nowMs) return null;
    activate.run(worker, nowMs, target);
    return toRun(pending);
  });

  const release = db.transaction((target: string, id: string, worker: string, dueMs: number) => {
    const active = select.get(target, 'active');
    if (active && active.id === id && active.worker === worker) putBack(active, dueMs);
  });

  return {
    async enqueue(target, request, options) {
      return enqueue.immediate(target, request.trigger, request.scope, options.now.getTime(), options.debounceMs ?? 0);
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
