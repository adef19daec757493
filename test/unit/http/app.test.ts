import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpApp } from '../../../src/http/app.js';
import { bearerAuth } from '../../../src/http/auth.js';
import { metricsRegistry } from '../../../src/http/metrics.js';
import { startHttpServer, type RunningServer } from '../../../src/http/server.js';
import { BadRequestError, MappingError, NotFoundError, RunInProgressError } from '../../../src/domain/errors.js';

describe('HTTP shell', () => {
  let server: RunningServer | undefined;
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    lines.length = 0;
  });

  const start = async (options: Partial<Parameters<typeof createHttpApp>[0]> = {}) => {
    const api = express.Router();
    api.use(express.json());
    api.get('/bad', () => {
      throw new BadRequestError('bad thing', { field: 'x' });
    });
    api.get('/missing', () => {
      throw new NotFoundError('no such run');
    });
    api.post('/sync', () => {
      throw new RunInProgressError();
    });
    api.get('/mapping', () => {
      throw new MappingError([{ file: 'm.yaml', line: 3, path: 'rules[0]', message: 'nope', severity: 'error' }]);
    });
    api.get('/zod', () => {
      z.object({ dryRun: z.boolean() }).parse({ dryRun: 'yes' });
    });
    api.get('/boom', () => {
      throw new Error('secret internals at /etc/passwd');
    });
    api.get('/async-boom', async () => {
      await Promise.resolve();
      throw new Error('later');
    });
    api.post('/echo', (req, res) => {
      res.json(req.body);
    });
    const app = createHttpApp({
      logger,
      routers: [{ path: '/api', router: api }],
      readiness: async () => ({ ok: true, checks: { store: 'ok' } }),
      ...options,
    });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0, graceMs: 500 });
    return server.url;
  };

  it('/healthz needs no token and says ok', async () => {
    const url = await start();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 503 with its checks when not ready, and when the check throws', async () => {
    let ready = false;
    const url = await start({
      readiness: async () => {
        if (ready === null) throw new Error('x');
        return { ok: ready, checks: { store: 'ok', mapping: ready ? 'ok' : 'not loaded' } };
      },
    });
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not ready', checks: { store: 'ok', mapping: 'not loaded' } });
    ready = true;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('/readyz and /metrics can be protected by a token', async () => {
    const url = await start({
      protect: bearerAuth({ accounts: [{ name: 'viewer', token: 'viewer-token', role: 'viewer' }] }),
      metrics: () => metricsRegistry.metrics(),
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(401);
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer viewer-token' } });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('http_request_duration_seconds');
  });

  it('/readyz answers a probe without a token when readiness is public, with its status and nothing else', async () => {
    let ready = true;
    const url = await start({
      protect: bearerAuth({ accounts: [{ name: 'admin', token: 'admin-token', role: 'admin' }] }),
      publicReadiness: true,
      metrics: () => metricsRegistry.metrics(),
      readiness: async () => ({ ok: ready, checks: { store: 'unreachable: /var/lib/secret.db locked' } }),
    });
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    ready = false;
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'not ready' });
    // only the probe is public
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
  });

  it('counts requests by route pattern, not by raw path', async () => {
    const url = await start({ metrics: () => metricsRegistry.metrics() });
    await fetch(`${url}/api/missing`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/missing",status="404"\} \d+/);
  });

  it.each([
    ['/api/bad', 400, { error: 'bad thing', details: { field: 'x' } }],
    ['/api/missing', 404, { error: 'no such run' }],
    ['/api/mapping', 422, { error: 'invalid mapping' }],
    ['/api/zod', 400, { error: 'invalid request', issues: [expect.objectContaining({ path: 'dryRun' })] }],
    ['/nowhere', 404, { error: 'no route for GET /nowhere' }],
  ])('GET %s → %i', async (path, status, body) => {
    const url = await start();
    const res = await fetch(`${url}${path}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ ...body, requestId: expect.any(String) });
  });

  it('a run in progress is a 409', async () => {
    const url = await start();
    const res = await fetch(`${url}/api/sync`, { method: 'POST' });
    expect(res.status).toBe(409);
  });

  it('malformed JSON is a 400 from the boundary', async () => {
    const url = await start();
    const res = await fetch(`${url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
  });

  it.each(['/api/boom', '/api/async-boom'])(
    'an unknown failure (%s) is a logged, generic 500 naming the request',
    async (path) => {
      const url = await start();
      const res = await fetch(`${url}${path}`, { headers: { 'x-request-id': 'req-42' } });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-request-id')).toBe('req-42');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ error: 'internal error', requestId: 'req-42' });
      expect(body).not.toContain('passwd');
      expect(lines.some((l) => l.includes('request failed') && l.includes('req-42'))).toBe(true);
    },
  );

  it('logs one line per request without tokens, cookies, bodies or query strings', async () => {
    const url = await start();
    await fetch(`${url}/api/echo?filter=userName%20eq%20%22alice%40example.com%22`, {
      method: 'POST',
      headers: { authorization: 'Bearer s3cr3t-token', cookie: 'session=c00kie', 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'hunter2', userName: 'alice@example.com' }),
    });
    await fetch(`${url}/healthz`);
    const all = lines.join('\n');
    expect(lines.filter((l) => l.includes('request completed'))).toHaveLength(1);
    const entry = JSON.parse(lines.find((l) => l.includes('request completed')) ?? '{}') as Record<string, unknown>;
    expect(entry.req).toMatchObject({ method: 'POST', path: '/api/echo' });
    for (const secret of ['s3cr3t-token', 'c00kie', 'hunter2', 'alice@example.com', 'alice%40example.com']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('loggableError', () => {
  it('drops the raw body body-parser attaches, keeps message, stack and class', async () => {
    const { loggableError } = await import('../../../src/http/errors.js');
    const err = Object.assign(new SyntaxError('Unexpected token'), { body: '{"password":"hunter2"', status: 400 });
    const safe = loggableError(err) as SyntaxError & Record<string, unknown>;
    expect(safe).toBeInstanceOf(SyntaxError);
    expect(safe.message).toBe('Unexpected token');
    expect(safe.stack).toBe(err.stack);
    expect(safe.status).toBe(400);
    expect(safe).not.toHaveProperty('body');
    const plain = new Error('x');
    expect(loggableError(plain)).toBe(plain);
  });
});
