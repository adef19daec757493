import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessException } from '../../src/domain/exception.js';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { DriftItem, Plan } from '../../src/domain/plan.js';
import type { JournalSummary } from '../../src/ports/store.js';
import type { StatusReport } from '../../src/services/status.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

interface Reply<T> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

type Caller = 'admin' | 'viewer' | 'deploy-bot' | 'approver' | 'none' | 'wrong';

async function call<T = Record<string, unknown>>(
  t: TestRuntime,
  method: string,
  path: string,
  options: { as?: Caller; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const as = options.as ?? 'admin';
  const headers: Record<string, string> = { ...options.headers };
  if (as === 'admin') headers.Authorization = `Bearer ${t.tokens.admin}`;
  if (as === 'viewer') headers.Authorization = `Bearer ${t.tokens.viewer}`;
  if (as === 'deploy-bot') headers.Authorization = `Bearer ${t.tokens.deployBot}`;
  if (as === 'approver') headers.Authorization = `Bearer ${t.tokens.approver}`;
  if (as === 'wrong') headers.Authorization = 'Bearer not-a-token';
  let body: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = options.raw ?? JSON.stringify(options.body);
  }
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body !== undefined && { body }) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

const ALICE = 'alice.nguyen@acme.example';
/** an analyst: Member on the staging projects */
const ERIN = 'erin.walsh@acme.example';

/** Every route of DESIGN §6 plus the ones this API adds, as the OpenAPI document must list them. */
const ROUTES = [
  ['get', '/api/status'],
  ['get', '/api/whoami'],
  ['get', '/api/drift'],
  ['get', '/api/plan'],
  ['post', '/api/sync'],
  ['get', '/api/tasks'],
  ['get', '/api/tasks/{id}'],
  ['post', '/api/tasks/{id}/done'],
  ['get', '/api/journal'],
  ['get', '/api/journal/verify'],
  ['get', '/api/journal/{id}'],
  ['get', '/api/exceptions'],
  ['post', '/api/exceptions'],
  ['get', '/api/exceptions/{id}'],
  ['delete', '/api/exceptions/{id}'],
  ['get', '/api/approvals'],
  ['post', '/api/approvals/{id}'],
  ['get', '/api/activity'],
  ['get', '/api/users/{user}/explain'],
  ['get', '/api/users/{user}/history'],
  ['get', '/api/docs'],
  ['get', '/api/reviews'],
  ['post', '/api/reviews'],
  ['get', '/api/reviews/{id}'],
  ['post', '/api/reviews/{id}/items/{itemId}/decision'],
  ['post', '/api/reviews/{id}/close'],
  ['get', '/api/reviews/{id}/export'],
] as const;

