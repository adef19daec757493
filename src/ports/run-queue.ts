import type { RunTrigger } from '../domain/journal.js';

/** What a trigger asks for. */
export interface RunRequest {
  trigger: RunTrigger;
  /** Heap users (lower-case e-mails) the run is limited to; null: a full reconciliation */
  scope: string[] | null;
}

/** A run waiting in the queue, or being run by a worker. */
export interface QueuedRun {
  /** new for every pending run; kept while it is active and when it is put back */
  id: string;
  target: string;
  /** every trigger coalesced into it, each once, in the order they first came */
  triggers: RunTrigger[];
  /** the union of the coalesced scopes; null (a full reconciliation) absorbs every scope */
  scope: string[] | null;
  /** ISO 8601: when the first of its triggers came */
  enqueuedAt: string;
  /** ISO 8601: not run before this */
  dueAt: string;
  /** how often a worker took it and put it back (the lock was taken, the run failed, the worker died) */
  attempts: number;
}

export interface EnqueueOptions {
  now: Date;
  /**
   * The debounce of pushes: a pending run this trigger creates is due `debounceMs` after it, and later debounced
   * triggers join it without delaying it further. A trigger without a debounce makes the pending run due now.
   */
  debounceMs?: number;
}

export interface QueueState {
  active: (QueuedRun & { worker: string }) | null;
  pending: QueuedRun | null;
}

/**
 * The run queue (DESIGN §10, acknowledged pushes are never dropped): per target at most one active and one pending
 * run. Every trigger of `serve` (SCIM push, schedule, API, exception expiry) is enqueued; a trigger that arrives while
 * a run is pending coalesces into it; a run that cannot proceed (the store's lock is taken, the run failed) is put
 * back, never dropped. Durable: a pending run, and the active run of a worker that died, survive a restart.
 * On the store's own database: SQLite (embedded) or PostgreSQL (shared by replicas); both run
 * test/contract/run-queue.contract.ts.
 * Every method is asynchronous; a write has happened, durably, when its promise resolves.
 */
export interface RunQueue {
  /** adds a pending run, or coalesces the request into the pending one; resolves with the pending run */
  enqueue(target: string, request: RunRequest, options: EnqueueOptions): Promise<QueuedRun>;
  /**
   * Makes the pending run active for `worker` when it is due and no run is active; null otherwise. An active run
   * whose worker stopped heart-beating for `staleMs` (or whose process on this host is gone) is first put back.
   */
  claim(target: string, worker: string, options: { now: Date; staleMs: number }): Promise<QueuedRun | null>;
  /** the worker of the active run is alive; rejects when `worker` no longer holds run `id` */
  heartbeat(target: string, id: string, worker: string, now: Date): Promise<void>;
  /** the active run is done (journaled, or nothing to do); a no-op when `worker` no longer holds it */
  complete(target: string, id: string, worker: string): Promise<void>;
  /**
   * Puts the active run back: it becomes (or coalesces into) the pending run, due no sooner than `now + delayMs`,
   * with one more attempt. A no-op when `worker` no longer holds it.
   */
  release(target: string, id: string, worker: string, options: { now: Date; delayMs: number }): Promise<void>;
  /** the target's active and pending run, for status pages, a worker's timer and tests */
  state(target: string): Promise<QueueState>;
  /** closes the connection; closing twice is harmless */
  close(): Promise<void>;
}

/** Coalesces two scopes: null (everyone) absorbs, otherwise the sorted union. */
export function unionScope(a: string[] | null, b: string[] | null): string[] | null {
  if (a === null || b === null) return null;
  return [...new Set([...a, ...b])].sort();
}

/** Adds the triggers of `b` that `a` lacks, after those of `a`. */
export function unionTriggers(a: RunTrigger[], b: RunTrigger[]): RunTrigger[] {
  return [...a, ...b.filter((t) => !a.includes(t))];
}
