import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpReceiver {
  /** smtp://127.0.0.1:<port> */
  url: string;
  /** every message accepted, parsed */
  messages: ParsedMail[];
  /** answer the next `n` messages with a temporary failure (451) */
  failNext(n: number): void;
  /** messages refused so far */
  refused: number;
  /** resolves once `n` messages have been accepted */
  waitFor(n: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on loopback that keeps what it receives, parsed by mailparser. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  let failing = 0;
  let waiters: { n: number; resolve: (m: ParsedMail[]) => void }[] = [];
  const receiver = {
    url: '',
    messages,
    refused: 0,
    failNext(n: number) {
      failing = n;
    },
    waitFor(n: number): Promise<ParsedMail[]> {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failing > 0) {
          failing -= 1;
          receiver.refused += 1;
          callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((mail) => {
            messages.push(mail);
            callback();
            const ready = waiters.filter((w) => messages.length >= w.n);
            waiters = waiters.filter((w) => messages.length < w.n);
            for (const w of ready) w.resolve(messages);
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return receiver;
}
