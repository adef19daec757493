import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamError } from '../domain/errors.js';
import type { Alert, AlertSink } from '../ports/alert-sink.js';
import type { RetryOptions } from './backoff.js';
import { computeBackoff } from './backoff.js';
import { SinkResponseError } from './post-json.js';

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  /** the last error when `ok` is false */
  error?: unknown;
}

export interface DeliveryJob {
  alert: Alert;
  settle(outcome: DeliveryOutcome): void;
}

export interface SinkQueue {
  /** false when the queue is full: the job is not taken */
  push(job: DeliveryJob): boolean;
  /** jobs waiting or in flight */
  readonly size: number;
  whenIdle(): Promise<void>;
}

/** A sink's "no" (a 4xx) will not turn into "yes" by asking again; network errors and 5xx might. */
const isRetryable = (err: unknown): boolean => !(err instanceof UpstreamError) || err.retryable;

/** The receiver's Retry-After wins over our backoff when longer, within the configured cap. */
function delayAfter(err: unknown, attempt: number, retry: RetryOptions): number {
  const backoff = computeBackoff(attempt, retry);
  const asked = err instanceof SinkResponseError ? err.retryAfterMs : null;
  return asked === null ? backoff : Math.max(backoff, Math.min(asked, retry.maxMs));
}

/**
 * One sink's deliveries, one at a time in arrival order (a resolution never overtakes its detection), each
 * retried with backoff. Each sink has its own queue, so a slow sink only ever delays itself.
 */
export function createSinkQueue(options: {
  sink: AlertSink;
  capacity: number;
  retry: RetryOptions;
  /** aborting it ends the current send and backoff, and fails what is left */
  signal: AbortSignal;
}): SinkQueue {
  const { sink, capacity, retry, signal } = options;
  // a head index instead of Array#shift, which copies the whole array: O(n) per delivery on a long queue
  let jobs: DeliveryJob[] = [];
  let head = 0;
  let running = false;
  let idleWaiters: (() => void)[] = [];

  async function deliver(alert: Alert): Promise<DeliveryOutcome> {
    let attempts = 0;
    let error: unknown;
    while (attempts < retry.attempts && !signal.aborted) {
      attempts += 1;
      try {
        await sink.send(alert, { signal });
        return { ok: true, attempts };
      } catch (err) {
        error = err;
        if (!isRetryable(err) || attempts >= retry.attempts) break;
        try {
          await sleep(delayAfter(err, attempts, retry), undefined, { signal });
        } catch {
          break; // aborted while waiting
        }
      }
    }
    return { ok: false, attempts, error: error ?? new Error('delivery aborted') };
  }

  async function run(): Promise<void> {
    running = true;
    try {
      for (let job = jobs[head]; job; job = jobs[head]) {
        const outcome = await deliver(job.alert);
        head += 1;
        if (head === jobs.length) {
          jobs = [];
          head = 0;
        } else if (head >= 1024 && head * 2 >= jobs.length) {
          jobs = jobs.slice(head);
          head = 0;
        }
        job.settle(outcome);
      }
    } finally {
      running = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  return {
    push(job) {
      if (jobs.length - head >= capacity) return false;
      jobs.push(job);
      if (!running) void run();
      return true;
    },
    get size() {
      return jobs.length - head;
    },
    whenIdle() {
      return running ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve();
    },
  };
}
