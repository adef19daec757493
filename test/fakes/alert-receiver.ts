import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../src/alerts/signature.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
  /** ISO 8601: when the request's body had arrived */
  receivedAt: string;
}

export interface AlertReceiver {
  /** signed JSON webhook endpoint: deliveries with a bad or missing signature get 401 */
  webhookUrl: string;
  /** Slack-compatible incoming webhook endpoint */
  slackUrl: string;
  /** accepted webhook deliveries, signature verified */
  deliveries: ReceivedRequest[];
  /** accepted Slack bodies */
  slackBodies: unknown[];
  /** every request, including failed, rejected and stalled ones */
  requests: ReceivedRequest[];
  /** requests refused for their signature */
  readonly rejected: number;
  /** the next `n` requests answer `status`, with `headers` (e.g. Retry-After) */
  failNext(n: number, status?: number, headers?: Record<string, string>): void;
  /** while on, requests are held unanswered until `close` */
  stall(on?: boolean): void;
  /** requests currently held */
  readonly stalled: number;
  /** resolves once `predicate` holds, checked now and after each request */
  waitFor(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null; // answered 400 below
  }
}

/**
 * A loopback receiver for the webhook and Slack sinks. Verifies webhook signatures the way a real receiver must
 * (raw body, constant time, 5-minute window) so a test that passes proves the signature is verifiable.
 */
export async function startAlertReceiver(options: {
  secret: string;
  nowSeconds?: () => number;
}): Promise<AlertReceiver> {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const events = new EventEmitter();
  const deliveries: ReceivedRequest[] = [];
  const slackBodies: unknown[] = [];
  const requests: ReceivedRequest[] = [];
  const held: ServerResponse[] = [];
  let failures: { left: number; status: number; headers: Record<string, string> } = {
    left: 0,
    status: 500,
    headers: {},
  };
  let stalling = false;
  let rejected = 0;

  const answer = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(text);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const body = parseJson(rawBody);
      const received: ReceivedRequest = {
        path,
        headers: req.headers,
        rawBody,
        body,
        receivedAt: new Date().toISOString(),
      };
      requests.push(received);
      if (stalling) {
        held.push(res);
      } else if (failures.left > 0) {
        failures.left -= 1;
        answer(res, failures.status, 'failing on purpose', failures.headers);
      } else if (req.method !== 'POST' || body === null) {
        answer(res, 400, 'expected a JSON POST');
      } else if (path === '/webhook') {
        const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
        if (
          verifyWebhookSignature(options.secret, typeof header === 'string' ? header : undefined, rawBody, nowSeconds())
        ) {
          deliveries.push(received);
          answer(res, 204, '');
        } else {
          rejected += 1;
          answer(res, 401, 'bad signature');
        }
      } else if (path === '/slack') {
        slackBodies.push(body);
        answer(res, 200, 'ok');
      } else {
        answer(res, 404, 'no such hook');
      }
      events.emit('request');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    webhookUrl: `${base}/webhook`,
    slackUrl: `${base}/slack`,
    deliveries,
    slackBodies,
    requests,
    get rejected() {
      return rejected;
    },
    get stalled() {
      return held.length;
    },
    failNext(n, status = 500, headers = {}) {
      failures = { left: n, status, headers };
    },
    stall(on = true) {
      stalling = on;
    },
    waitFor(predicate) {
      return new Promise((resolve) => {
        const check = (): void => {
          if (!predicate()) return;
          events.off('request', check);
          resolve();
        };
        events.on('request', check);
        check();
      });
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
