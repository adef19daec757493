import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunInProgressError } from '../../../src/domain/errors.js';
import type { JournalRecord, RunStatus } from '../../../src/domain/journal.js';
import type { RunQueue } from '../../../src/ports/run-queue.js';
import { createRunWorker, type RunWorker } from '../../../src/services/run-worker.js';
import type { RunOptions, RunOutcome } from '../../../src/services/sync.js';
import type { ScimOutboxEntry } from '../../../src/sources/scim/repository.js';
import { LEASE_STALE_MS } from '../../../src/store/lease.js';
import { openSqliteRunQueue } from '../../../src/store/sqlite/open-sqlite-run-queue.js';

const TARGET = 'target:heap';

/** The outbox of a SCIM repository, in memory. */
function memoryOutbox() {
  let seq = 0;
  const entries: ScimOutboxEntry[] = [];
  return {
    entries,
    push: (...users: string[]) => entries.push({ seq: ++seq, source: 'scim', users, at: new Date().toISOString() }),
    pendingOutbox: async (o?: { limit?: number }) => entries.slice(0, o?.limit ?? entries.length),
    ackOutbox: async (upTo: number) => {
      while (entries.length && entries[0]!.seq <= upTo) entries.shift();
    },
  };
}

const outcome = (status: RunStatus): RunOutcome => ({ record: { status } as JournalRecord, plan: null });

describe('run worker: every trigger through the queue, the outbox acknowledged only after a covering run', () => {
  let dir: string;
  let queue: RunQueue;
  let worker: RunWorker | null = null;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-worker-'));
    queue = openSqliteRunQueue(path.join(dir, 'store.db'));
  });
  afterEach(async () => {
    await worker?.close();
    await queue.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (run: (o: RunOptions) => Promise<RunOutcome>, outbox = memoryOutbox()) => {
    worker = createRunWorker({
      queue,
      target: TARGET,
      run,
      outboxes: [outbox],
      logger: pino({ level: 'silent' }),
      retryMs: 5,
    });
    return worker;
  };

  it('retries a run that meets the lock until it runs, never dropping it', async () => {
    const runs: RunOptions[] = [];
    const w = start(async (o) => {
      runs.push(o);
      if (runs.length < 4) throw new RunInProgressError();
      return outcome('succeeded');
    });
    await w.trigger({ trigger: 'scim', scope: ['a@x.io'] });
    await w.settled();
    expect(runs.map((r) => r.scope)).toEqual([['a@x.io'], ['a@x.io'], ['a@x.io'], ['a@x.io']]);
    expect(await queue.state(TARGET)).toEqual({ active: null, pending: null });
  });

  it("runs the outbox's users and acknowledges them only once a run covering them is journaled as applied", async () => {
    const outbox = memoryOutbox();
    outbox.push('a@x.io');
    outbox.push('b@x.io', 'c@x.io');
    const statuses: RunStatus[] = ['failed', 'partial', 'succeeded'];
    const runs: RunOptions[] = [];
    const w = start(async (o) => {
      runs.push(o);
      // the entries are still there while the run is going on
      expect(outbox.entries).toHaveLength(2);
      return outcome(statuses[runs.length - 1]!);
    }, outbox);
    await w.drainOutbox();
    await w.settled();
    expect(runs).toHaveLength(3);
    for (const r of runs) expect(r).toMatchObject({ trigger: 'scim', scope: ['a@x.io', 'b@x.io', 'c@x.io'] });
    expect(outbox.entries).toEqual([]);
  });

  it('leaves an entry pushed during a run for the next run', async () => {
    const outbox = memoryOutbox();
    outbox.push('a@x.io');
    const runs: RunOptions[] = [];
    const w = start(async (o) => {
      runs.push(o);
      if (runs.length === 1) outbox.push('late@x.io');
      return outcome('succeeded');
    }, outbox);
    await w.drainOutbox();
    await w.settled();
    expect(runs.map((r) => r.scope)).toEqual([['a@x.io'], ['late@x.io']]);
    expect(outbox.entries).toEqual([]);
  });

  it('coalesces what comes during a run into one next run; a full run covers the outbox too', async () => {
    const outbox = memoryOutbox();
    const runs: RunOptions[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const w = start(async (o) => {
      runs.push(o);
      if (runs.length === 1) await gate;
      return outcome('succeeded');
    }, outbox);
    await w.trigger({ trigger: 'api', scope: ['first@x.io'] });
    while (runs.length === 0) await new Promise((r) => setTimeout(r, 5));
    outbox.push('p@x.io');
    await w.drainOutbox();
    await w.trigger({ trigger: 'schedule', scope: null });
    await w.trigger({ trigger: 'scim', scope: ['q@x.io'] });
    release();
    await w.settled();
    expect(runs.map((r) => [r.trigger, r.scope])).toEqual([
      ['api', ['first@x.io']],
      ['schedule', null],
    ]);
    expect(outbox.entries).toEqual([]);
  });

  it('takes up, after a restart, the run a killed worker had claimed', async () => {
    const outbox = memoryOutbox();
    outbox.push('a@x.io');
    const past = new Date(Date.now() - 120_000);
    await queue.enqueue(TARGET, { trigger: 'scim', scope: [] }, { now: past });
    expect(await queue.claim(TARGET, 'host:1:dead', { now: past, staleMs: 60_000 })).not.toBeNull();
    const runs: RunOptions[] = [];
    const w = start(async (o) => {
      runs.push(o);
      return outcome('succeeded');
    }, outbox);
    await w.settled();
    expect(runs.map((r) => r.scope)).toEqual([['a@x.io']]);
    expect(outbox.entries).toEqual([]);
  });

  it("replaces a dead worker's lease within 30 s from an idle worker, and never a live one's however long it runs", async () => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00Z') });
    try {
      // worker A's run goes on until released; once A "dies" its heartbeats stop, as a SIGKILL stops them
      let dead = false;
      let finishA: (o: RunOutcome) => void = () => undefined;
      const aQueue: RunQueue = {
        ...queue,
        heartbeat: (...args) => (dead ? new Promise<void>(() => undefined) : queue.heartbeat(...args)),
      };
      const silent = pino({ level: 'silent' });
      const a = createRunWorker({
        queue: aQueue,
        target: TARGET,
        run: () => new Promise<RunOutcome>((resolve) => (finishA = resolve)),
        outboxes: [],
        logger: silent,
      });
      const startedB: number[] = [];
      const b = createRunWorker({
        queue,
        target: TARGET,
        run: async () => {
          startedB.push(Date.now());
          return outcome('succeeded');
        },
        outboxes: [],
        logger: silent,
      });
      await a.trigger({ trigger: 'api', scope: null });
      await vi.advanceTimersByTimeAsync(0);
      expect((await queue.state(TARGET)).active).not.toBeNull();
      // ten minutes of a live run: B (never triggered itself) keeps looking and never takes it
      await vi.advanceTimersByTimeAsync(600_000);
      expect(startedB).toEqual([]);
      dead = true;
      const diedAt = Date.now();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(startedB).toHaveLength(1);
      expect(startedB[0]! - diedAt).toBeGreaterThan(LEASE_STALE_MS - 5_000);
      expect(startedB[0]! - diedAt).toBeLessThanOrEqual(30_000);
      finishA(outcome('succeeded'));
      await vi.advanceTimersByTimeAsync(0);
      await a.close();
      await b.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
