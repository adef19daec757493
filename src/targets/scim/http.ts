import type { Logger } from 'pino';
import type { WriteBudget } from './write-budget.js';

export interface ScimResponse {
  status: number;
  body: unknown;
  headers: Headers;
  /** an earlier attempt of this call may have reached Heap (it timed out or lost its connection after sending) */
  uncertain: boolean;
}

/** The header naming the run a write belongs to, so Heap (the stand-in) can tell the writes of two runs apart. */
export const RUN_HEADER = 'X-Heap-Access-Sync-Run';

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
  /** paces writes (every method but GET); unset: unpaced */
  budget?: WriteBudget;
  /** the variable the token came from, named when Heap refuses it */
  tokenEnv?: string;
}

/** Every attempt failed with a retryable outcome (429, 5xx, timeout, network). */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly status: number | undefined,
    message: string,
    override readonly cause?: unknown,
    /** some attempt may have reached Heap: a time-out or a connection lost after the request was sent */
    readonly uncertain = false,
  ) {
    super(message);
    this.name = 'RetriesExhaustedError';
  }
}

/** A call the caller aborted (its signal) while it was on the wire: Heap may or may not have applied it. */
export class CallAbortedError extends Error {
  constructor(
    readonly sent: boolean,
    override readonly cause?: unknown,
  ) {
    super(sent ? 'aborted while the request was in flight' : 'aborted before the request was sent');
    this.name = 'CallAbortedError';
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

  async function attempt(
    method: string,
    url: string,
    body: unknown,
    signal: AbortSignal | undefined,
    runId: string | undefined,
  ): Promise<Omit<ScimResponse, 'uncertain'>> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    stats.requests++;
    const res = await options.fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: 'application/scim+json, application/json',
        ...(body !== undefined && { 'content-type': 'application/scim+json' }),
        ...(runId !== undefined && { [RUN_HEADER]: runId }),
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
    init: { body?: unknown; query?: Record<string, string | number>; signal?: AbortSignal; runId?: string } = {},
  ): Promise<ScimResponse> {
    const write = method !== 'GET';
    let uncertain = false;
    // %20 rather than URLSearchParams' "+": not every SCIM server decodes "+" in a filter as a space
    const query = Object.entries(init.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const url = `${base}${path}${query ? `?${query}` : ''}`;
    const shown = `${path}${
      init.query
        ? `?${Object.entries(init.query)
            .map(([k, v]) => `${k}=${v}`)
            .join('&')}`
        : ''
    }`;
    let last: { status?: number; error?: unknown } = {};
    for (let n = 0; n <= options.retries; n++) {
      if (n > 0) stats.retries++;
      let wait: number | null = null;
      if (write && options.budget) {
        try {
          await options.budget.take(init.signal);
        } catch (err) {
          throw init.signal?.aborted ? new CallAbortedError(uncertain, err) : err;
        }
      }
      try {
        const res = await attempt(method, url, init.body, init.signal, init.runId);
        if (res.status === 429) options.budget?.throttle(retryAfterMs(res.headers.get('retry-after')));
        else if (write && res.status < 400) options.budget?.succeeded();
        if (!isRetryableStatus(res.status)) return { ...res, uncertain };
        last = { status: res.status };
        wait = res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null;
      } catch (err) {
        if (init.signal?.aborted) throw new CallAbortedError(true, err);
        if (write && mayHaveArrived(err)) uncertain = true;
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
      try {
        await sleep(delay, init.signal);
      } catch (err) {
        throw new CallAbortedError(uncertain, err);
      }
    }
    const attempts = options.retries + 1;
    const reason = last.status !== undefined ? `HTTP ${last.status}` : describe(last.error, options.timeoutMs);
    throw new RetriesExhaustedError(
      attempts,
      last.status,
      `${method} ${shown}: ${reason} after ${attempts} attempt(s)`,
      last.error,
      uncertain,
    );
  }

  const tokenEnv = options.tokenEnv ?? 'HEAP_SCIM_TOKEN';
  return {
    request,
    stats: (): ScimHttpStats => ({ ...stats }),
    timeoutMs: options.timeoutMs,
    /** which system failed, for every error message: "Heap SCIM at http://…/scim/v2" */
    origin: `Heap SCIM at ${base}`,
    /** an error answer in words, with what to check when Heap refused the token */
    explain: (res: ScimResponse): string =>
      `${errorDetail(res)}${res.status === 401 || res.status === 403 ? ` (check ${tokenEnv})` : ''}`,
  };
}

/** Error codes that mean the request never left this machine, so Heap cannot have applied it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

const codeOf = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
};

/** A failed attempt whose request may have reached Heap: a time-out, a reset, anything but "never connected". */
export function mayHaveArrived(err: unknown): boolean {
  const code = codeOf(err);
  return code === undefined || !NOT_SENT.has(code);
}

const PLAIN: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
};

/** A transport failure in plain words: "connection refused", "no answer within 15000 ms". */
export function describe(err: unknown, timeoutMs?: number): string | undefined {
  if (err === undefined) return undefined;
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return timeoutMs ? `no answer within ${timeoutMs} ms (timed out)` : 'timed out';
    const code = codeOf(err);
    if (code && PLAIN[code]) return PLAIN[code];
    return code ? `${err.message} (${code})` : err.message;
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
