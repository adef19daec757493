import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithIdp, startTestOpenIdProvider, type TestOpenIdProvider } from '../fakes/openid-provider.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eDirectory, e2eMapping } from '../support/e2e-setup.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startLoadBalancer, type LoadBalancer } from '../support/load-balancer.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';
import { startTestStandIn } from '../support/stand-in.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = 'replicas-sessions-admin-token-0123456789';

/**
 * Two `serve` replicas on one PostgreSQL database behind a load balancer without stickiness: a person signs in with
 * the IdP through both (the callback comes back to the other replica) and is signed in on each, across a restart,
 * until they sign out on either (DESIGN §13).
 */
describe('dashboard sessions shared by serve replicas on one PostgreSQL database', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let idp: TestOpenIdProvider;
  let lb: LoadBalancer;
  /** who answers what behind the load balancer */
  let route: (path: string) => ServeProcess | undefined = () => undefined;
  let database: TestDatabase;
  let browser: Browser;
  let dir: string;
  const replicas: ServeProcess[] = [];
  const env = () => ({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: ADMIN,
    HEAP_SCIM_TOKEN: HEAP_TOKEN,
    OIDC_CLIENT_SECRET: idp.clientSecret,
  });
  const start = async (name: string): Promise<ServeProcess> => {
    const replica = await startServeProcess(path.join(dir, 'config.yaml'), { cwd: dir, env: env(), name });
    replicas.push(replica);
    return replica;
  };
  const stop = async (replica: ServeProcess) => {
    replica.child.kill('SIGTERM');
    expect((await replica.done).code).toBe(0);
  };
  const whoami = async (replica: ServeProcess, cookie: string) => {
    const res = await fetch(`${replica.url}/api/whoami`, { headers: { Cookie: `has_session=${cookie}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    database = await createTestDatabase('replicas_sessions');
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    idp = await startTestOpenIdProvider([
      { login: 'ada', email: 'Ada.Okafor@acme.example', name: 'Ada Okafor', groups: ['Staff', 'Heap Sync Admins'] },
    ]);
    lb = await startLoadBalancer((p) => route(p)!.url);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-replicas-sessions-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(e2eDirectory()));
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'mappings: ./mappings',
        'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
        'sources: [ { type: file, path: ./directory.json } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, writesPerSecond: 1000 }`,
        'server:',
        '  port: 0',
        `  publicUrl: ${lb.url}`,
        '  oidc:',
        `    issuer: ${idp.issuer}`,
        `    clientId: ${idp.clientId}`,
        '    clientSecretEnv: OIDC_CLIENT_SECRET',
        '    label: Test IdP',
        '    scopes: [openid, email, profile, groups]',
        '    adminGroups: [Heap Sync Admins]',
        '    approverGroups: [Heap Sync Approvers]',
        '    viewerGroups: [Heap Sync Viewers]',
        'schedule: null',
        'logLevel: info',
      ].join('\n'),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.done));
    await lb?.close();
    await idp?.close();
    await standIn?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('signs in through A and B, is signed in on each and on A restarted, and signing out on B ends it on A', async () => {
    let a = await start('replica-a');
    const b = await start('replica-b');
    // the sign-in starts on B and the IdP's callback comes back to A; A answers everything else
    route = (p) => (p === '/auth/login' ? b : a);
    idp.start(`${lb.url}/auth/callback`);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await signInWithIdp(page, { from: lb.url, idp, login: 'ada' });
    await page.locator('#runs').waitFor();
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as ada.okafor@acme.example (admin)');
    const cookie = (await context.cookies(lb.url)).find((c) => c.name === 'has_session')!.value;
    const ada = { role: 'admin', name: 'ada.okafor@acme.example' };

    // B never saw the sign-in: its API and its dashboard know her from the database
    expect(await whoami(b, cookie)).toEqual({ status: 200, body: ada });
    route = () => b;
    await page.reload();
    await page.locator('#runs').waitFor();
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as ada.okafor@acme.example (admin)');

    // the database holds the digest of the id only
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const stored = await client.query<Record<string, unknown>>('SELECT * FROM sessions');
      expect(stored.rows.map((r) => r.digest)).toEqual([createHash('sha256').update(cookie).digest('base64url')]);
      expect(JSON.stringify(stored.rows)).not.toContain(cookie);
    } finally {
      await client.end();
    }

    // a restart signs nobody out
    await stop(a);
    a = await start('replica-a');
    expect(await whoami(a, cookie)).toEqual({ status: 200, body: ada });

    // signing out on B (the load balancer sends the dashboard there): the copied cookie is worthless on A too
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login').waitFor();
    expect((await whoami(a, cookie)).status).toBe(401);
    expect((await whoami(b, cookie)).status).toBe(401);
    await context.close();
  });
});
