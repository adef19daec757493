import type { Logger } from 'pino';
import type { ScimChange } from './change.js';

export interface ScimChangeDebouncer {
  /** Records a change; the users it touches join the next run. */
  add(change: ScimChange): void;
  /** Runs what is pending now (after the run in progress, if any) and resolves when nothing is left. */
  flush(): Promise<void>;
  /** Flushes, then ignores further changes. */
  close(): Promise<void>;
  /** users waiting for the next run */
  readonly pending: number;
}

/**
 * Collects SCIM changes for `windowMs` from the first pending change, then calls `run` once with the union of the
 * users they touch. One run at a time: changes arriving during a run wait for it and go into the next one. A failed
 * run is logged, never retried here (the next scheduled full reconciliation converges).
 */
export function createScimChangeDebouncer(options: {
  windowMs: number;
  run: (userIds: string[]) => Promise<void>;
  logger?: Logger;
}): ScimChangeDebouncer {
  const { windowMs, run, logger } = options;
  let pending = new Set<string>();
  let firstPendingAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  const schedule = () => {
    if (timer || running || pending.size === 0 || closed) return;
    timer = setTimeout(fire, Math.max(0, firstPendingAt + windowMs - Date.now()));
    // A pending push must not keep a process alive that is otherwise done; shutdown calls close() to flush.
    timer.unref();
  };

  const startRun = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = [...pending].sort();
    pending = new Set();
    running = (async () => {
      try {
        await run(batch);
      } catch (err) {
        logger?.error({ err, users: batch.length }, 'SCIM-triggered sync failed');
      }
    })().finally(() => {
      running = null;
      schedule();
    });
    return running;
  };

  function fire() {
    timer = null;
    if (!running && pending.size > 0) void startRun();
  }

  const flush = async () => {
    while (running || pending.size > 0) {
      if (running) await running;
      else await startRun();
    }
  };

  return {
    add(change) {
      if (closed) {
        logger?.warn({ reason: change.reason }, 'SCIM change after shutdown ignored');
        return;
      }
      if (pending.size === 0) firstPendingAt = Date.now();
      for (const user of change.users) pending.add(user);
      schedule();
    },
    flush,
    async close() {
      await flush();
      closed = true;
    },
    get pending() {
      return pending.size;
    },
  };
}
