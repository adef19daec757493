import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../shared/backoff.js';
import { backoffDelayMs, sleep } from '../shared/backoff.js';

/** One page of a Graph collection. */
export interface GraphPage {
  value: Record<string, unknown>[];
  nextLink?: string;
  deltaLink?: string;
}

/** The few Graph operations the Entra source needs, with retries, timeouts, abort and a request count. */
export interface GraphApi {
  /** a relative path with query (`/groups?$top=999`) or an absolute next/delta link */
  getPage(pathOrLink: string, signal?: AbortSignal): Promise<GraphPage>;
  getObject(path: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /** network attempts so far, retries included */
  readonly requests: number;
  readonly baseUrl: string;
}

export interface GraphApiOptions {
  baseUrl: string;
  getAccessToken: () => Promise<string>;
  /** retries of 429/503/504 by the SDK's RetryHandler, which honours Retry-After; default 5 */
  throttleRetries: number;
  /** the RetryHandler's wait when Retry-After is absent, in seconds (it backs off exponentially from there) */
  throttleDelaySeconds: number;
  /** our retries of 500, 502, network errors and timeouts, which the RetryHandler leaves alone */
  backoff: BackoffPolicy;
  attemptTimeoutMs: number;
  log: Logger;
}

/** Microsoft Graph errors as thrown by the client (GraphError) or by us. */
export interface GraphFailure {
  statusCode: number;
  code: string | null;
  message: string;
}

export function asGraphFailure(err: unknown): GraphFailure | null {
  if (!(err instanceof Error)) return null;
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  if (typeof statusCode !== 'number') return null;
  const code = (err as { code?: unknown }).code;
  return { statusCode, code: typeof code === 'string' ? code : null, message: err.message };
}

/**
 * The SDK's default chain (auth, retry, redirect, telemetry, fetch) with our AttemptHandler before fetch:
 * it counts every attempt and gives each one a timeout and the read's abort signal. `customHosts` makes the auth
 * handler attach the token to a non-Microsoft host (a sovereign proxy, the loopback fake).
 */
export function createGraphApi(options: GraphApiOptions): GraphApi {
  let requests = 0;
  const attempt: Middleware & { next?: Middleware } = {
    async execute(context: Context) {
      requests += 1;
      // the read's signal arrives as a fetch option; each attempt adds its own timeout
      const timeout = AbortSignal.timeout(options.attemptTimeoutMs);
      const original = context.options;
      const readSignal = original?.signal ?? undefined;
      context.options = { ...original, signal: readSignal ? AbortSignal.any([readSignal, timeout]) : timeout };
      try {
        await attempt.next?.execute(context);
      } finally {
        // the RetryHandler sends the same context again: the next attempt gets a fresh timeout
        context.options = original;
      }
    },
    setNext(next: Middleware) {
      attempt.next = next;
    },
  };
  const chain: Middleware[] = [
    new AuthenticationHandler({ getAccessToken: options.getAccessToken }),
    new RetryHandler(new RetryHandlerOptions(options.throttleDelaySeconds, options.throttleRetries)),
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    attempt,
    new HTTPMessageHandler(),
  ];
  const client = Client.initWithMiddleware({
    baseUrl: options.baseUrl,
    defaultVersion: 'v1.0',
    customHosts: new Set([new URL(options.baseUrl).hostname]),
    // an array: the client links the handlers in order
    middleware: chain,
  });

  async function get(pathOrLink: string, signal: AbortSignal | undefined): Promise<unknown> {
    for (let n = 0; ; n += 1) {
      try {
        const request = client.api(pathOrLink);
        return (await (signal ? request.option('signal', signal) : request).get()) as unknown;
      } catch (err) {
        if (signal?.aborted || n >= options.backoff.retries || !isTransient(err)) throw err;
        const waitMs = backoffDelayMs(options.backoff, n);
        options.log.warn({ attempt: n + 1, waitMs, err: describeGraphError(err) }, 'graph request failed; retrying');
        await sleep(waitMs, signal);
      }
    }
  }

  return {
    baseUrl: options.baseUrl,
    get requests() {
      return requests;
    },
    async getPage(pathOrLink, signal) {
      return toPage(await get(pathOrLink, signal), pathOrLink);
    },
    async getObject(path, signal) {
      const body = await get(path, signal);
      if (!isRecord(body)) throw malformed(path, 'not a JSON object');
      return body;
    },
  };
}

/** 429/503/504 were already retried by the RetryHandler; 500, 502 and failures without an answer are ours. */
function isTransient(err: unknown): boolean {
  const failure = asGraphFailure(err);
  if (!failure) return true;
  return failure.statusCode === -1 || failure.statusCode === 500 || failure.statusCode === 502;
}

function toPage(body: unknown, where: string): GraphPage {
  if (!isRecord(body) || !Array.isArray(body.value)) throw malformed(where, 'no `value` array');
  const value = body.value as unknown[];
  if (!value.every(isRecord)) throw malformed(where, '`value` holds a non-object');
  const nextLink = body['@odata.nextLink'];
  const deltaLink = body['@odata.deltaLink'];
  if (nextLink !== undefined && typeof nextLink !== 'string') throw malformed(where, '@odata.nextLink is not a string');
  if (deltaLink !== undefined && typeof deltaLink !== 'string')
    throw malformed(where, '@odata.deltaLink is not a string');
  return { value, ...(nextLink !== undefined && { nextLink }), ...(deltaLink !== undefined && { deltaLink }) };
}

export class MalformedGraphResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedGraphResponse';
  }
}

function malformed(where: string, why: string): MalformedGraphResponse {
  return new MalformedGraphResponse(
    `malformed Graph response (${why}) for ${where.replace(/\$(skip|delta)token=[^&]+/g, '$$$1token=…')}`,
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describeGraphError(err: unknown): string {
  const failure = asGraphFailure(err);
  if (failure) return `HTTP ${failure.statusCode}${failure.code ? ` ${failure.code}` : ''}: ${failure.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Walks every page from `first`; the result carries the delta link of the last page, if any. */
export async function readAllPages(
  api: GraphApi,
  first: string,
  signal?: AbortSignal,
): Promise<{ items: Record<string, unknown>[]; deltaLink?: string }> {
  const items: Record<string, unknown>[] = [];
  let page = await api.getPage(first, signal);
  for (;;) {
    items.push(...page.value);
    if (!page.nextLink) break;
    page = await api.getPage(page.nextLink, signal);
  }
  return { items, ...(page.deltaLink !== undefined && { deltaLink: page.deltaLink }) };
}
