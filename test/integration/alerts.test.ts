import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertDispatcher, type DeliveryReport } from '../../src/alerts/dispatcher.js';
import { driftDetected } from '../../src/alerts/events.js';
import { SinkResponseError } from '../../src/alerts/post-json.js';
import { createSlackSink } from '../../src/alerts/slack-sink.js';
import { createWebhookSink } from '../../src/alerts/webhook-sink.js';
import { UpstreamError } from '../../src/domain/errors.js';
import type { AlertSink } from '../../src/ports/alert-sink.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { FAST_RETRY, alert, driftItem, memoryAlertStore } from '../unit/alerts/builders.js';

const secret = 'whsec-integration';
const open: { close(): Promise<void> }[] = [];

async function receiver(): Promise<AlertReceiver> {
  const r = await startAlertReceiver({ secret });
  open.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

/** A URL nothing listens on: a port that was just released. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/webhook`;
}

describe('webhook sink against a loopback receiver', () => {
  it('delivers a signed JSON body the receiver verifies', async () => {
    const r = await receiver();
    const a = alert({ key: 'run-failed:r1', runId: 'r1' });

    await createWebhookSink({ url: r.webhookUrl, secret }).send(a);

    expect(r.rejected).toBe(0);
    expect(r.deliveries).toHaveLength(1);
    const [delivery] = r.deliveries;
    expect(delivery?.body).toEqual({
      key: a.key,
      event: a.event,
      severity: a.severity,
      summary: a.summary,
      details: a.details,
      runId: 'r1',
      at: a.at,
    });
    expect(delivery?.headers['user-agent']).toMatch(/^heap-access-sync/);
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['x-heap-access-sync-event']).toBe('run-failed');
    expect(delivery?.headers['x-heap-access-sync-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('throws a non-retryable error when the receiver rejects the signature', async () => {
    const r = await receiver();
    const send = createWebhookSink({ url: r.webhookUrl, secret: 'not-the-secret' }).send(alert());
    await expect(send).rejects.toMatchObject({ name: 'UpstreamError', status: 401, retryable: false });
    expect(r.rejected).toBe(1);
    expect(r.deliveries).toEqual([]);
  });

  it('throws a retryable error on connection refused, without the URL in the message', async () => {
    const url = await deadUrl();
    const err: unknown = await createWebhookSink({ url, secret })
      .send(alert())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).not.toContain('127.0.0.1');
  });

  it('is retried by the dispatcher after failures, then delivered once with a stable delivery id', async () => {
    const r = await receiver();
    r.failNext(2, 503);
    const reports: DeliveryReport[] = [];
    const dispatcher = createAlertDispatcher({
      sinks: [createWebhookSink({ url: r.webhookUrl, secret })],
      store: memoryAlertStore(),
      retry: FAST_RETRY,
      onDelivery: (d) => reports.push(d),
    });

    await dispatcher.enqueue([alert()]);
    await dispatcher.drain();

    expect(r.requests).toHaveLength(3);
    expect(r.deliveries).toHaveLength(1);
    expect(new Set(r.requests.map((q) => q.headers['x-heap-access-sync-delivery'])).size).toBe(1);
    expect(reports).toEqual([{ sink: 'webhook', event: 'run-failed', ok: true, attempts: 3 }]);
  });
});

describe('slow and dead sinks', () => {
  it('neither delays enqueue nor the other sink', async () => {
    const good = await receiver();
    const stalled = await receiver();
    stalled.stall();
    const order: string[] = [];
    let goodDone: () => void = () => undefined;
    const goodDelivered = new Promise<void>((resolve) => (goodDone = resolve));
    const sinks: AlertSink[] = [
      createWebhookSink({ url: await deadUrl(), secret, name: 'dead' }),
      createWebhookSink({ url: stalled.webhookUrl, secret, name: 'stalled', timeoutMs: 600_000 }),
      createWebhookSink({ url: good.webhookUrl, secret, name: 'good' }),
    ];
    // a long backoff keeps the dead sink retrying (not finished) while the good one delivers
    const dispatcher = createAlertDispatcher({
      sinks,
      store: memoryAlertStore(),
      retry: { attempts: 5, baseMs: 600_000, maxMs: 600_000 },
      onDelivery: (d) => {
        order.push(`${d.sink}:${d.ok ? 'ok' : 'failed'}`);
        if (order.filter((o) => o === 'good:ok').length === 2) goodDone();
      },
    });

    const returned = await dispatcher.enqueue([alert({ key: 'k1' }), alert({ key: 'k2' })]);
    expect(returned).toBeUndefined();
    expect(order).toEqual([]);

    await goodDelivered;
    await stalled.waitFor(() => stalled.stalled === 1);
    expect(order).toEqual(['good:ok', 'good:ok']);
    expect(dispatcher.pending()).toMatchObject({ dead: 2, stalled: 2 });

    await dispatcher.close(1);
    await dispatcher.drain();
    expect(order.slice(2).sort()).toEqual(['dead:failed', 'dead:failed', 'stalled:failed', 'stalled:failed']);
    expect(good.deliveries.map((d) => (d.body as { key: string }).key)).toEqual(['k1', 'k2']);
  });
});

describe('slack sink against a loopback receiver', () => {
  it('posts a Slack-compatible body with the drift item', async () => {
    const r = await receiver();
    const a = driftDetected(driftItem(), 'run-3', new Date('2025-01-01T12:00:00.000Z'));

    await createSlackSink({ url: r.slackUrl }).send(a);

    expect(r.slackBodies).toHaveLength(1);
    const body = r.slackBodies[0] as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string } }[];
    };
    expect(body.text).toBe(a.summary);
    expect(body.blocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
    const details = body.blocks[1]?.text;
    expect(details?.type).toBe('mrkdwn');
    for (const part of [
      'alice@example.com',
      'project:web-prod',
      'Member → Admin',
      '*Desired:* Member',
      '*Action:* revert',
      'Heap Prod Admins',
    ]) {
      expect(details?.text).toContain(part);
    }
  });

  it('carries the receiver’s Retry-After when Slack rate-limits', async () => {
    const r = await receiver();
    r.failNext(1, 429, { 'retry-after': '2' });
    const err: unknown = await createSlackSink({ url: r.slackUrl })
      .send(alert())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkResponseError);
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
  });

  it('throws when Slack refuses, without leaking the webhook URL', async () => {
    const r = await receiver();
    r.failNext(1, 404);
    const err: unknown = await createSlackSink({ url: r.slackUrl })
      .send(alert())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UpstreamError', status: 404, retryable: false });
    expect((err as Error).message).not.toContain(r.slackUrl);
  });
});

describe('drift alerts end to end', () => {
  it('one webhook delivery per drift item across runs, then a resolution', async () => {
    const r = await receiver();
    const slack = await receiver();
    const dispatcher = createAlertDispatcher({
      sinks: [createWebhookSink({ url: r.webhookUrl, secret }), createSlackSink({ url: slack.slackUrl })],
      store: memoryAlertStore(),
      retry: FAST_RETRY,
    });
    const bob = driftItem({ user: 'bob@example.com', entitlement: 'org' });

    for (const runId of ['r1', 'r2', 'r3']) {
      await dispatcher.reconcileDrift([driftItem(), bob], runId);
      await dispatcher.drain();
    }
    await dispatcher.reconcileDrift([bob], 'r4');
    await dispatcher.drain();

    const received = r.deliveries.map((d) => d.body as { event: string; key: string; runId: string });
    expect(received.map((b) => `${b.event} ${b.key} ${b.runId}`)).toEqual([
      'drift-detected drift:alice@example.com:project:web-prod r1',
      'drift-detected drift:bob@example.com:org r1',
      'drift-resolved drift:alice@example.com:project:web-prod r4',
    ]);
    expect(slack.slackBodies).toHaveLength(3);
    await dispatcher.close();
  });
});
