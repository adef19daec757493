import { describe, expect, it } from 'vitest';
import { computeBackoff } from '../../../src/alerts/backoff.js';
import { parseRetryAfter } from '../../../src/alerts/post-json.js';

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T12:00:00.000Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('backoff', () => {
  const retry = { attempts: 6, baseMs: 100, maxMs: 1000 };

  it('grows exponentially with half of it jittered, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => computeBackoff(n, retry, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => computeBackoff(n, retry, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });
});
