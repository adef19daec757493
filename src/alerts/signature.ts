import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the timestamp and HMAC of a webhook delivery. */
export const SIGNATURE_HEADER = 'X-Heap-Access-Sync-Signature';
/** Receivers reject deliveries signed longer ago than this, so a captured request cannot be replayed later. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, rawBody: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');

/**
 * The value of the `X-Heap-Access-Sync-Signature` header (Stripe-style): `t=<unix seconds>,v1=<hex>` where
 * `<hex>` is HMAC-SHA256 keyed with the shared secret over `"<t>.<raw request body>"`.
 */
export const signWebhookBody = (secret: string, rawBody: string, timestampSeconds: number): string =>
  `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;

function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    // several v1 values let a sender sign with an old and a new secret while rotating
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * Verifies a webhook delivery as a receiver must: recompute the HMAC over the RAW body bytes received (not a
 * re-serialized JSON), compare in constant time, and reject timestamps more than `toleranceSeconds` away from now.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, rawBody), 'hex');
  return parsed.signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}
