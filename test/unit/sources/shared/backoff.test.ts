import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../../src/sources/shared/backoff.js';
import { mapWithConcurrency } from '../../../../src/sources/shared/map-with-concurrency.js';

describe('backoffDelayMs', () => {
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws uniformly below an exponentially growing, capped ceiling', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelayMs(policy, attempt, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(400);
  });
});

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(result).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('rejects on the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});
