import type { Logger } from 'pino';

export interface ScimResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface ScimHttpOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  retries: number;
  /** first backoff step; doubled per attempt, with jitter */
  retryBaseMs: number;
  /** cap of one wait, Retry-After included */
  maxRetryDelayMs: number;
  fetch: typeof fetch;
  logger?: Logger;
  random?: () => number;
}

/** Every attempt failed with a retryable outcome (429, 5xx, timeout, network). */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly status: number | undefined,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'RetriesExhaustedError';
  }
}

export interface ScimHttpStats {
  requests: number;
  retries: number;
}

export type ScimHttp = ReturnType<typeof createScimHttp>;

const isRetryableStatus = (status: number) => status === 429 || (status >= 500 && status !== 501);

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** "Equal jitter": half the exponential step, plus a random share of the other half. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** attempt);
  return step / 2 + random() * (step / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/**
 * A SCIM client's transport: bearer auth, JSON in and out, and retries of what may succeed later (429 honouring
 * Retry-After, 5xx, a call stalled past `timeoutMs`, a dropped connection). Other statuses go back to the caller.
 * Bodies and tokens never reach the log.
 */
export function createScimHttp(options: ScimHttpOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const random = options.random ?? Math.random;
  const stats: ScimHttpStats = { requests: 0, retries: 0 };

  async function attempt(method: string, url: string, body: unknown, signal?: AbortSignal): Promise<ScimResponse> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    stats.requests++;
    const res = await options.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: 'application/scim+json, application/json',
        ...(body !== undefined && { 'content-type': 'application/scim+json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async function request(
    method: string,
    path: string,
    init: { body?: unknown; query?: Record<string, string | number>; signal?: AbortSignal } = {},
  ): Promise<ScimResponse> {
    // %20 rather than URLSearchParams' "+": not every SCIM server decodes "+" in a filter as a space
    const query = Object.entries(init.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const url = `${base}${path}${query ? `?${query}` : ''}`;
    let last: { status?: number; error?: unknown } = {};
    for (let n = 0; n <= options.retries; n++) {
      if (n > 0) stats.retries++;
      let wait: number | null = null;
      try {
        const res = await attempt(method, url, init.body, init.signal);
        if (!isRetryableStatus(res.status)) return res;
        last = { status: res.status };
        wait = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
      } catch (err) {
        if (init.signal?.aborted) throw err;
        last = { error: err };
      }
      if (n === options.retries) break;
      // Retry-After is a floor; a little jitter on top keeps parallel callers from coming back in lockstep
      const delay = Math.min(
        options.maxRetryDelayMs,
        wait !== null
          ? wait * (1 + random() * 0.1)
          : backoffMs(n, options.retryBaseMs, options.maxRetryDelayMs, random),
      );
      options.logger?.debug(
        { method, path, attempt: n + 1, status: last.status, error: describe(last.error), delayMs: Math.round(delay) },
        'SCIM call failed; retrying',
      );
      await sleep(delay, init.signal);
    }
    const attempts = options.retries + 1;
    const reason = last.status !== undefined ? `HTTP ${last.status}` : describe(last.error);
    throw new RetriesExhaustedError(
      attempts,
      last.status,
      `${method} ${path}: ${reason} after ${attempts} attempt(s)`,
      last.error,
    );
  }

  return { request, stats: (): ScimHttpStats => ({ ...stats }) };
}

function describe(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ? `${err.message} (${cause})` : err.message;
  }
  return String(err);
}

/** The `detail` of a SCIM error body, for messages (never the request body). */
export function errorDetail(res: ScimResponse): string {
  const body = res.body as { detail?: unknown; scimType?: unknown } | undefined;
  const detail = typeof body?.detail === 'string' ? body.detail : '';
  const scimType = typeof body?.scimType === 'string' ? ` [${body.scimType}]` : '';
  return `HTTP ${res.status}${scimType}${detail ? `: ${detail}` : ''}`;
}
