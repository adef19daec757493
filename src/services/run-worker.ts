import type { Logger } from 'pino';
import { RunInProgressError } from '../domain/errors.js';
import type { RunStatus, RunTrigger } from '../domain/journal.js';
import { unionScope, type QueuedRun, type RunQueue, type RunRequest } from '../ports/run-queue.js';
import type { ScimRepository } from '../sources/scim/repository.js';
import { LEASE_HEARTBEAT_MS, LEASE_STALE_MS } from '../store/lease.js';
import { createLockOwner } from '../store/lock-owner.js';
import type { RunOptions, RunOutcome } from './sync.js';

export interface RunWorkerDeps {
  queue: RunQueue;
  /** the queue's key for the target: the run lock's name */
  target: string;
  run: (options: RunOptions) => Promise<RunOutcome>;
  /** where SCIM writes record the users they touched: one per SCIM source (none without one) */
  outboxes: Pick<ScimRepository, 'pendingOutbox' | 'ackOutbox'>[];
  logger: Logger;
  /** an active run whose worker stopped heart-beating this long is taken back (LEASE_STALE_MS, as the run lock) */
  staleMs?: number;
  /** the first retry delay of a run that met the lock or failed; doubled per attempt up to maxRetryMs */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface RunWorker {
  /** enqueues a trigger (coalesced into the pending run) and wakes the worker */
  trigger(request: RunRequest, options?: { debounceMs?: number }): Promise<void>;
  /** enqueues a run for the outbox's users when it holds unacknowledged entries (DESIGN §10) */
  drainOutbox(options?: { debounceMs?: number }): Promise<void>;
  /** runs `fn` (an administrator's run) between queued runs, never beside one of this process */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** resolves once the queue holds nothing for the target (tests, benchmarks) */
  settled(): Promise<void>;
  /** stops taking runs and waits for the one in progress; what is pending stays queued for the next start */
  close(): Promise<void>;
}

const HEARTBEAT_MS = LEASE_HEARTBEAT_MS;
/** statuses after which the outbox entries the run covered are acknowledged: Heap has them, or a held plan does */
const COVERED: RunStatus[] = ['succeeded', 'held'];

/**
 * Runs what the RunQueue holds for one target, one run at a time (DESIGN §10: acknowledged pushes are never
 * dropped). Each run also covers the users of every unacknowledged outbox entry, read before the run reads its
 * sources, and acknowledges those entries only once the run is journaled as applied (or held for approval). A run
 * that meets the lock, fails, or leaves entries behind is run again after a back-off.
 */
export function createRunWorker(deps: RunWorkerDeps): RunWorker {
  const { queue, target, logger } = deps;
  const staleMs = deps.staleMs ?? LEASE_STALE_MS;
  const retryMs = deps.retryMs ?? 1_000;
  const maxRetryMs = deps.maxRetryMs ?? 30_000;
  const worker = createLockOwner();
  const backoff = (attempts: number) => Math.min(maxRetryMs, retryMs * 2 ** Math.min(attempts, 16));
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let failures = 0;
  let mutex: Promise<unknown> = Promise.resolve();

  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = mutex.then(fn);
    mutex = result.catch(() => undefined);
    return result;
  };

  const wake = () => {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((err: unknown) => {
        logger.error({ error: (err as Error).message }, 'run queue failed; trying again shortly');
        arm(retryMs);
      })
      .finally(() => {
        pumping = null;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const arm = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = null;
        wake();
      },
      Math.max(0, ms),
    );
    timer.unref();
  };

  async function pump(): Promise<void> {
    while (!closed) {
      const job = await queue.claim(target, worker, { now: new Date(), staleMs });
      if (!job) {
        const { active, pending } = await queue.state(target);
        // Not due yet: look again when it is. Otherwise look again a heartbeat later, even with nothing queued: a
        // run another replica claims and then dies with is taken over only by a replica that keeps looking.
        const due = pending && !active ? Date.parse(pending.dueAt) - Date.now() : HEARTBEAT_MS;
        arm(Math.min(due, HEARTBEAT_MS));
        return;
      }
      await exclusive(() => execute(job));
    }
  }

  async function execute(job: QueuedRun): Promise<void> {
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      queue.heartbeat(target, job.id, worker, new Date()).catch((err: unknown) => lost.abort(err));
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      // read before the run reads its sources: every entry up to `upTo` was committed before that read
      const upTo: number[] = [];
      const users: string[] = [];
      for (const outbox of deps.outboxes) {
        const entries = await outbox.pendingOutbox();
        upTo.push(entries.at(-1)?.seq ?? 0);
        for (const e of entries) users.push(...e.users);
      }
      const scope = unionScope(job.scope, users);
      if (scope !== null && scope.length === 0) {
        await queue.complete(target, job.id, worker);
        return;
      }
      let outcome: RunOutcome;
      try {
        outcome = await deps.run({ trigger: journalTrigger(job), scope, signal: lost.signal });
      } catch (err) {
        const delayMs = backoff(job.attempts);
        const busy = err instanceof RunInProgressError;
        logger[busy ? 'info' : 'error'](
          { queuedRun: job.id, attempts: job.attempts + 1, retryInMs: delayMs, error: (err as Error).message },
          busy ? 'the run lock is taken; the run waits in the queue' : 'queued run failed; it waits in the queue',
        );
        await queue.release(target, job.id, worker, { now: new Date(), delayMs });
        arm(delayMs);
        return;
      }
      const covered = COVERED.includes(outcome.record.status);
      if (covered) {
        for (const [i, outbox] of deps.outboxes.entries()) if (upTo[i]! > 0) await outbox.ackOutbox(upTo[i]!);
      }
      failures = covered ? 0 : failures + 1;
      await queue.complete(target, job.id, worker);
      // after every run: what the run did not cover (pushed meanwhile, or its writes failed) runs next
      await drainOutbox(covered ? {} : { debounceMs: backoff(failures - 1) });
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function drainOutbox(options: { debounceMs?: number } = {}): Promise<void> {
    for (const outbox of deps.outboxes) {
      if (closed) return;
      if ((await outbox.pendingOutbox({ limit: 1 })).length > 0) {
        await trigger({ trigger: 'scim', scope: [] }, options);
        return;
      }
    }
  }

  async function trigger(request: RunRequest, options: { debounceMs?: number } = {}): Promise<void> {
    await queue.enqueue(target, request, { now: new Date(), ...options });
    wake();
  }

  // a worker looks at the queue from the start: what is queued (or was held by a worker that died) is run
  wake();
  return {
    trigger,
    drainOutbox,
    exclusive,
    async settled() {
      for (;;) {
        wake();
        if (pumping) await pumping;
        const { active, pending } = await queue.state(target);
        if (!active && !pending) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await pumping;
      await mutex;
    },
  };
}

/** The journal's trigger: a full run names what asked for it beyond pushes, a limited one its first trigger. */
function journalTrigger(job: QueuedRun): RunTrigger {
  if (job.scope === null) return job.triggers.find((t) => t !== 'scim') ?? job.triggers[0] ?? 'scim';
  return job.triggers[0] ?? 'scim';
}
