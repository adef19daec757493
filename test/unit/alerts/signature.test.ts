import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../../src/alerts/signature.js';

const secret = 'whsec-test';
const body = JSON.stringify({ key: 'drift:alice@example.com:org', event: 'drift-detected' });
const t = 1_750_000_000;

describe('webhook signatures', () => {
  it('has the Stripe-style shape t=<seconds>,v1=<hex sha256>', () => {
    expect(signWebhookBody(secret, body, t)).toMatch(/^t=1750000000,v1=[0-9a-f]{64}$/);
  });

  it('verifies a signature made with the same secret over the same raw body', () => {
    expect(verifyWebhookSignature(secret, signWebhookBody(secret, body, t), body, t + 10)).toBe(true);
  });

  it('rejects a tampered body', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body.replace('alice', 'mallory'), t)).toBe(false);
  });

  it('rejects a re-serialized body: the HMAC covers the raw bytes', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature(secret, header, JSON.stringify(JSON.parse(body), null, 2), t)).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(verifyWebhookSignature('other-secret', signWebhookBody(secret, body, t), body, t)).toBe(false);
  });

  it('rejects a timestamp older than five minutes, and one too far in the future', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, t + 300)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, t + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, t - 301)).toBe(false);
  });

  it('rejects a changed timestamp with the old signature (the timestamp is signed too)', () => {
    const v1 = signWebhookBody(secret, body, t).split(',')[1];
    expect(verifyWebhookSignature(secret, `t=${t + 60},${v1}`, body, t + 60)).toBe(false);
  });

  it('honours a custom tolerance', () => {
    const header = signWebhookBody(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, t + 30, 10)).toBe(false);
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const oldV1 = signWebhookBody('old-secret', body, t).split(',')[1];
    const header = `${signWebhookBody(secret, body, t)},${oldV1}`;
    expect(verifyWebhookSignature('old-secret', header, body, t)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, t)).toBe(true);
  });

  it.each([undefined, '', 'garbage', `t=${t}`, 'v1=abc', `t=${t},v1=zz`, `t=abc,v1=${'0'.repeat(64)}`])(
    'rejects a malformed header %j',
    (header) => {
      expect(verifyWebhookSignature(secret, header, body, t)).toBe(false);
    },
  );
});
