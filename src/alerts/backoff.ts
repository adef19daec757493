export interface RetryOptions {
  /** total tries per alert per sink, the first included */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 1_000, maxMs: 60_000 };

/**
 * Delay before try `attempt + 1`: exponential, capped, with "equal jitter" (half fixed, half random) so sinks
 * that failed together do not retry in lockstep, while the delay still grows.
 */
export function computeBackoff(attempt: number, retry: RetryOptions, random: () => number = Math.random): number {
  const exponential = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempt - 1));
  return exponential / 2 + random() * (exponential / 2);
}
