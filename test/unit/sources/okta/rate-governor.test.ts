import { describe, expect, it } from 'vitest';
import type { PauseInfo } from '../../../../src/sources/okta/rate-governor.js';
import { bucketOfUrl, RateGovernor, readRateLimitHeaders } from '../../../../src/sources/okta/rate-governor.js';

/** A governor on a hand-driven clock: sleeping advances time instantly. */
function governed(reserveFraction = 0.1) {
  let now = 1_700_000_000_000;
  const pauses: PauseInfo[] = [];
  const governor = new RateGovernor({
    reserveFraction,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    onPause: (p) => pauses.push(p),
  });
  const reading = (remaining: number, limit = 100, resetInMs = 30_000) => ({
    limit,
    remaining,
    resetEpochSeconds: Math.ceil((now + resetInMs) / 1000),
    serverDateMs: Math.floor(now / 1000) * 1000,
  });
  return { governor, pauses, reading, clock: () => now };
}

describe('RateGovernor', () => {
  it('lets requests through while nothing is known', async () => {
    const { governor, pauses } = governed();
    for (let i = 0; i < 50; i += 1) (await governor.acquire('/api/v1/groups'))();
    expect(pauses).toEqual([]);
  });

  it('waits for the reset once what remains reaches the reserve, and not before', async () => {
    const { governor, pauses, reading, clock } = governed();
    const start = clock();
    governor.observe('b', reading(11));
    (await governor.acquire('b'))();
    expect(pauses).toHaveLength(0);
    governor.observe('b', reading(10));
    const release = await governor.acquire('b');
    release();
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toMatchObject({ bucket: 'b', remaining: 10, limit: 100 });
    expect(clock() - start).toBeGreaterThanOrEqual(30_000);
  });

  it('counts requests in flight, whose answers have not lowered `remaining` yet', async () => {
    const { governor, pauses, reading } = governed();
    governor.observe('b', reading(13));
    // 13 left, 10 kept in reserve: three may be in flight at once, the fourth waits
    const held = [await governor.acquire('b'), await governor.acquire('b'), await governor.acquire('b')];
    expect(pauses).toHaveLength(0);
    await governor.acquire('b');
    expect(pauses).toHaveLength(1);
    held.forEach((release) => release());
  });

  it('keeps the lowest count of a window when answers arrive out of order, and ignores stale windows', async () => {
    const { governor, pauses, reading } = governed();
    const window = reading(50);
    governor.observe('b', window);
    governor.observe('b', { ...window, remaining: 5 });
    governor.observe('b', { ...window, remaining: 40 });
    governor.observe('b', { ...window, remaining: 90, resetEpochSeconds: window.resetEpochSeconds - 60 });
    await governor.acquire('b');
    expect(pauses).toHaveLength(1);
  });

  it('keeps buckets apart', async () => {
    const { governor, pauses, reading } = governed();
    governor.observe('/api/v1/groups', reading(1));
    await governor.acquire('/api/v1/groups/*/users');
    expect(pauses).toHaveLength(0);
  });

  it("uses the answer's Date header, not our clock, to time the reset", async () => {
    const { governor, reading, clock } = governed();
    // Okta's clock is 10 minutes ahead of ours: the window still ends 30 s after the answer
    const r = reading(1);
    governor.observe('b', {
      ...r,
      resetEpochSeconds: r.resetEpochSeconds + 600,
      serverDateMs: (r.serverDateMs ?? 0) + 600_000,
    });
    const before = clock();
    await governor.acquire('b');
    expect(clock() - before).toBeLessThanOrEqual(31_000);
  });

  it('stops waiting when the read is aborted', async () => {
    const governor = new RateGovernor({ now: () => 0 });
    governor.observe('b', { limit: 10, remaining: 0, resetEpochSeconds: 3600, serverDateMs: 0 });
    const controller = new AbortController();
    const waiting = governor.acquire('b', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('readRateLimitHeaders', () => {
  it('reads the three X-Rate-Limit headers and the Date', () => {
    const headers: Record<string, string> = {
      'x-rate-limit-limit': '600',
      'x-rate-limit-remaining': '598',
      'x-rate-limit-reset': '1700000060',
      date: 'Tue, 14 Nov 2023 22:13:20 GMT',
    };
    expect(readRateLimitHeaders((n) => headers[n] ?? null)).toEqual({
      limit: 600,
      remaining: 598,
      resetEpochSeconds: 1700000060,
      serverDateMs: Date.parse('Tue, 14 Nov 2023 22:13:20 GMT'),
    });
  });

  it('is null without them (5xx from a proxy, for example)', () => {
    expect(readRateLimitHeaders(() => null)).toBeNull();
  });
});

describe('bucketOfUrl', () => {
  it('replaces ids so all groups share the member-list bucket', () => {
    expect(bucketOfUrl('https://acme.okta.com/api/v1/groups/00g1/users?limit=1000&after=00u9')).toBe(
      '/api/v1/groups/*/users',
    );
    expect(bucketOfUrl('https://acme.okta.com/api/v1/groups?search=x')).toBe('/api/v1/groups');
  });
});
