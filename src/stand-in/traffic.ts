import type { Request, RequestHandler, Response } from 'express';
import type { ChangeContext } from './activity-log.js';

/** The header a sync run names itself in (the SCIM target sends it with every write). */
export const RUN_HEADER = 'x-heap-access-sync-run';

/** When one run wrote to Heap: from its first write's arrival to the last moment one of its writes was applied. */
export interface WriteWindow {
  runId: string;
  firstWriteAt: string;
  lastWriteAt: string;
  /** write attempts received, whatever their outcome */
  writes: number;
  /** of them, those that changed something */
  changed: number;
}

export interface TrafficCounts {
  reads: number;
  /** every SCIM write attempt received (POST, PUT, PATCH, DELETE), including those that change nothing */
  writes: number;
  /** write attempts that changed something in Heap */
  writesChanged: number;
}

/** One SCIM write attempt as the stand-in received it: a test can tell a retry (same request again) from a new write. */
export interface WriteAttempt {
  seq: number;
  runId: string | null;
  method: string;
  /** the path under /scim/v2, e.g. `/Users/<id>` */
  path: string;
  /** the request body as JSON (a retry sends the same one) */
  body: string;
  /** the request reached the handler: not failed by a fault (a stalled one, once its stall ended) */
  processed: boolean;
  /** it changed something in Heap */
  changed: boolean;
}

interface WriteEntry {
  window: MutableWindow | null;
  changed: boolean;
  attempt: WriteAttempt | null;
}

interface MutableWindow {
  runId: string;
  first: number;
  last: number;
  writes: number;
  changed: number;
}

const isWrite = (req: Request) => req.method !== 'GET' && req.method !== 'HEAD' && !req.path.endsWith('/.search');
const MAX_RUN_ID = 200;
/** write attempts kept for `attempts()`, oldest dropped first */
const MAX_ATTEMPTS = 100_000;

export type Traffic = ReturnType<typeof createTraffic>;

/**
 * Counts what reaches the stand-in's SCIM endpoint and records, per run, the window in which its writes landed, so a
 * test can prove two runs never wrote at once and count writes applied twice (or stalled, and applied late).
 */
export function createTraffic(now: () => Date) {
  const counts: TrafficCounts = { reads: 0, writes: 0, writesChanged: 0 };
  const windows = new Map<string, MutableWindow>();
  const attempts: WriteAttempt[] = [];
  let attemptSeq = 0;
  const entryOf = (res: Response): WriteEntry | undefined => res.locals.heapWrite as WriteEntry | undefined;

  /** First in the chain (after auth): every attempt counts, even one a fault then fails. */
  const received: RequestHandler = (req, res, next) => {
    if (!isWrite(req)) {
      counts.reads++;
      return next();
    }
    counts.writes++;
    const runId = req.get(RUN_HEADER)?.slice(0, MAX_RUN_ID);
    let window: MutableWindow | null = null;
    if (runId) {
      const t = now().getTime();
      window = windows.get(runId) ?? { runId, first: t, last: t, writes: 0, changed: 0 };
      window.writes++;
      window.last = Math.max(window.last, t);
      windows.set(runId, window);
    }
    const attempt: WriteAttempt = {
      seq: ++attemptSeq,
      runId: runId ?? null,
      method: req.method,
      path: req.path,
      body: JSON.stringify(req.body ?? null),
      processed: false,
      changed: false,
    };
    attempts.push(attempt);
    if (attempts.length > MAX_ATTEMPTS) attempts.shift();
    res.locals.heapWrite = { window, changed: false, attempt } satisfies WriteEntry;
    next();
  };

  /** Just before the handler: a write stalled by a fault is applied now, and its run's window reaches this far. */
  const processing: RequestHandler = (_req, res, next) => {
    const entry = entryOf(res);
    if (entry?.window) entry.window.last = Math.max(entry.window.last, now().getTime());
    if (entry?.attempt) entry.attempt.processed = true;
    next();
  };

  return {
    received,
    processing,
    /** the context a SCIM write changes things in: it names the run and counts the write as one that changed */
    scimContext(req: Request, res: Response): ChangeContext {
      const entry = entryOf(res);
      const runId = req.get(RUN_HEADER)?.slice(0, MAX_RUN_ID);
      return {
        via: 'scim',
        actor: 'scim',
        ...(runId && { runId }),
        onChange: () => {
          if (!entry || entry.changed) return;
          entry.changed = true;
          if (entry.attempt) entry.attempt.changed = true;
          counts.writesChanged++;
          if (entry.window) entry.window.changed++;
        },
      };
    },
    counts: (): TrafficCounts => ({ ...counts }),
    /** every write attempt received (the last MAX_ATTEMPTS), oldest first */
    attempts: (): WriteAttempt[] => attempts.map((a) => ({ ...a })),
    windows(): WriteWindow[] {
      return [...windows.values()]
        .sort((a, b) => a.first - b.first || (a.runId < b.runId ? -1 : 1))
        .map((w) => ({
          runId: w.runId,
          firstWriteAt: new Date(w.first).toISOString(),
          lastWriteAt: new Date(w.last).toISOString(),
          writes: w.writes,
          changed: w.changed,
        }));
    },
  };
}

/** Pairs of runs whose write windows intersect: evidence that two runs wrote at once. */
export function overlappingWindows(windows: WriteWindow[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < windows.length; i++) {
    for (let j = i + 1; j < windows.length; j++) {
      const [a, b] = [windows[i]!, windows[j]!];
      if (
        Date.parse(a.firstWriteAt) <= Date.parse(b.lastWriteAt) &&
        Date.parse(b.firstWriteAt) <= Date.parse(a.lastWriteAt)
      ) {
        out.push([a.runId, b.runId]);
      }
    }
  }
  return out;
}
