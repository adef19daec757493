import { sleep as defaultSleep } from '../shared/backoff.js';

/** What one Okta answer says about its endpoint's budget (X-Rate-Limit-* and Date headers). */
export interface RateLimitReading {
  limit: number;
  remaining: number;
  /** X-Rate-Limit-Reset: epoch seconds when the window resets, on Okta's clock */
  resetEpochSeconds: number;
  /** the answer's Date header, so Okta's clock and ours need not agree */
  serverDateMs: number | null;
}

export function readRateLimitHeaders(get: (name: string) => string | null): RateLimitReading | null {
  const limit = Number(get('x-rate-limit-limit'));
  const remaining = Number(get('x-rate-limit-remaining'));
  const reset = Number(get('x-rate-limit-reset'));
  if (![limit, remaining, reset].every(Number.isFinite) || get('x-rate-limit-limit') === null) return null;
  const date = Date.parse(get('date') ?? '');
  return { limit, remaining, resetEpochSeconds: reset, serverDateMs: Number.isNaN(date) ? null : date };
}

export interface PauseInfo {
  bucket: string;
  waitMs: number;
  remaining: number;
  limit: number;
}

interface Bucket {
  limit: number;
  remaining: number;
  resetEpoch: number;
  /** on our clock; 0 while nothing is known */
  resetAt: number;
  inFlight: number;
}

/**
 * Keeps each Okta endpoint's budget from running out: a request waits for the window to reset when sending it
 * would leave fewer than `reserveFraction` of the limit (counting requests still in flight, whose answers have not
 * yet lowered `remaining`). The reserve leaves room for the org's other API clients and admins, which share the
 * budget. Buckets are per endpoint, as Okta's are.
 */
export class RateGovernor {
  private readonly buckets = new Map<string, Bucket>();
  private readonly reserveFraction: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onPause: (info: PauseInfo) => void;

  constructor(
    options: {
      reserveFraction?: number;
      now?: () => number;
      sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
      onPause?: (info: PauseInfo) => void;
    } = {},
  ) {
    this.reserveFraction = options.reserveFraction ?? 0.1;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.onPause = options.onPause ?? (() => undefined);
  }

  /** Waits until a request to `bucket` may go; call the returned function once its answer has been observed. */
  async acquire(bucket: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.bucketFor(bucket);
    for (;;) {
      const now = this.now();
      if (now >= state.resetAt || state.remaining - state.inFlight > this.reserveOf(state.limit)) break;
      const waitMs = state.resetAt - now;
      this.onPause({ bucket, waitMs, remaining: state.remaining, limit: state.limit });
      await this.sleep(waitMs, signal);
    }
    state.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
    };
  }

  observe(bucket: string, reading: RateLimitReading): void {
    const state = this.bucketFor(bucket);
    const now = this.now();
    const untilReset = Math.max(0, reading.resetEpochSeconds * 1000 - (reading.serverDateMs ?? now));
    if (reading.resetEpochSeconds > state.resetEpoch) {
      state.limit = reading.limit;
      state.remaining = reading.remaining;
      state.resetEpoch = reading.resetEpochSeconds;
      state.resetAt = now + untilReset;
    } else if (reading.resetEpochSeconds === state.resetEpoch) {
      // answers arrive out of order under concurrency: the lowest count is the latest
      state.remaining = Math.min(state.remaining, reading.remaining);
    }
  }

  private reserveOf(limit: number): number {
    return Math.max(1, Math.ceil(limit * this.reserveFraction));
  }

  private bucketFor(bucket: string): Bucket {
    let state = this.buckets.get(bucket);
    if (!state) {
      state = { limit: 0, remaining: 0, resetEpoch: Number.NEGATIVE_INFINITY, resetAt: 0, inFlight: 0 };
      this.buckets.set(bucket, state);
    }
    return state;
  }
}

/** Okta's buckets are per endpoint: ids in the path are replaced (`/api/v1/groups/{id}/users`). */
export function bucketOfUrl(url: string): string {
  const path = new URL(url).pathname;
  return path
    .split('/')
    .map((segment, i) => (i >= 4 && i % 2 === 0 ? '*' : segment))
    .join('/');
}
