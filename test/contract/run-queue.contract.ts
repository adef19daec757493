import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunQueue } from '../../src/ports/run-queue.js';

/** A queue under test, over data of its own. */
export interface RunQueueFixture {
  queue: RunQueue;
  /** opens another queue over the same data: after a restart, or another replica */
  reopen(): Promise<RunQueue>;
  /** removes the data; the suite has closed every queue it opened by then */
  cleanup(): Promise<void>;
}

export type OpenRunQueueFixture = (name: string) => Promise<RunQueueFixture>;

const T = 'target:heap';
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
const STALE = 60_000;

/** The suite every RunQueue implementation runs (SQLite and PostgreSQL), each part on every one. */
export function runRunQueueContract(name: string, openFixture: OpenRunQueueFixture): void {
  describe(`RunQueue contract: ${name}`, () => {
    let fixture: RunQueueFixture;
    let queue: RunQueue;
    const opened: RunQueue[] = [];
    const reopen = async () => {
      const q = await fixture.reopen();
      opened.push(q);
      return q;
    };

    beforeEach(async (ctx) => {
      fixture = await openFixture(ctx.task.name);
      queue = fixture.queue;
    });
    afterEach(async () => {
      for (const q of [queue, ...opened.splice(0)]) await q.close();
      await fixture.cleanup();
    });

    it('coalesces triggers into the one pending run: scopes unite, a full run absorbs every scope', async () => {
      const first = await queue.enqueue(T, { trigger: 'scim', scope: ['b@x.io', 'a@x.io'] }, { now: at(0) });
      const second = await queue.enqueue(T, { trigger: 'scim', scope: ['c@x.io', 'a@x.io'] }, { now: at(10) });
      expect(second.id).toBe(first.id);
      expect(second.scope).toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
      expect(second.triggers).toEqual(['scim']);
      expect(second.enqueuedAt).toBe(at(0).toISOString());
      const full = await queue.enqueue(T, { trigger: 'schedule', scope: null }, { now: at(20) });
      expect(full.scope).toBeNull();
      expect(full.triggers).toEqual(['scim', 'schedule']);
      const after = await queue.enqueue(T, { trigger: 'scim', scope: ['d@x.io'] }, { now: at(30) });
      expect(after.scope).toBeNull();
      expect((await queue.state(T)).pending?.id).toBe(first.id);
    });

    it('keeps the debounce: due a window after the first push, not delayed by later ones, due now for a schedule', async () => {
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0), debounceMs: 500 });
      await queue.enqueue(T, { trigger: 'scim', scope: ['b@x.io'] }, { now: at(400), debounceMs: 500 });
      expect((await queue.state(T)).pending?.dueAt).toBe(at(500).toISOString());
      expect(await queue.claim(T, 'w1', { now: at(499), staleMs: STALE })).toBeNull();
      const run = await queue.claim(T, 'w1', { now: at(500), staleMs: STALE });
      expect(run?.scope).toEqual(['a@x.io', 'b@x.io']);

      await queue.enqueue('target:other', { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0), debounceMs: 500 });
      await queue.enqueue('target:other', { trigger: 'api', scope: null }, { now: at(100) });
      expect((await queue.claim('target:other', 'w1', { now: at(100), staleMs: STALE }))?.triggers).toEqual([
        'scim',
        'api',
      ]);
    });

    it('runs one at a time per target: a trigger during a run waits as the pending run', async () => {
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0) });
      const active = await queue.claim(T, 'w1', { now: at(0), staleMs: STALE });
      expect(active).not.toBeNull();
      await queue.enqueue(T, { trigger: 'scim', scope: ['b@x.io'] }, { now: at(10) });
      expect(await queue.claim(T, 'w2', { now: at(20), staleMs: STALE })).toBeNull();
      const state = await queue.state(T);
      expect(state.active).toMatchObject({ id: active!.id, worker: 'w1', scope: ['a@x.io'] });
      expect(state.pending?.scope).toEqual(['b@x.io']);
      // another target is not held up
      await queue.enqueue('target:other', { trigger: 'api', scope: null }, { now: at(10) });
      expect(await queue.claim('target:other', 'w2', { now: at(20), staleMs: STALE })).not.toBeNull();

      await queue.complete(T, active!.id, 'w1');
      const next = await queue.claim(T, 'w2', { now: at(30), staleMs: STALE });
      expect(next?.scope).toEqual(['b@x.io']);
      await queue.complete(T, next!.id, 'w2');
      expect(await queue.state(T)).toEqual({ active: null, pending: null });
    });

    it('puts a run back, never drops it: it joins the pending run, due after the delay, one attempt more', async () => {
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0) });
      const run = await queue.claim(T, 'w1', { now: at(0), staleMs: STALE });
      await queue.enqueue(T, { trigger: 'schedule', scope: ['b@x.io'] }, { now: at(5) });
      await queue.release(T, run!.id, 'w1', { now: at(10), delayMs: 1_000 });
      const { active, pending } = await queue.state(T);
      expect(active).toBeNull();
      expect(pending).toMatchObject({
        triggers: ['scim', 'schedule'],
        scope: ['a@x.io', 'b@x.io'],
        attempts: 1,
        dueAt: at(1_010).toISOString(),
        enqueuedAt: at(0).toISOString(),
      });
      expect(await queue.claim(T, 'w1', { now: at(1_009), staleMs: STALE })).toBeNull();
      const again = await queue.claim(T, 'w1', { now: at(1_010), staleMs: STALE });
      expect(again?.attempts).toBe(1);
      // put back alone, it keeps its id
      await queue.release(T, again!.id, 'w1', { now: at(1_010), delayMs: 0 });
      expect((await queue.state(T)).pending).toMatchObject({ id: again!.id, attempts: 2 });
    });

    it("takes back a dead worker's run: the run is done again, the old worker can no longer act on it", async () => {
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0) });
      const run = await queue.claim(T, 'w1', { now: at(0), staleMs: STALE });
      await queue.heartbeat(T, run!.id, 'w1', at(50_000));
      expect(await queue.claim(T, 'w2', { now: at(100_000), staleMs: STALE })).toBeNull();
      const taken = await queue.claim(T, 'w2', { now: at(110_001), staleMs: STALE });
      expect(taken).toMatchObject({ scope: ['a@x.io'], attempts: 1 });
      await expect(queue.heartbeat(T, run!.id, 'w1', at(110_002))).rejects.toThrow();
      await queue.complete(T, run!.id, 'w1');
      await queue.release(T, run!.id, 'w1', { now: at(110_003), delayMs: 0 });
      expect((await queue.state(T)).active).toMatchObject({ worker: 'w2' });
      await queue.heartbeat(T, taken!.id, 'w2', at(110_004));
    });

    it('is durable: a pending and an active run survive a restart', async () => {
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0) });
      const run = await queue.claim(T, 'w1', { now: at(0), staleMs: STALE });
      await queue.enqueue(T, { trigger: 'scim', scope: ['b@x.io'] }, { now: at(1) });
      await queue.close();
      const again = await reopen();
      const state = await again.state(T);
      expect(state.active?.id).toBe(run!.id);
      expect(state.pending?.scope).toEqual(['b@x.io']);
      const taken = await again.claim(T, 'w2', { now: at(STALE + 1), staleMs: STALE });
      expect(taken?.scope).toEqual(['a@x.io', 'b@x.io']);
    });

    it('lets only one of two queues over the same data claim a run', async () => {
      const other = await reopen();
      await queue.enqueue(T, { trigger: 'scim', scope: ['a@x.io'] }, { now: at(0) });
      const claims = await Promise.all([
        queue.claim(T, 'w1', { now: at(0), staleMs: STALE }),
        other.claim(T, 'w2', { now: at(0), staleMs: STALE }),
      ]);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    });
  });
}
