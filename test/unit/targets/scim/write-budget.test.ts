import { describe, expect, it } from 'vitest';
import { createWriteBudget } from '../../../../src/targets/scim/write-budget.js';

/** A clock that only moves when a writer sleeps: the budget's waits become exact, and the test instant. */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

async function sendTimes(budget: ReturnType<typeof createWriteBudget>, clock: { now: () => number }, n: number) {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    await budget.take();
    at.push(clock.now());
  }
  return at;
}

describe('the write budget (token bucket, adaptive on 429)', () => {
  it('lets a burst of one second through, then paces writes at the configured rate', async () => {
    const clock = fakeTime();
    const budget = createWriteBudget({ perSecond: 5, now: clock.now, sleep: clock.sleep });
    const at = await sendTimes(budget, clock, 15);
    expect(at.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // then one every 200 ms: 10 more writes take 2 s
    expect(at[14]).toBe(2000);
    for (let i = 6; i < 15; i++) expect(at[i]! - at[i - 1]!).toBe(200);
  });

  it('halves the rate on a 429, waits out Retry-After, and wins the rate back slowly', async () => {
    const clock = fakeTime();
    const budget = createWriteBudget({ perSecond: 10, now: clock.now, sleep: clock.sleep });
    await sendTimes(budget, clock, 10);
    budget.throttle(3000);
    expect(budget.state()).toMatchObject({ ratePerSecond: 5, throttled: 1, pausedUntil: 3000 });
    await budget.take();
    // nobody writes before Retry-After has passed
    expect(clock.now()).toBeGreaterThanOrEqual(3000);
    const paced = await sendTimes(budget, clock, 3);
    expect(paced[2]! - paced[1]!).toBeGreaterThanOrEqual(180);
    // each success wins back 5% of the ceiling: ten successes take the rate from 5 to the ceiling of 10
    for (let i = 0; i < 9; i++) budget.succeeded();
    expect(budget.state().ratePerSecond).toBeCloseTo(9.5);
    budget.succeeded();
    budget.succeeded();
    expect(budget.state().ratePerSecond).toBe(10);
  });

  it('never falls below its floor however many 429s come', async () => {
    const clock = fakeTime();
    const budget = createWriteBudget({ perSecond: 4, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 20; i++) budget.throttle(null);
    expect(budget.state().ratePerSecond).toBe(0.2);
    expect(budget.state().throttled).toBe(20);
  });

  it('hands out tokens in arrival order to writers waiting at once', async () => {
    const clock = fakeTime();
    const budget = createWriteBudget({ perSecond: 1, now: clock.now, sleep: clock.sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => budget.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
    expect(clock.now()).toBe(2000);
  });

  it('refuses a rate that is not above zero', () => {
    expect(() => createWriteBudget({ perSecond: 0 })).toThrow(/above 0/);
  });
});
