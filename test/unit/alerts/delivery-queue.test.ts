import { describe, expect, it } from 'vitest';
import { createSinkQueue, type DeliveryOutcome } from '../../../src/alerts/delivery-queue.js';
import { FAST_RETRY, alert, recordingSink } from './builders.js';

describe('sink queue', () => {
  it('delivers a long queue in order, counting what is left, and accepts more while it runs', async () => {
    const sink = recordingSink('s');
    const queue = createSinkQueue({ sink, capacity: 5000, retry: FAST_RETRY, signal: new AbortController().signal });
    const outcomes: DeliveryOutcome[] = [];
    const push = (i: number) => queue.push({ alert: alert({ key: `k${i}` }), settle: (o) => outcomes.push(o) });

    for (let i = 0; i < 3000; i++) expect(push(i)).toBe(true);
    expect(queue.size).toBe(3000);
    await sink.waitForSent(2000);
    for (let i = 3000; i < 3500; i++) push(i);
    await queue.whenIdle();

    expect(queue.size).toBe(0);
    expect(sink.sent.map((a) => a.key)).toEqual(Array.from({ length: 3500 }, (_, i) => `k${i}`));
    expect(outcomes.every((o) => o.ok && o.attempts === 1)).toBe(true);
  });

  it('refuses a job when full, counting only jobs not yet delivered', async () => {
    const sink = recordingSink('s');
    const queue = createSinkQueue({ sink, capacity: 2, retry: FAST_RETRY, signal: new AbortController().signal });
    const job = (key: string) => ({ alert: alert({ key }), settle: () => undefined });
    expect([queue.push(job('a')), queue.push(job('b')), queue.push(job('c'))]).toEqual([true, true, false]);
    await queue.whenIdle();
    expect([queue.push(job('d')), queue.push(job('e'))]).toEqual([true, true]);
    await queue.whenIdle();
    expect(sink.sent.map((a) => a.key)).toEqual(['a', 'b', 'd', 'e']);
  });
});
