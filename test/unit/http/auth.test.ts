import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/app.js';
import { bearerAuth, readBearerToken, requireRole, tokenMatches } from '../../../src/http/auth.js';
import { startHttpServer, type RunningServer } from '../../../src/http/server.js';

describe('token comparison', () => {
  it('matches only the exact token, whatever the lengths', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches('abcd'.repeat(100), 'abc')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });

  it('reads a bearer token, case-insensitively on the scheme', () => {
    expect(readBearerToken('Bearer abc')).toBe('abc');
    expect(readBearerToken('bearer   abc ')).toBe('abc');
    expect(readBearerToken('Basic abc')).toBeNull();
    expect(readBearerToken('Bearer')).toBeNull();
    expect(readBearerToken('Bearer a b')).toBeNull();
    expect(readBearerToken(undefined)).toBeNull();
  });
});

describe('bearerAuth', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  const start = async () => {
    const api = express.Router();
    api.use(
      bearerAuth({
        accounts: [
          { name: 'admin', token: 'admin-t', role: 'admin' },
          { name: 'ci-approver', token: 'approver-t', role: 'approver' },
          { name: 'viewer', token: 'viewer-t', role: 'viewer' },
          { name: 'empty', token: '', role: 'admin' },
        ],
        // a stand-in for the dashboard's sessions: the real ones are tested through the sign-in
        session: (req) =>
          req.headers.cookie === 'other=1; has_session=s1'
            ? { name: 'dana@acme.example', role: 'viewer', via: 'session' }
            : null,
      }),
    );
    api.get('/status', (_req, res) => {
      res.json({ role: res.locals.role as string, name: (res.locals.principal as { name: string }).name });
    });
    api.post('/sync', (_req, res) => {
      res.json({ ok: true });
    });
    api.get('/secret', requireRole('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    api.get('/approvals', requireRole('approver'), (_req, res) => {
      res.json({ ok: true });
    });
    const app = createHttpApp({
      logger: pino({ level: 'silent' }),
      routers: [{ path: '/api', router: api }],
      readiness: async () => ({ ok: true, checks: {} }),
    });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    return server.url;
  };

  const call = async (url: string, method: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/api${path}`, { method, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  };

  it('lets an admin read and write, a viewer only read', async () => {
    const url = await start();
    expect(await call(url, 'GET', '/status', { authorization: 'Bearer admin-t' })).toMatchObject({
      status: 200,
      body: { role: 'admin' },
    });
    expect(await call(url, 'POST', '/sync', { authorization: 'Bearer admin-t' })).toMatchObject({ status: 200 });
    expect(await call(url, 'GET', '/status', { authorization: 'Bearer viewer-t' })).toMatchObject({
      status: 200,
      body: { role: 'viewer' },
    });
    expect(await call(url, 'POST', '/sync', { authorization: 'Bearer viewer-t' })).toMatchObject({ status: 403 });
    expect(await call(url, 'GET', '/secret', { authorization: 'Bearer viewer-t' })).toMatchObject({ status: 403 });
    expect(await call(url, 'GET', '/secret', { authorization: 'Bearer admin-t' })).toMatchObject({ status: 200 });
  });

  it('names the account a token belongs to; an approver is more than a viewer and less than an admin', async () => {
    const url = await start();
    expect(await call(url, 'GET', '/status', { authorization: 'Bearer approver-t' })).toMatchObject({
      status: 200,
      body: { role: 'approver', name: 'ci-approver' },
    });
    expect(await call(url, 'GET', '/approvals', { authorization: 'Bearer approver-t' })).toMatchObject({
      status: 200,
    });
    expect(await call(url, 'GET', '/approvals', { authorization: 'Bearer viewer-t' })).toMatchObject({
      status: 403,
    });
    expect(await call(url, 'GET', '/secret', { authorization: 'Bearer approver-t' })).toMatchObject({ status: 403 });
  });

  it('401 with WWW-Authenticate for no, a wrong or an empty token; a session works too, a token in a cookie not', async () => {
    const url = await start();
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Bearer ' },
      { authorization: 'Basic YWRtaW4tdA==' },
    ];
    for (const headers of attempts) {
      const res = await call(url, 'GET', '/status', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await call(url, 'GET', '/status', { cookie: 'other=1; has_session=s1' })).toMatchObject({
      status: 200,
      body: { role: 'viewer', name: 'dana@acme.example' },
    });
    expect(await call(url, 'POST', '/sync', { cookie: 'other=1; has_session=s1' })).toMatchObject({ status: 403 });
    expect(await call(url, 'GET', '/status', { cookie: 'has_token=viewer-t' })).toMatchObject({ status: 401 });
  });
});
