import { DefaultRequestExecutor, RequestExecutor } from '@okta/okta-sdk-nodejs';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../shared/backoff.js';
import { backoffDelayMs, sleep } from '../shared/backoff.js';
import type { RateGovernor } from './rate-governor.js';
import { bucketOfUrl, readRateLimitHeaders } from './rate-governor.js';

type OktaRequest = Parameters<DefaultRequestExecutor['fetch']>[0];
type OktaResponse = Awaited<ReturnType<RequestExecutor['fetch']>>;

const sendRaw = RequestExecutor.prototype.fetch;

/**
 * The Okta SDK's executor with three additions around each network attempt: the rate governor (wait before a
 * budget runs out), a per-attempt timeout (a stalled Okta must not hang a run), and retries with backoff and jitter
 * for 5xx answers and network errors, which the SDK does not retry. The SDK's own 429 handling (wait for
 * X-Rate-Limit-Reset, then retry) is kept and its retries pass through here again.
 */
export class PacedRequestExecutor extends DefaultRequestExecutor {
  /** network attempts so far, retries included */
  requests = 0;
  /** the running read's abort signal */
  signal: AbortSignal | undefined;

  constructor(
    private readonly settings: {
      governor: RateGovernor;
      backoff: BackoffPolicy;
      attemptTimeoutMs: number;
      rateLimitRetries: number;
      log: Logger;
    },
  ) {
    super({ maxRetries: settings.rateLimitRetries, requestTimeout: 0 });
  }

  override fetch(request: OktaRequest): Promise<OktaResponse> {
    // as DefaultRequestExecutor.fetch, with every network attempt going through sendWithRetries
    if (!request.startTime) {
      request.startTime = new Date();
      request.timeout = this.requestTimeout;
    }
    return this.sendWithRetries(request).then((res) => this.parseResponse(request, res) as Promise<OktaResponse>);
  }

  private async sendWithRetries(request: OktaRequest): Promise<OktaResponse> {
    const url = request.url ?? '';
    const bucket = bucketOfUrl(url);
    const { governor, backoff, log } = this.settings;
    // the read this request belongs to, even if another read starts meanwhile
    const signal = this.signal;
    for (let attempt = 0; ; attempt += 1) {
      const release = await governor.acquire(bucket, signal);
      let res: OktaResponse;
      try {
        this.requests += 1;
        res = await this.sendOnce(request, signal);
      } catch (err) {
        release();
        if (signal?.aborted || attempt >= backoff.retries) throw err;
        const waitMs = backoffDelayMs(backoff, attempt);
        log.warn({ bucket, attempt: attempt + 1, waitMs, err: describe(err) }, 'okta request failed; retrying');
        await sleep(waitMs, signal);
        continue;
      }
      const reading = readRateLimitHeaders((name) => res.headers.get(name));
      if (reading) governor.observe(bucket, reading);
      release();
      if (res.status < 500 || attempt >= backoff.retries) return res;
      await res.text().catch(() => undefined);
      const waitMs = backoffDelayMs(backoff, attempt);
      log.warn({ bucket, status: res.status, attempt: attempt + 1, waitMs }, 'okta answered 5xx; retrying');
      await sleep(waitMs, signal);
    }
  }

  private sendOnce(request: OktaRequest, readSignal: AbortSignal | undefined): Promise<OktaResponse> {
    const timeout = AbortSignal.timeout(this.settings.attemptTimeoutMs);
    const signal = readSignal ? AbortSignal.any([readSignal, timeout]) : timeout;
    // not enumerable: the SDK deep-copies requests for 429 retries, and a copied AbortSignal is no signal
    Object.defineProperty(request, 'signal', { value: signal, enumerable: false, configurable: true, writable: true });
    return sendRaw.call(this, request);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
