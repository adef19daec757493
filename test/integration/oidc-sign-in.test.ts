import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startOidcDashboard, type OidcDashboard } from '../support/oidc-dashboard.js';

const USERS = [
  { login: 'ada', email: 'Ada.Okafor@acme.example', name: 'Ada Okafor', groups: ['Staff', 'Heap Sync Admins'] },
  { login: 'vic', email: 'vic.moreau@acme.example', name: 'Vic Moreau', groups: ['Staff', 'Heap Sync Viewers'] },
  { login: 'pat', email: 'pat.lind@acme.example', name: 'Pat Lind', groups: ['Staff'] },
];

describe('sign-in with OpenID Connect through a real OpenID provider, in headless Chromium', () => {
  let dashboard: OidcDashboard;
  let t: OidcDashboard['t'];
  const newPage = () => dashboard.newPage();
  const signInWithIdp = (page: Page, login: string) => dashboard.signInWithIdp(page, login);

  beforeAll(async () => {
    dashboard = await startOidcDashboard(USERS);
    t = dashboard.t;
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  const inPage = (page: Page, method: string, path: string, body?: unknown) =>
    page.evaluate(
      async ([m, p, b]) => {
        const res = await fetch(p as string, {
          method: m as string,
          headers: { 'Content-Type': 'application/json', 'X-Heap-Access-Sync': 'dashboard' },
          ...(b !== undefined && { body: JSON.stringify(b) }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      },
      [method, path, body] as const,
    );

  it('signs an admin in; what they do is journaled under the e-mail the IdP proved', async () => {
    const page = await newPage();
    await signInWithIdp(page, 'ada');
    await page.locator('#runs').waitFor();
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as ada.okafor@acme.example (admin)');

    const run = await inPage(page, 'POST', '/api/sync', { dryRun: true });
    expect(run.status).toBe(201);
    const record = await t.rt.store.getJournal((run.body as unknown as JournalRecord).id);
    expect(record).toMatchObject({ status: 'dry-run', actor: 'ada.okafor@acme.example' });
  });

  it('keeps no bearer token in the cookie: a random session id, HttpOnly, SameSite=Strict', async () => {
    const page = await newPage();
    await signInWithIdp(page, 'ada');
    await page.locator('#runs').waitFor();
    const ours = (await page.context().cookies(t.url)).filter((c) => !c.name.startsWith('_'));
    expect(ours.map((c) => c.name)).toEqual(['has_session']);
    const session = ours[0]!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    // not a JWT (an ID or access token), not a service account's token
    expect(session.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.values(t.tokens)).not.toContain(session.value);
    // and worth nothing as a bearer token
    const asBearer = await fetch(`${t.url}/api/whoami`, { headers: { Authorization: `Bearer ${session.value}` } });
    expect(asBearer.status).toBe(401);
    const asCookie = await fetch(`${t.url}/api/whoami`, { headers: { Cookie: `has_session=${session.value}` } });
    expect(await asCookie.json()).toEqual({ role: 'admin', name: 'ada.okafor@acme.example' });
  });

  it('lets a member of a viewer group read, never write', async () => {
    const page = await newPage();
    await signInWithIdp(page, 'vic');
    await page.locator('#runs').waitFor();
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as vic.moreau@acme.example (viewer)');
    const before = (await t.rt.store.listJournal()).length;
    expect((await inPage(page, 'GET', '/api/status')).status).toBe(200);
    const sync = await inPage(page, 'POST', '/api/sync', {});
    expect(sync.status).toBe(403);
    const exception = await inPage(page, 'POST', '/api/exceptions', {
      user: 'vic.moreau@acme.example',
      entitlement: 'org',
      value: 'Admin',
      reason: 'I would like to be an admin',
      expires: '1d',
    });
    expect(exception.status).toBe(403);
    expect((await t.rt.store.listJournal()).length).toBe(before);
  });

  it('refuses someone whose groups give no role, and says why', async () => {
    const page = await newPage();
    await signInWithIdp(page, 'pat');
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').textContent()).toContain('none of your groups');
    expect((await page.context().cookies(t.url)).find((c) => c.name === 'has_session')).toBeUndefined();
  });

  it('signs out: the session ends on the server, so a copy of the cookie is worthless', async () => {
    const page = await newPage();
    await signInWithIdp(page, 'ada');
    await page.locator('#runs').waitFor();
    const copy = (await page.context().cookies(t.url)).find((c) => c.name === 'has_session')!.value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login').waitFor();
    expect((await page.context().cookies(t.url)).find((c) => c.name === 'has_session')).toBeUndefined();
    const replayed = await fetch(`${t.url}/api/whoami`, { headers: { Cookie: `has_session=${copy}` } });
    expect(replayed.status).toBe(401);
  });
});
