import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import type { Notice } from './compose-notice.js';

export interface DeliveryReport {
  ok: boolean;
  attempts: number;
}

export interface EmailNotifierOptions {
  smtpUrl: string;
  from: string;
  replyTo: string;
  attempts: number;
  retryDelayMs: number;
  logger: Logger;
  onDelivery?: (report: DeliveryReport) => void;
}

export interface EmailNotifier {
  /** queues the notices and returns at once: a slow or failing mail server never holds a sync up */
  send(notices: readonly Notice[]): void;
  /** notices queued or being sent */
  readonly pending: number;
  /** waits up to `waitMs` for the queue to drain, then gives up on what is left and closes the connection */
  close(waitMs: number): Promise<void>;
}

/** SMTP timeouts short enough that a dead server fails a try in seconds, not nodemailer's default two minutes. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Sends notices over SMTP (nodemailer), one at a time in order, each retried with doubling delays. Failures are
 * logged (without the address's message text) and counted; they never reach the run that caused them.
 */
export function createEmailNotifier(options: EmailNotifierOptions): EmailNotifier {
  const transport = createTransport({ url: options.smtpUrl, ...TIMEOUTS });
  const queue: Notice[] = [];
  const stop = new AbortController();
  let running: Promise<void> | null = null;
  let inFlight = 0;

  async function deliver(notice: Notice): Promise<DeliveryReport> {
    let attempts = 0;
    for (;;) {
      attempts += 1;
      try {
        await transport.sendMail({
          from: options.from,
          replyTo: options.replyTo,
          to: notice.to,
          subject: notice.subject,
          text: notice.text,
        });
        return { ok: true, attempts };
      } catch (err) {
        const permanent =
          typeof (err as { responseCode?: number }).responseCode === 'number' &&
          (err as { responseCode: number }).responseCode >= 500;
        if (permanent || attempts >= options.attempts || stop.signal.aborted) {
          options.logger.warn(
            { to: notice.to, attempts, error: (err as Error).message },
            'access notice not delivered',
          );
          return { ok: false, attempts };
        }
        try {
          await sleep(options.retryDelayMs * 2 ** (attempts - 1), undefined, { signal: stop.signal });
        } catch {
          return { ok: false, attempts };
        }
      }
    }
  }

  async function drain(): Promise<void> {
    for (let notice = queue.shift(); notice; notice = queue.shift()) {
      inFlight = 1;
      const report = await deliver(notice);
      inFlight = 0;
      options.onDelivery?.(report);
    }
    running = null;
  }

  return {
    send(notices) {
      if (stop.signal.aborted) return;
      queue.push(...notices);
      running ??= drain();
    },
    get pending() {
      return queue.length + inFlight;
    },
    async close(waitMs) {
      if (running) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
        clearTimeout(timer);
      }
      const left = queue.length + inFlight;
      if (left) options.logger.warn({ left }, 'access notices left unsent at shutdown');
      queue.length = 0;
      stop.abort();
      await running?.catch(() => undefined);
      transport.close();
    },
  };
}