describe('admin API over HTTP against a real runtime (file source, Heap stand-in, SQLite)', () => {
  let t: TestRuntime;
  let firstRun: JournalRecord;

  beforeAll(async () => {
    t = await startTestRuntime();
    const res = await call<JournalRecord>(t, 'POST', '/api/sync', {
      as: 'deploy-bot',
      body: {},
      headers: { 'X-Actor': 'Dana Ops' },
    });
    expect(res.status).toBe(201);
    firstRun = res.body;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authentication and roles', () => {
    it('answers 401 without a token or with an unknown one, on every route', async () => {
      for (const [method, path] of ROUTES) {
        const concrete = path.replace('{id}', 'x').replace('{itemId}', 'x').replace('{user}', ALICE);
        for (const as of ['none', 'wrong'] as const) {
          const res = await call(t, method.toUpperCase(), concrete, { as, ...(method !== 'get' && { body: {} }) });
          expect(res.status, `${as} ${method} ${concrete}`).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
      }
    });

    it('lets a viewer read', async () => {
      for (const path of [
        '/api/status',
        '/api/journal',
        '/api/journal/verify',
        '/api/exceptions',
        '/api/openapi.json',
      ]) {
        expect((await call(t, 'GET', path, { as: 'viewer' })).status, path).toBe(200);
      }
      expect((await call(t, 'GET', '/api/whoami', { as: 'viewer' })).body).toEqual({ role: 'viewer', name: 'viewer' });
    });

    it('forbids a viewer to sync, approve, create or revoke exceptions, and nothing changes', async () => {
      const before = (await call<{ runs: JournalSummary[] }>(t, 'GET', '/api/journal')).body.runs.length;
      const attempts: [string, string, unknown][] = [
        ['POST', '/api/sync', {}],
        ['POST', '/api/sync', { dryRun: true }],
        ['POST', '/api/sync', { approve: firstRun.id }],
        ['POST', '/api/exceptions', { user: ALICE, entitlement: 'org', value: 'Admin', reason: 'r', expires: '1d' }],
        ['POST', '/api/exceptions', { fromDrift: { user: ALICE, entitlement: 'org' }, reason: 'r', expires: '1d' }],
        ['DELETE', '/api/exceptions/exc-1', undefined],
      ];
      for (const [method, path, body] of attempts) {
        const res = await call(t, method, path, { as: 'viewer', ...(body !== undefined && { body }) });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body).toMatchObject({ error: expect.stringMatching(/only read/) });
      }
      expect((await call<{ runs: JournalSummary[] }>(t, 'GET', '/api/journal')).body.runs.length).toBe(before);
      expect((await call<{ exceptions: unknown[] }>(t, 'GET', '/api/exceptions?all=true')).body.exceptions).toEqual([]);
    });

    it('records the service account a token belongs to as the actor, whatever X-Actor says', async () => {
      expect(firstRun).toMatchObject({ trigger: 'api', actor: 'deploy-bot', status: 'succeeded' });
      expect((await call(t, 'GET', '/api/whoami', { headers: { 'X-Actor': 'Dana Ops' } })).body).toEqual({
        role: 'admin',
        name: 'admin',
      });
      expect((await call(t, 'GET', '/api/whoami', { as: 'approver' })).body).toEqual({
        role: 'approver',
        name: 'ops-approver',
      });
    });

    it('forbids an approver to sync or create exceptions', async () => {
      const sync = await call(t, 'POST', '/api/sync', { as: 'approver', body: { dryRun: true } });
      expect(sync.status).toBe(403);
      expect(sync.body).toMatchObject({ error: 'this needs the admin role (you are approver)' });
      const body = { user: ALICE, entitlement: 'org', value: 'Admin', reason: 'r', expires: '1d' };
      expect((await call(t, 'POST', '/api/exceptions', { as: 'approver', body })).status).toBe(403);
    });
  });

  describe('dashboard sign-in with a token', () => {
    async function signIn(token: string): Promise<Response> {
      const form = new URLSearchParams({ token });
      return fetch(`${t.url}/login`, { method: 'POST', body: form, redirect: 'manual' });
    }
    const cookieOf = (res: Response) =>
      res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');

    it('sets an HttpOnly, SameSite=Strict session cookie that holds no token, and refuses others', async () => {
      const ok = await signIn(t.tokens.admin);
      expect(ok.status).toBe(303);
      expect(ok.headers.get('location')).toBe('/');
      const [session, ...more] = ok.headers.getSetCookie();
      expect(more).toEqual([]);
      expect(session).toMatch(/^has_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
      expect(session).not.toContain(t.tokens.admin);
      expect(session).not.toContain(encodeURIComponent(t.tokens.admin));
      const bad = await signIn('guess');
      expect(bad.status).toBe(303);
      expect(bad.headers.get('location')).toBe('/?login=failed');
      expect(bad.headers.getSetCookie()).toEqual([]);
    });

    it('reads with the cookie; a change needs the dashboard header too (CSRF); signing out ends it', async () => {
      const cookie = cookieOf(await signIn(t.tokens.deployBot));
      const me = await call(t, 'GET', '/api/whoami', { as: 'none', headers: { Cookie: cookie } });
      expect(me.body).toEqual({ role: 'admin', name: 'deploy-bot' });
      const noHeader = await call(t, 'POST', '/api/sync', {
        as: 'none',
        body: { dryRun: true },
        headers: { Cookie: cookie },
      });
      expect(noHeader.status).toBe(403);
      const withHeader = await call<JournalRecord>(t, 'POST', '/api/sync', {
        as: 'none',
        body: { dryRun: true },
        headers: { Cookie: cookie, 'X-Heap-Access-Sync': 'dashboard' },
      });
      expect(withHeader.status).toBe(201);
      expect(withHeader.body.actor).toBe('deploy-bot');
      const viewer = cookieOf(await signIn(t.tokens.viewer));
      const denied = await call(t, 'POST', '/api/sync', {
        as: 'none',
        body: {},
        headers: { Cookie: viewer, 'X-Heap-Access-Sync': 'dashboard' },
      });
      expect(denied.status).toBe(403);

      // the copy of the cookie is worthless once its session signed out
      const out = await fetch(`${t.url}/logout`, { method: 'POST', headers: { Cookie: cookie }, redirect: 'manual' });
      expect(out.status).toBe(303);
      expect(out.headers.getSetCookie()[0]).toMatch(/^has_session=; .*Max-Age=0/);
      expect((await call(t, 'GET', '/api/whoami', { as: 'none', headers: { Cookie: cookie } })).status).toBe(401);
    });

    it('serves the page with a policy that forbids inline script', async () => {
      const res = await fetch(`${t.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).not.toMatch(/<script>/);
      expect((await fetch(`${t.url}/dashboard/app.js`)).headers.get('content-type')).toContain('javascript');
    });
  });

  describe('sync and journal', () => {
    it('POST /api/sync answers 201 with the journal record and its location', async () => {
      const res = await call<JournalRecord>(t, 'POST', '/api/sync', { body: { dryRun: true } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'dry-run', trigger: 'api', actor: 'admin' });
      expect(res.headers.get('location')).toBe(`/api/journal/${res.body.id}`);
      const again = await call<JournalRecord>(t, 'GET', res.headers.get('location')!);
      expect(again.body.hash).toBe(res.body.hash);
    });

    it('the first sync applied the mapping: Heap holds what the example mapping grants', async () => {
      expect(firstRun.plan!.changes.length).toBeGreaterThan(0);
      expect(firstRun.results.every((r) => r.outcome === 'applied' || r.outcome === 'blocked')).toBe(true);
    });

    it('answers 409 while another run holds the lock', async () => {
      const lock = `target:${t.rt.target.name}`;
      expect(await t.rt.store.acquireLock(lock, 'another-process', 60_000, new Date())).toBe(true);
      try {
        const res = await call(t, 'POST', '/api/sync', { body: {} });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ error: expect.stringMatching(/in progress/) });
      } finally {
        await t.rt.store.releaseLock(lock, 'another-process');
      }
    });

    it('rejects bad sync bodies with 400 and the issues', async () => {
      for (const body of [{ dryRun: 'yes' }, { dryRun: true, approve: 'run-x' }, { surprise: 1 }, { users: [] }, [1]]) {
        const res = await call(t, 'POST', '/api/sync', { body });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await call(t, 'POST', '/api/sync', { raw: '{"dryRun": tru' })).status).toBe(400);
    });

    it('answers 404 when approving a run that is not held', async () => {
      const res = await call(t, 'POST', '/api/sync', { body: { approve: 'run-does-not-exist' } });
      expect(res.status).toBe(404);
    });

    it('lists the journal newest first and pages with before', async () => {
      const all = await call<{ runs: JournalSummary[]; next: number | null }>(t, 'GET', '/api/journal');
      expect(all.status).toBe(200);
      expect(all.body.runs.length).toBeGreaterThanOrEqual(2);
      const seqs = all.body.runs.map((r) => r.sequence);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      const page1 = await call<{ runs: JournalSummary[]; next: number | null }>(t, 'GET', '/api/journal?limit=1');
      expect(page1.body.runs).toHaveLength(1);
      expect(page1.body.next).toBe(page1.body.runs[0]!.sequence);
      const page2 = await call<{ runs: JournalSummary[] }>(t, 'GET', `/api/journal?limit=1&before=${page1.body.next}`);
      expect(page2.body.runs[0]!.sequence).toBeLessThan(page1.body.next!);
    });

    it('shows one record, 404 for an unknown id, and verifies the chain', async () => {
      const one = await call<JournalRecord>(t, 'GET', `/api/journal/${firstRun.id}`);
      expect(one.body).toMatchObject({ id: firstRun.id, hash: firstRun.hash });
      expect((await call(t, 'GET', '/api/journal/run-nope')).status).toBe(404);
      const verify = await call<{ ok: boolean; records: number }>(t, 'GET', '/api/journal/verify', { as: 'viewer' });
      expect(verify.body.ok).toBe(true);
      expect(verify.body.records).toBeGreaterThanOrEqual(2);
    });

    it('rejects bad journal queries with 400', async () => {
      for (const q of ['limit=0', 'limit=abc', 'limit=100000', 'before=-1', 'colour=blue']) {
        expect((await call(t, 'GET', `/api/journal?${q}`)).status, q).toBe(400);
      }
    });
  });

  describe('drift, plan, explain, revert', () => {
    beforeAll(async () => {
      await t.changeInHeap(ERIN, 'project:web-staging', 'Admin');
    });

    it('GET /api/drift shows the manual change with a suggestion', async () => {
      const res = await call<{ drift: DriftItem[]; mappingVersion: string }>(t, 'GET', '/api/drift', { as: 'viewer' });
      expect(res.status).toBe(200);
      const item = res.body.drift.find((d) => d.user === ERIN && d.entitlement === 'project:web-staging');
      expect(item).toMatchObject({ actual: 'Admin', cause: 'manual-override', action: 'revert' });
      expect(item!.suggestion).toBe(`add ${ERIN} to group "Heap Admins"`);
      // what else joining Heap Admins would change for her, and the same first suggestion in the list
      expect(item!.sideEffects).toContainEqual({ entitlement: 'org', from: 'Member', to: 'Admin' });
      expect(item!.suggestions?.[0]).toEqual({
        suggestion: item!.suggestion,
        suggestedActions: item!.suggestedActions,
        sideEffects: item!.sideEffects,
      });
      expect(res.body.mappingVersion).toBe(t.rt.mapping.current().version);
    });

    it('GET /api/status has the drift, the runs, the sources and the mapping', async () => {
      const res = await call<StatusReport>(t, 'GET', '/api/status', { as: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.body.drift.basis).toBe('live');
      expect(res.body.drift.items.some((d) => d.user === ERIN)).toBe(true);
      expect(res.body.runs[0]).toMatchObject({ trigger: 'api' });
      expect(res.body.runs.find((r) => r.id === firstRun.id)).toMatchObject({
        status: 'succeeded',
        actor: 'deploy-bot',
      });
      expect(res.body.lastSuccessfulSyncAt).toBe(firstRun.endedAt);
      expect(res.body.sources).toEqual([
        expect.objectContaining({ name: 'file', type: 'file', healthy: true, users: 25, lastError: null }),
      ]);
      expect(res.body.mapping).toMatchObject({ version: t.rt.mapping.current().version, reloadFailed: false });
      expect(res.body.target).toBe(t.rt.target.name);
    });

    it('GET /api/plan alerts before it reverts: the new manual change waits out policy.revertAfter (1h)', async () => {
      const res = await call<{ plan: Plan; scope: string[] | null }>(t, 'GET', '/api/plan');
      expect(res.body.scope).toBeNull();
      const item = res.body.plan.drift.find((d) => d.user === ERIN && d.entitlement === 'project:web-staging');
      expect(Date.parse(item!.revertsAt!) - Date.parse(item!.firstSeen!)).toBe(3_600_000);
      expect(res.body.plan.changes.filter((c) => c.user === ERIN && c.entitlement === 'project:web-staging')).toEqual(
        [],
      );
      const scoped = await call<{ plan: Plan; scope: string[] }>(t, 'GET', '/api/plan?users=bob.okafor@acme.example');
      expect(scoped.body.scope).toEqual(['bob.okafor@acme.example']);
      expect(scoped.body.plan.changes.every((c) => c.user === 'bob.okafor@acme.example')).toBe(true);
      expect((await call(t, 'GET', '/api/plan?user=x')).status).toBe(400);
    });

    it('a sync inside the grace leaves the manual change in Heap; revertNow without users is a 400', async () => {
      const res = await call<JournalRecord>(t, 'POST', '/api/sync', { body: { users: [ERIN] } });
      expect(res.status).toBe(201);
      expect(res.body.results.filter((r) => r.change.entitlement === 'project:web-staging')).toEqual([]);
      const drift = await call<{ drift: DriftItem[] }>(t, 'GET', '/api/drift');
      expect(drift.body.drift.filter((d) => d.user === ERIN).map((d) => d.actual)).toEqual(['Admin']);
      const bad = await call<{ error: string }>(t, 'POST', '/api/sync', { body: { revertNow: true } });
      expect(bad.status).toBe(400);
    });

    it('explains a user, with what Heap has and the drift found', async () => {
      const res = await call<{
        user: string;
        explanation: unknown;
        actual: Record<string, string>;
        drift: DriftItem[];
      }>(t, 'GET', `/api/users/${encodeURIComponent(ERIN.toUpperCase())}/explain`, { as: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.body.user).toBe(ERIN);
      expect(res.body.explanation).toBeTruthy();
      expect(res.body.actual['project:web-staging']).toBe('Admin');
      expect(res.body.drift.map((d) => d.entitlement)).toContain('project:web-staging');
      expect((await call(t, 'GET', '/api/users/nobody%40acme.example/explain')).status).toBe(404);
    });

    it('"revert now": a sync limited to that user puts Heap back', async () => {
      const res = await call<JournalRecord>(t, 'POST', '/api/sync', { body: { users: [ERIN], revertNow: true } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'succeeded', scope: [ERIN] });
      expect(res.body.results).toContainEqual(
        expect.objectContaining({
          outcome: 'applied',
          change: expect.objectContaining({ entitlement: 'project:web-staging' }),
        }),
      );
      const drift = await call<{ drift: DriftItem[] }>(t, 'GET', '/api/drift');
      expect(drift.body.drift.filter((d) => d.user === ERIN)).toEqual([]);
    });
  });

  describe('exceptions', () => {
    const FARAH = 'farah.haddad@acme.example';
    /** UX research: Tracking Plan Viewer on web-prod */
    const LENA = 'lena.fischer@acme.example';

    it('refuses an exception its caller would approve (four eyes); creates, lists, shows and revokes one', async () => {
      const body = {
        user: FARAH,
        entitlement: 'project:web-prod',
        value: 'Admin',
        reason: 'tracking plan deployment',
        expires: '3d',
      };
      const unapproved = await call<{ error: string }>(t, 'POST', '/api/exceptions', { body, as: 'deploy-bot' });
      expect(unapproved.status).toBe(400);
      expect(unapproved.body.error).toContain(
        'approver is required: four eyes (policy.fourEyes), so someone other than deploy-bot approves it',
      );
      const self = await call<{ error: string }>(t, 'POST', '/api/exceptions', {
        body: { ...body, approver: 'Deploy-Bot' },
        as: 'deploy-bot',
      });
      expect(self.status).toBe(400);
      expect(self.body.error).toContain(
        'four eyes: deploy-bot asks for this exception, so someone else must approve it',
      );
      expect((await call<{ exceptions: AccessException[] }>(t, 'GET', '/api/exceptions')).body.exceptions).toEqual([]);

      const created = await call<AccessException>(t, 'POST', '/api/exceptions', {
        body: { ...body, approver: 'lead@acme.example' },
        as: 'deploy-bot',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        user: FARAH,
        value: 'Admin',
        approver: 'lead@acme.example',
        requestedBy: 'deploy-bot',
        revokedAt: null,
      });
      expect(created.headers.get('location')).toBe(`/api/exceptions/${created.body.id}`);

      const list = await call<{ exceptions: AccessException[] }>(t, 'GET', '/api/exceptions', { as: 'viewer' });
      expect(list.body.exceptions.map((e) => e.id)).toContain(created.body.id);
      const status = await call<StatusReport>(t, 'GET', '/api/status');
      expect(status.body.expiringExceptions.map((e) => e.id)).toContain(created.body.id);
      expect((await call(t, 'GET', `/api/exceptions/${created.body.id}`, { as: 'viewer' })).body).toMatchObject({
        id: created.body.id,
      });

      const clash = await call(t, 'POST', '/api/exceptions', {
        body: {
          user: FARAH,
          entitlement: 'project:web-prod',
          value: 'Member',
          reason: 'again',
          approver: 'lead@acme.example',
          expires: '1d',
        },
      });
      expect(clash.status).toBe(400);
      expect(clash.text).toContain('already');

      const revoked = await call<AccessException>(t, 'DELETE', `/api/exceptions/${created.body.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toBeTruthy();
      expect((await call(t, 'DELETE', `/api/exceptions/${created.body.id}`)).status).toBe(400);
      expect((await call<{ exceptions: AccessException[] }>(t, 'GET', '/api/exceptions')).body.exceptions).toEqual([]);
      expect(
        (await call<{ exceptions: AccessException[] }>(t, 'GET', '/api/exceptions?all=true')).body.exceptions.map(
          (e) => e.id,
        ),
      ).toContain(created.body.id);
    });

    it('accepts a drift item until it expires (fromDrift): the value is what Heap has now', async () => {
      await t.changeInHeap(LENA, 'module:govern:web-prod', 'editor');
      const res = await call<AccessException>(t, 'POST', '/api/exceptions', {
        body: {
          fromDrift: { user: LENA, entitlement: 'module:govern:web-prod' },
          reason: 'audit prep',
          approver: FARAH,
          expires: '2d',
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        user: LENA,
        entitlement: 'module:govern:web-prod',
        value: 'editor',
        approver: FARAH,
        requestedBy: 'admin',
      });
      const drift = await call<{ drift: DriftItem[] }>(t, 'GET', '/api/drift');
      expect(drift.body.drift.filter((d) => d.user === LENA && d.entitlement === 'module:govern:web-prod')).toEqual([]);
      expect((await call(t, 'DELETE', `/api/exceptions/${res.body.id}`)).status).toBe(200);
    });

    it('answers 404 for fromDrift without open drift and for unknown ids', async () => {
      const res = await call(t, 'POST', '/api/exceptions', {
        body: { fromDrift: { user: 'carla.mendes@acme.example', entitlement: 'org' }, reason: 'r', expires: '1d' },
      });
      expect(res.status).toBe(404);
      expect((await call(t, 'GET', '/api/exceptions/exc-nope')).status).toBe(404);
      expect((await call(t, 'DELETE', '/api/exceptions/exc-nope')).status).toBe(404);
    });

    it('rejects bad exception bodies with 400 and says what is wrong', async () => {
      const good = {
        user: FARAH,
        entitlement: 'project:web-prod',
        value: 'Admin',
        reason: 'why',
        approver: 'lead@acme.example',
        expires: '1d',
      };
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ ...good, approver: undefined }, /approver is required: four eyes/],
        [{ ...good, approver: 'ADMIN' }, /four eyes: admin asks for this exception/],
        [{ ...good, reason: '' }, /reason/],
        [{ ...good, reason: undefined }, /reason/],
        [{ ...good, expires: 'next tuesday' }, /expires/],
        [{ ...good, expires: '400d' }, /366 days/],
        [{ ...good, entitlement: 'project:web-prd' }, /unknown project/],
        [{ ...good, value: 'Owner' }, /not one of/],
        [{ ...good, value: 3 }, /value/],
        [{ ...good, extra: true }, /extra/],
        [{ fromDrift: { user: FARAH }, reason: 'r', expires: '1d' }, /entitlement/],
      ];
      for (const [body, message] of bad) {
        const res = await call(t, 'POST', '/api/exceptions', { body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.text, JSON.stringify(body)).toMatch(message);
      }
      expect((await call(t, 'POST', '/api/exceptions', { raw: 'not json' })).status).toBe(400);
      expect((await call(t, 'GET', '/api/exceptions?all=maybe')).status).toBe(400);
    });
  });

  describe('documentation export', () => {
    it('serves each format with its content type', async () => {
      const expected = { md: 'text/markdown', html: 'text/html', csv: 'text/csv', json: 'application/json' };
      for (const [format, type] of Object.entries(expected)) {
        const res = await call(t, 'GET', `/api/docs?format=${format}`, { as: 'viewer' });
        expect(res.status, format).toBe(200);
        expect(res.headers.get('content-type')).toContain(type);
        expect(res.text.length).toBeGreaterThan(100);
      }
      expect((await call(t, 'GET', '/api/docs')).headers.get('content-type')).toContain('text/markdown');
    });

    it('includes every member with withMembers=true', async () => {
      const res = await call(t, 'GET', '/api/docs?format=csv&withMembers=true');
      expect(res.status).toBe(200);
      expect(res.text).toContain(ALICE);
    });

    it('rejects an unknown format with 400', async () => {
      expect((await call(t, 'GET', '/api/docs?format=pdf')).status).toBe(400);
      expect((await call(t, 'GET', '/api/docs?withMembers=yes')).status).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    it('lists every route, generated from the schemas the router validates with', async () => {
      const res = await call<{ openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> }>(
        t,
        'GET',
        '/api/openapi.json',
        { as: 'viewer' },
      );
      expect(res.body.openapi).toBe('3.1.0');
      const listed = Object.entries(res.body.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
      expect(listed.sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
      const sync = res.body.paths['/api/sync']!.post!;
      expect(sync['x-required-role']).toBe('admin');
      expect(JSON.stringify(sync.requestBody)).toContain('"dryRun"');
      const exceptions = res.body.paths['/api/exceptions']!.post!;
      expect(JSON.stringify(exceptions.requestBody)).toContain('"fromDrift"');
      const journal = res.body.paths['/api/journal']!.get!;
      expect(journal.parameters).toContainEqual(
        expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      );
      expect(res.body.paths['/api/status']!.get!['x-required-role']).toBe('viewer');
    });
  });

  it('never answers 500 to a client mistake', async () => {
    const mistakes: [string, string, { raw?: string; body?: unknown; headers?: Record<string, string> }][] = [
      ['GET', '/api/nope', {}],
      ['POST', '/api/status', { body: {} }],
      ['POST', '/api/sync', { raw: 'null' }],
      ['POST', '/api/sync', { raw: '"text"' }],
      ['POST', '/api/sync', { raw: 'x'.repeat(2_000_000) }],
      ['POST', '/api/exceptions', { raw: '[]' }],
      ['POST', '/api/exceptions', { body: { fromDrift: null } }],
      ['GET', '/api/journal/%E0%A4%A', {}],
      ['GET', '/api/users/%20/explain', {}],
      ['DELETE', '/api/exceptions', {}],
      ['GET', '/api/journal?limit=1&limit=2', {}],
    ];
    for (const [method, path, options] of mistakes) {
      const res = await call(t, method, path, options);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});

describe('held plans through the admin API', () => {
  let t: TestRuntime;

  beforeAll(async () => {
    t = await startTestRuntime({ maxRevocations: 0 });
    expect((await call<JournalRecord>(t, 'POST', '/api/sync', { body: {} })).body.status).toBe('succeeded');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds a revoking run, lists it, refuses a viewer and applies it on an admin approval', async () => {
    const directory = t.readDirectory();
    directory.groups = directory.groups.map((g) => ({ ...g, members: g.members.filter((m) => m !== 'u017') }));
    t.writeDirectory(directory);

    const held = await call<JournalRecord>(t, 'POST', '/api/sync', { body: {} });
    expect(held.body.status).toBe('held');
    const status = await call<StatusReport>(t, 'GET', '/api/status', { as: 'viewer' });
    expect(status.body.heldPlans).toEqual([
      expect.objectContaining({ runId: held.body.id, heldBy: 'maxRevocations', revocations: expect.any(Array) }),
    ]);
    expect(status.body.heldPlans[0]!.revocations.length).toBeGreaterThan(0);

    expect((await call(t, 'POST', '/api/sync', { as: 'viewer', body: { approve: held.body.id } })).status).toBe(403);
    expect((await call(t, 'POST', '/api/sync', { body: { approve: held.body.id, users: [ERIN] } })).status).toBe(400);

    // four eyes: the caller whose run was held does not approve it
    const self = await call<{ error: string }>(t, 'POST', '/api/sync', { body: { approve: held.body.id } });
    expect(self.status).toBe(400);
    expect(self.body.error).toContain(`four eyes: admin started run ${held.body.id}, so someone else must approve it`);

    const approved = await call<JournalRecord>(t, 'POST', '/api/sync', {
      body: { approve: held.body.id },
      as: 'deploy-bot',
    });
    expect(approved.status).toBe(201);
    expect(approved.body).toMatchObject({
      status: 'succeeded',
      trigger: 'approval',
      approvedRun: held.body.id,
      actor: 'deploy-bot',
    });
    const after = await call<StatusReport>(t, 'GET', '/api/status');
    expect(after.body.heldPlans).toEqual([]);
    expect(after.body.runs[0]).toMatchObject({ id: approved.body.id, trigger: 'approval', approvedRun: held.body.id });
  });
});
