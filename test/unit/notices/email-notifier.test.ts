import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailNotifier, type DeliveryReport } from '../../../src/notices/email-notifier.js';
import { createNoticeMetrics } from '../../../src/notices/notice-metrics.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../fakes/smtp-receiver.js';

const logger = pino({ level: 'silent' });
const notice = { to: 'alice@example.com', subject: 'Your Heap access changed', text: 'Project web-prod: Admin.' };

describe('e-mail notifier over SMTP', () => {
  let smtp: SmtpReceiver | undefined;
  afterEach(async () => smtp?.close());

  it('queues without waiting, retries a temporary refusal, and counts both in the metrics', async () => {
    smtp = await startSmtpReceiver();
    smtp.failNext(1);
    const registry = new Registry();
    const reports: DeliveryReport[] = [];
    const count = createNoticeMetrics(registry);
    const notifier = createEmailNotifier({
      smtpUrl: smtp.url,
      from: 'heap-access@acme.example',
      replyTo: 'it-help@acme.example',
      attempts: 3,
      retryDelayMs: 10,
      logger,
      onDelivery: (r) => {
        reports.push(r);
        count(r);
      },
    });
    notifier.send([notice]);
    // send returned before anything went out: the caller (a sync) is not held up
    expect(notifier.pending).toBe(1);
    const [mail] = await smtp.waitFor(1);
    await notifier.close(5_000);

    expect(smtp.refused).toBe(1);
    expect(mail?.to).toMatchObject({ text: 'alice@example.com' });
    expect(mail?.replyTo).toMatchObject({ text: 'it-help@acme.example' });
    expect(mail?.subject).toBe('Your Heap access changed');
    expect(mail?.text?.trim()).toBe('Project web-prod: Admin.');
    expect(reports).toEqual([{ ok: true, attempts: 2 }]);
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string, outcome?: string) =>
      metrics.find((m) => m.name === name)?.values.find((v) => outcome === undefined || v.labels.outcome === outcome)
        ?.value;
    expect(value('heap_access_sync_notices_total', 'sent')).toBe(1);
    expect(value('heap_access_sync_notice_retries_total')).toBe(1);
  });

  it('gives up on a server that is not there after its attempts, and reports the failure', async () => {
    smtp = await startSmtpReceiver();
    const deadUrl = smtp.url;
    await smtp.close();
    smtp = undefined;
    const reports: DeliveryReport[] = [];
    const notifier = createEmailNotifier({
      smtpUrl: deadUrl,
      from: 'heap-access@acme.example',
      replyTo: 'heap-access@acme.example',
      attempts: 2,
      retryDelayMs: 10,
      logger,
      onDelivery: (r) => reports.push(r),
    });
    notifier.send([notice]);
    while (reports.length === 0) await new Promise((r) => setTimeout(r, 20));
    await notifier.close(1_000);
    expect(reports).toEqual([{ ok: false, attempts: 2 }]);
  });
});
