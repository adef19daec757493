import http from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/http/server.js';

describe('startHttpServer', () => {
  it('reports the URL it listens on', async () => {
    const app = express();
    app.get('/', (_req, res) => void res.send('hi'));
    const running = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(running.url)).text()).toBe('hi');
    await running.close();
    expect(running.server.listening).toBe(false);
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const app = express();
    const first = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    await expect(startHttpServer(app, { host: '127.0.0.1', port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining('address already in use'),
    });
    await first.close();
  });

  it('lets a request in flight finish on close, then cuts what is left after the grace period', async () => {
    const app = express();
    let release: () => void = () => undefined;
    app.get('/slow', (_req, res) => {
      release = () => void res.send('done');
    });
    app.get('/hang', () => undefined);
    const running = await startHttpServer(app, { host: '127.0.0.1', port: 0, graceMs: 300 });
    const slow = fetch(`${running.url}/slow`).then((r) => r.text());
    const hang = new Promise<string>((resolve) => {
      http.get(`${running.url}/hang`, () => resolve('answered')).on('error', () => resolve('cut'));
    });
    await new Promise((r) => setTimeout(r, 100));
    const closed = running.close();
    release();
    expect(await slow).toBe('done');
    expect(await hang).toBe('cut');
    await closed;
  });
});
