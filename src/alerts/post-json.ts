import { UpstreamError } from '../domain/errors.js';

export interface PostJsonRequest {
  /** names the sink in errors; the URL is never put in an error message because it may carry a token (Slack) */
  vendor: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** A receiver's refusal; `retryAfterMs` is its Retry-After (Slack answers 429 with one when posting too fast). */
export class SinkResponseError extends UpstreamError {
  constructor(
    vendor: string,
    message: string,
    status: number,
    retryable: boolean,
    readonly retryAfterMs: number | null,
  ) {
    super(vendor, message, status, retryable);
    this.name = 'UpstreamError';
  }
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A status worth retrying: the receiver is overloaded or briefly broken, not rejecting what we sent. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

function describeCause(err: unknown): string {
  // fetch wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}

/** POSTs a JSON body; resolves on 2xx, throws `UpstreamError` (with `retryable`; a
 * `SinkResponseError` when the receiver answered) on anything else. */
export async function postJson(request: PostJsonRequest): Promise<void> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      signal,
      redirect: 'error',
    });
  } catch (err) {
    const why = timeout.aborted
      ? `no response within ${request.timeoutMs} ms`
      : `request failed (${describeCause(err)})`;
    throw new UpstreamError(request.vendor, why, undefined, !request.signal?.aborted, err);
  }
  // the body is read (and bounded by the same signal) so the connection can be reused
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const snippet = text.slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new SinkResponseError(
      request.vendor,
      `receiver answered ${response.status}${snippet ? `: ${snippet}` : ''}`,
      response.status,
      isRetryableStatus(response.status),
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
}
