/**
 * How fast we write to Heap. Heap publishes no rate limit, so writes go through a token bucket at a configured
 * rate (a burst of one second's worth), and the rate adapts: a 429 halves it and pauses every writer until its
 * Retry-After, and each write that goes through wins back a small share, so the rate recovers over a few dozen
 * writes rather than slamming back into the limit.
 */
export interface WriteBudgetOptions {
  /** the configured ceiling, writes per second */
  perSecond: number;
  /** never slower than this (writes per second) */
  floorPerSecond?: number;
  /** share of the ceiling a successful write wins back after a slow-down */
  recoveryStep?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WriteBudgetState {
  ratePerSecond: number;
  ceilingPerSecond: number;
  throttled: number;
  pausedUntil: number | null;
}

export type WriteBudget = ReturnType<typeof createWriteBudget>;

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createWriteBudget(options: WriteBudgetOptions) {
  if (!(options.perSecond > 0)) throw new Error('writesPerSecond must be above 0');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const ceiling = options.perSecond;
  const floor = Math.min(ceiling, options.floorPerSecond ?? Math.max(0.2, ceiling / 20));
  const step = (options.recoveryStep ?? 0.05) * ceiling;
  let rate = ceiling;
  let tokens = Math.max(1, ceiling);
  let refilledAt = now();
  let pausedUntil = 0;
  let throttled = 0;
  // writers wait their turn in arrival order: a chain, so no two take the same token
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const t = now();
    if (t <= refilledAt) return;
    tokens = Math.min(Math.max(1, rate), tokens + ((t - refilledAt) / 1000) * rate);
    refilledAt = t;
  };

  const takeOne = async (signal?: AbortSignal) => {
    for (;;) {
      const t = now();
      if (pausedUntil > t) {
        await sleep(pausedUntil - t, signal);
        continue;
      }
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - tokens) / rate) * 1000), signal);
    }
  };

  return {
    /** waits until a write may be sent */
    take(signal?: AbortSignal): Promise<void> {
      const turn = queue.then(() => takeOne(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    /** Heap answered 429: slow down, and nobody writes before `retryAfterMs` has passed */
    throttle(retryAfterMs: number | null): void {
      throttled++;
      refill();
      rate = Math.max(floor, rate / 2);
      pausedUntil = Math.max(pausedUntil, now() + (retryAfterMs ?? 1000 / rate));
      // no burst after the pause: the bucket starts empty when it ends
      tokens = 0;
      refilledAt = pausedUntil;
    },
    /** a write went through: win back a little of the rate */
    succeeded(): void {
      if (rate < ceiling) {
        refill();
        rate = Math.min(ceiling, rate + step);
      }
    },
    state: (): WriteBudgetState => ({
      ratePerSecond: rate,
      ceilingPerSecond: ceiling,
      throttled,
      pausedUntil: pausedUntil > now() ? pausedUntil : null,
    }),
  };
}
