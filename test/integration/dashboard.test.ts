import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { ROOT } from '../support/cli.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test/artifacts');
/** an analyst: Member on web-staging; someone makes them Admin by hand */
const ERIN = 'erin.walsh@acme.example';
/** UX research: Tracking Plan Viewer on web-prod; someone makes them Editor by hand */
const LENA = 'lena.fischer@acme.example';
/** an engineer who leaves every group: the revocation that holds the run */
const QUINN_ID = 'u017';

async function post(t: TestRuntime, body: unknown): Promise<JournalRecord> {
  const res = await fetch(`${t.url}/api/sync`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as JournalRecord;
}

async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#runs table').waitFor();
}

describe('dashboard in headless Chromium', () => {
  let t: TestRuntime;
  let browser: Browser;
  let held: JournalRecord;
  const contexts: BrowserContext[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    // Given a sync, then manual changes in Heap (drift), then a directory change that revokes (held: maxRevocations 0)
    t = await startTestRuntime({ maxRevocations: 0 });
    expect((await post(t, {})).status).toBe('succeeded');
    await t.changeInHeap(ERIN, 'project:web-staging', 'Admin');
    await t.changeInHeap(LENA, 'module:govern:web-prod', 'editor');
    const directory = t.readDirectory();
    directory.groups = directory.groups.map((g) => ({ ...g, members: g.members.filter((m) => m !== QUINN_ID) }));
    t.writeDirectory(directory);
    held = await post(t, {});
    expect(held.status).toBe('held');

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.close();
  });

  it('asks for a token and refuses a wrong one', async () => {
    const page = await newPage();
    await page.goto(t.url);
    await expect(page.locator('#login').isVisible()).resolves.toBe(true);
    await expect(page.locator('#app').isVisible()).resolves.toBe(false);
    await page.getByLabel('Access token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').textContent()).toContain('not valid');
  });

  it('shows the drift and the held plan; an admin makes an exception and approves the plan; the page shows the run', async () => {
    const page = await newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, t.url, t.tokens.deployBot);

    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'has_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.map((c) => c.value).join()).not.toContain(t.tokens.deployBot);
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as deploy-bot (admin)');

    // the drift, with its suggestion
    const erinRow = page.locator(`#drift tr[data-user="${ERIN}"][data-entitlement="project:web-staging"]`);
    await erinRow.waitFor();
    expect(await erinRow.textContent()).toContain('manual-override');
    expect(await erinRow.locator('.suggestion').textContent()).toBe(`add ${ERIN} to group "Heap Admins"`);
    // ... and what else that group would change for her (DESIGN §11): org Admin among them
    expect(await erinRow.locator('.side-effects').textContent()).toMatch(/^side effects: .*org Member → Admin/);
    // alerted now, reverted an hour after it was first seen (policy.revertAfter's default)
    // ... and who made the change by hand, from the stand-in's activity log, below it
    const revertsAt = erinRow.locator('td.reverts-at');
    expect(await revertsAt.textContent()).toMatch(/^reverts at .+\(in (59 min|1 h)\)/);
    expect(await revertsAt.locator('.changed-by').textContent()).toMatch(/^changed by \S+ \d{4}-\d\d-\d\d \d\d:\d\d$/);
    const lenaRow = page.locator(`#drift tr[data-user="${LENA}"][data-entitlement="module:govern:web-prod"]`);
    await lenaRow.waitFor();

    // the held plan, with what it revokes
    const heldCard = page.locator(`.held[data-run="${held.id}"]`);
    await heldCard.waitFor();
    expect(await heldCard.textContent()).toContain('maxRevocations');
    expect(await heldCard.textContent()).toContain('quinn.taylor@acme.example');
    // why each revocation is planned: Quinn is in no group any more, so the unmapped-users policy applies
    const quinnHeld = heldCard.locator('li', { hasText: 'quinn.taylor@acme.example' }).first();
    expect(await quinnHeld.locator('ul.reasons').textContent()).toContain('policy unmappedUsers');

    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // "make an exception" for Lena's manual change
    await lenaRow.getByRole('button', { name: 'Make an exception' }).click();
    const dialog = page.locator('#exception-dialog');
    await dialog.waitFor();
    await dialog.getByLabel(/Reason/).fill('Tracking plan migration, ticket DATA-1234');
    await dialog.getByLabel('Expires after').selectOption('3d');
    // four eyes: the signed-in person asks, so someone else approves; the dialog says so and stays open
    const error = dialog.locator('#exception-error');
    await dialog.getByRole('button', { name: 'Create exception' }).click();
    await error.waitFor();
    expect(await error.textContent()).toContain(
      'approver is required: four eyes (policy.fourEyes), so someone other than deploy-bot approves it',
    );
    await dialog.getByLabel(/Approved by/).fill('deploy-bot');
    await dialog.getByRole('button', { name: 'Create exception' }).click();
    await page.waitForFunction(() => document.querySelector('#exception-error')?.textContent?.includes('asks for'));
    expect(await error.textContent()).toContain('four eyes: deploy-bot asks for this exception');
    expect(await page.locator('#exceptions tr', { hasText: LENA }).count()).toBe(0);
    await dialog.getByLabel(/Approved by/).fill('farah.haddad@acme.example');
    await dialog.getByRole('button', { name: 'Create exception' }).click();
    await page.locator('#exceptions tr', { hasText: LENA }).waitFor();
    expect(await page.locator('#exceptions').textContent()).toContain('farah.haddad@acme.example');
    await page.locator(`#drift tr[data-user="${LENA}"]`).waitFor({ state: 'detached' });

    // approve the held plan
    page.once('dialog', (d) => void d.accept());
    await heldCard.getByRole('button', { name: 'Approve and apply' }).click();
    const approvalRow = page.locator('#runs tr', { hasText: 'approval' });
    await approvalRow.first().waitFor();
    expect(await approvalRow.first().textContent()).toContain('succeeded');
    expect(await approvalRow.first().textContent()).toContain(`approves ${held.id}`);
    expect(await approvalRow.first().textContent()).toContain('deploy-bot');
    await heldCard.waitFor({ state: 'detached' });
    await page.locator('#held-section').waitFor({ state: 'hidden' });
    // the approval applied the held plan; Erin's manual change is still inside its grace, so it stays
    expect(await erinRow.isVisible()).toBe(true);

    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-approval.png'), fullPage: true });

    // the approval run's page, from the runs table: its plan with reasons, its results, Heap before and after
    const approvalId = await approvalRow.first().getAttribute('data-run');
    await approvalRow.first().locator('a.run-link').click();
    await page.locator('#run-view').waitFor();
    expect(page.url()).toContain(`#run=${approvalId}`);
    expect(await page.locator('#overview').isHidden()).toBe(true);
    expect(await page.locator('#run-id').textContent()).toBe(approvalId);
    expect(await page.locator('#run-view .run-facts').textContent()).toContain(`approves ${held.id}`);
    const quinnPlanned = page.locator('#run-plan tr[data-user="quinn.taylor@acme.example"]').first();
    await quinnPlanned.waitFor();
    expect(await quinnPlanned.textContent()).toContain('policy unmappedUsers');
    const quinnResult = page.locator('#run-results tr[data-user="quinn.taylor@acme.example"]').first();
    expect(await quinnResult.textContent()).toContain('applied');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-run.png'), fullPage: true });
    await page.locator('#run-back').click();
    await page.locator('#overview').waitFor();
    expect(await page.locator('#run-view').isHidden()).toBe(true);

    // "Revert now" does not wait out the grace: Erin's manual Admin goes back to the mapping's Member (with the
    // mass-change guard back at its default, or this runtime would hold the one revocation too)
    for (const name of fs.readdirSync(path.join(t.dir, 'mappings'))) {
      const file = path.join(t.dir, 'mappings', name);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/maxRevocations:\s*0\b/, 'maxRevocations: 25'));
    }
    expect((await t.rt.mapping.reload()).reloadError).toBeNull();
    page.once('dialog', (d) => void d.accept());
    await erinRow.getByRole('button', { name: 'Revert now' }).click();
    await erinRow.waitFor({ state: 'detached' });
    const revert = page.locator('#runs tr', { hasText: 'api' }).first();
    await revert.locator('a.run-link').click();
    const erinState = page.locator(
      `#run-state tr.changed[data-user="${ERIN}"][data-entitlement="project:web-staging"]`,
    );
    await erinState.waitFor();
    expect(await erinState.locator('td').nth(2).textContent()).toBe('Admin');
    expect(await erinState.locator('td').nth(3).textContent()).toBe('Member');
    await page.locator('#run-back').click();
    expect(pageErrors).toEqual([]);
  });

  it('lists every active exception, not only those expiring soon, and an admin revokes one', async () => {
    const res = await fetch(`${t.url}/api/exceptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user: LENA,
        entitlement: 'project:web-dev',
        value: 'Admin',
        reason: 'quarter-long migration',
        approver: 'farah.haddad@acme.example',
        expires: '60d',
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string };
    const page = await newPage();
    await signIn(page, t.url, t.tokens.deployBot);
    const row = page.locator(`#exceptions tr[data-exception="${created.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('quarter-long migration');
    expect(await row.textContent()).not.toContain('expires soon');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await fetch(`${t.url}/api/exceptions/${created.id}`, {
      headers: { Authorization: `Bearer ${t.tokens.admin}` },
    });
    expect(((await after.json()) as { revokedAt: string | null }).revokedAt).toBeTruthy();
  });

  it('has a favicon, without a token', async () => {
    const page = await newPage();
    await page.goto(t.url);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');
    for (const icon of ['/favicon.svg', '/favicon.ico']) {
      const res = await fetch(`${t.url}${icon}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(await res.text()).toMatch(/^<svg /);
    }
  });

  it('escapes what comes from outside', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const res = await fetch(`${t.url}/api/exceptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.tokens.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user: ERIN,
        entitlement: 'org',
        value: 'Member',
        reason: hostile,
        approver: 'farah.haddad@acme.example',
        expires: '2d',
      }),
    });
    expect(res.status).toBe(201);
    const page = await newPage();
    await signIn(page, t.url, t.tokens.viewer);
    await page.locator('#exceptions td', { hasText: hostile }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#exceptions img').count()).toBe(0);
  });

  it("a user's page: Heap now beside what the mapping wants, the active exception, and the history", async () => {
    const page = await newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, t.url, t.tokens.viewer);
    // Lena: her manual Tracking Plan Editor grant, accepted by an exception in the first test
    await page.goto(`${t.url}/#user=${encodeURIComponent(LENA)}`);
    await page.locator('#user-view').waitFor();
    expect(await page.locator('#user-id').textContent()).toBe(LENA);
    expect(await page.locator('#overview').isHidden()).toBe(true);
    const govern = page.locator('#user-access tr[data-entitlement="module:govern:web-prod"]');
    await govern.waitFor();
    expect(await govern.locator('td').nth(1).textContent()).toBe('editor');
    const exception = page.locator('#user-exceptions tr').nth(1);
    await exception.waitFor();
    expect(await exception.textContent()).toContain('Tracking plan migration, ticket DATA-1234');
    const created = page.locator(
      '#user-history tr[data-kind="exception-created"][data-entitlement="module:govern:web-prod"]',
    );
    await created.waitFor();
    expect(await created.textContent()).toContain('deploy-bot');
    expect(await created.textContent()).toMatch(/until \d{4}-/);
    const seen = page.locator('#user-history tr[data-kind="drift-seen"][data-entitlement="module:govern:web-prod"]');
    expect(await seen.count()).toBe(1);
    expect(await seen.textContent()).toContain('changed by hand in Heap');
    expect(await page.locator('#user-history tr[data-kind="change"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-user.png'), fullPage: true });
    await page.locator('#user-back').click();
    await page.locator('#overview').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('a viewer sees everything but no action buttons', async () => {
    await t.changeInHeap(ERIN, 'project:web-dev', 'Admin');
    const page = await newPage();
    await signIn(page, t.url, t.tokens.viewer);
    await page.locator(`#drift tr[data-user="${ERIN}"][data-entitlement="project:web-dev"]`).waitFor();
    await page.locator('#runs tr', { hasText: 'approval' }).first().waitFor();
    expect(await page.locator('#who-text').textContent()).toBe('Signed in as viewer (viewer)');
    expect(await page.locator('[data-action]').count()).toBe(0);
    const buttons = await page.getByRole('button').allTextContents();
    expect(buttons).toEqual(['Sign out']);
  });

  it('shows a banner when the last mapping reload failed', async () => {
    const broken = path.join(t.dir, 'mappings', '99-broken.yaml');
    fs.writeFileSync(
      broken,
      'apiVersion: heap-access-sync/v1\nrules:\n  - name: oops\n    group: Nobody\n    projects: { web-prd: Admin }\n',
    );
    const status = await t.rt.mapping.reload();
    expect(status.reloadError).not.toBeNull();
    const page = await newPage();
    await signIn(page, t.url, t.tokens.viewer);
    const banner = page.locator('#reload-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('web-prd');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-reload-failed.png'), fullPage: true });
    fs.rmSync(broken);
    await t.rt.mapping.reload();
    await banner.waitFor({ state: 'detached' });
  });

  it('signs out', async () => {
    const page = await newPage();
    await signIn(page, t.url, t.tokens.viewer);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#login').waitFor();
    expect((await page.context().cookies()).find((c) => c.name === 'has_session')).toBeUndefined();
  });
});
