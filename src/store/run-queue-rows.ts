import { randomUUID } from 'node:crypto';
import type { RunTrigger } from '../domain/journal.js';
import { unionScope, unionTriggers, type QueuedRun, type RunRequest } from '../ports/run-queue.js';
import { isLockOwnerDead } from './lock-owner.js';

/**
 * A run queue row as both stores keep it: JSON as text, the times a claim compares as epoch milliseconds. What a
 * trigger, a claim or a put-back does to the rows is decided here, once; each store only reads and writes them
 * inside its own transaction (SQLite's IMMEDIATE, PostgreSQL's advisory lock per target).
 */
export interface QueueRow {
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

export type QueueState = 'pending' | 'active';

export const toRun = (row: QueueRow): QueuedRun => ({
  id: row.id,
  target: row.target,
  triggers: JSON.parse(row.triggers) as RunTrigger[],
  scope: row.scope === null ? null : (JSON.parse(row.scope) as string[]),
  enqueuedAt: row.enqueued_at,
  dueAt: new Date(row.due_ms).toISOString(),
  attempts: row.attempts,
});

const scopeJson = (scope: string[] | null) => (scope === null ? null : JSON.stringify(scope));

/**
 * The pending row after `request`: a new one due `debounceMs` from now, or the pending one with the request
 * coalesced into it (a debounced trigger never delays it; one without a debounce makes it due now).
 */
export function enqueued(
  target: string,
  pending: QueueRow | undefined,
  request: RunRequest,
  nowMs: number,
  debounceMs: number,
): QueueRow {
  if (!pending) {
    return {
      target,
      id: randomUUID(),
      triggers: JSON.stringify([request.trigger]),
      scope: scopeJson(request.scope === null ? null : [...new Set(request.scope)].sort()),
      enqueued_at: new Date(nowMs).toISOString(),
      due_ms: nowMs + debounceMs,
      attempts: 0,
      worker: null,
      heartbeat_ms: null,
    };
  }
  const run = toRun(pending);
  return {
    ...pending,
    triggers: JSON.stringify(unionTriggers(run.triggers, [request.trigger])),
    scope: scopeJson(unionScope(run.scope, request.scope)),
    due_ms: debounceMs > 0 ? pending.due_ms : Math.min(pending.due_ms, nowMs),
  };
}

/** The pending row once the active run is put back into it (or becomes it): due no sooner than dueMs, one more try. */
export function putBack(active: QueueRow, pending: QueueRow | undefined, dueMs: number): QueueRow {
  const attempts = active.attempts + 1;
  const back = { ...active, worker: null, heartbeat_ms: null };
  if (!pending) return { ...back, due_ms: dueMs, attempts };
  const run = toRun(pending);
  const was = toRun(active);
  return {
    ...pending,
    triggers: JSON.stringify(unionTriggers(was.triggers, run.triggers)),
    scope: scopeJson(unionScope(run.scope, was.scope)),
    enqueued_at: was.enqueuedAt < run.enqueuedAt ? was.enqueuedAt : run.enqueuedAt,
    due_ms: Math.max(pending.due_ms, dueMs),
    attempts: Math.max(pending.attempts, attempts),
  };
}

/** An active run whose worker stopped heart-beating for staleMs, or whose process on this host is gone. */
export const isAbandoned = (active: QueueRow, nowMs: number, staleMs: number): boolean =>
  nowMs - (active.heartbeat_ms ?? 0) > staleMs || isLockOwnerDead(active.worker ?? '');
