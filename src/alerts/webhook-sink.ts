import { createHash } from 'node:crypto';
import type { Alert, AlertSink } from '../ports/alert-sink.js';
import { postJson } from './post-json.js';
import { SIGNATURE_HEADER, signWebhookBody } from './signature.js';

export interface WebhookSinkOptions {
  url: string;
  /** shared secret; without it deliveries are unsigned */
  secret?: string;
  timeoutMs?: number;
  /** sink name in logs and metrics; give each webhook its own when there are several */
  name?: string;
  /** clock for the signature timestamp */
  now?: () => Date;
}

export const USER_AGENT = 'heap-access-sync-alerts/1';
export const EVENT_HEADER = 'X-Heap-Access-Sync-Event';
export const DELIVERY_HEADER = 'X-Heap-Access-Sync-Delivery';

/** The JSON body of a webhook delivery. */
export interface WebhookPayload {
  key: string;
  event: Alert['event'];
  severity: Alert['severity'];
  summary: string;
  details: Record<string, unknown>;
  runId: string | null;
  at: string;
}

/** Same alert, same id: retries carry the id of the first attempt, so a receiver can drop duplicates. */
export const deliveryId = (alert: Alert): string =>
  createHash('sha256').update(`${alert.key}\n${alert.event}\n${alert.at}`).digest('hex').slice(0, 32);

/**
 * A generic JSON webhook. Each delivery is a POST of {@link WebhookPayload} with headers:
 * - `X-Heap-Access-Sync-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` = HMAC-SHA256(secret, `"<t>.<raw body>"`)
 *   (when a secret is configured). Receivers verify with `verifyWebhookSignature`: recompute over the raw body
 *   bytes, compare in constant time, and reject a `t` more than 5 minutes from their clock (replays).
 * - `X-Heap-Access-Sync-Event: <event>` and `X-Heap-Access-Sync-Delivery: <id>` (stable across retries: deliveries
 *   are at-least-once, so receivers deduplicate on it).
 * A non-2xx answer or a network error throws; the dispatcher retries.
 */
export function createWebhookSink(options: WebhookSinkOptions): AlertSink {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const name = options.name ?? 'webhook';
  return {
    name,
    async send(alert, sendOptions) {
      const payload: WebhookPayload = {
        key: alert.key,
        event: alert.event,
        severity: alert.severity,
        summary: alert.summary,
        details: alert.details,
        runId: alert.runId ?? null,
        at: alert.at,
      };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        [EVENT_HEADER]: alert.event,
        [DELIVERY_HEADER]: deliveryId(alert),
      };
      // signed per attempt: a retry hours later must carry a fresh timestamp to pass the receiver's window
      if (options.secret) headers[SIGNATURE_HEADER] = signWebhookBody(options.secret, body, unixSeconds(now()));
      await postJson({ vendor: name, url: options.url, body, headers, timeoutMs, signal: sendOptions?.signal });
    },
  };
}

const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
