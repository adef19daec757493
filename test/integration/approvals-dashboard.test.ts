import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startOidcDashboard, type OidcDashboard } from '../support/oidc-dashboard.js';

const ERIN = { id: 'u005', email: 'erin.walsh@acme.example' };
const FARAH = 'farah.haddad@acme.example';
const HEAP_ADMINS = 'g01';
const OLI = 'oli.berg@acme.example';
const ADA = 'ada.okafor@acme.example';

const USERS = [
  { login: 'ada', email: ADA, name: 'Ada Okafor', groups: ['Heap Sync Admins'] },
  { login: 'oli', email: OLI, name: 'Oli Berg', groups: ['Heap Sync Approvers'] },
  // the subject of a grant who is an approver too: four eyes say someone else decides
  { login: 'erin', email: ERIN.email, name: 'Erin Walsh', groups: ['Heap Sync Approvers'] },
  { login: 'vic', email: 'vic.moreau@acme.example', name: 'Vic Moreau', groups: ['Heap Sync Viewers'] },
];

describe('the dashboard approvals panel: signed-in approvers decide pending grants, in headless Chromium', () => {
  let dashboard: OidcDashboard;
  let t: OidcDashboard['t'];

  const sync = async (): Promise<JournalRecord> => {
    const res = await fetch(`${t.url}/api/sync`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.tokens.deployBot}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    return (await res.json()) as JournalRecord;
  };
  const heapOrg = async (email: string) => (await t.rt.target.readAll()).find((m) => m.email === email)?.access.org;

  beforeAll(async () => {
    dashboard = await startOidcDashboard(USERS);
    t = dashboard.t;
    expect((await sync()).status).toBe('succeeded');
    const file = path.join(t.dir, 'mappings', '00-acme.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('  match: email\n', '  match: email\n  approvals: { orgAdmin: true }\n'),
    );
    await t.rt.mapping.reload();
    // the IdP makes Erin an org Admin: the grant waits for an approver
    const directory = t.readDirectory();
    directory.groups = directory.groups.map((g) =>
      g.id === HEAP_ADMINS ? { ...g, members: [...g.members, ERIN.id] } : g,
    );
    t.writeDirectory(directory);
    expect((await sync()).status).toBe('succeeded');
    expect(await heapOrg(ERIN.email)).toBe('Member');
  });
  afterAll(async () => {
    await dashboard?.close();
  });

  async function signInAs(login: string): Promise<Page> {
    const page = await dashboard.newPage();
    await dashboard.signInWithIdp(page, login);
    await page.locator('#runs table').waitFor();
    return page;
  }

  const row = (page: Page, user: string) => page.locator('#approvals tr[data-approval]').filter({ hasText: user });

  const decideInPage = (page: Page, id: string) =>
    page.evaluate(async (approval) => {
      const res = await fetch(`/api/approvals/${approval}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Heap-Access-Sync': 'dashboard' },
        body: JSON.stringify({ decision: 'approve', reason: 'I need it today' }),
      });
      return { status: res.status, body: (await res.json()) as { error?: string } };
    }, id);

  it('shows the subject their own waiting grant without a way to approve it, and the API refuses them', async () => {
    const page = await signInAs('erin');
    const erin = row(page, ERIN.email);
    await erin.waitFor();
    expect(await erin.getAttribute('data-status')).toBe('pending');
    expect(await erin.textContent()).toContain('the IdP change');
    expect(await erin.textContent()).toContain('you would get this access: someone else decides');
    expect(await erin.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    const self = await decideInPage(page, (await erin.getAttribute('data-approval'))!);
    expect(self.status).toBe(403);
    expect(self.body.error).toContain('someone else must decide it');
    expect((await t.rt.approvals.list())[0]!.status).toBe('pending');
  });

  it('shows a viewer the waiting grants, with no decision to make', async () => {
    const page = await signInAs('vic');
    await row(page, ERIN.email).waitFor();
    expect(await page.locator('#approvals-count').textContent()).toBe('1');
    expect(await page.locator('#approvals button').count()).toBe(0);
  });

  it('an approver approves with a reason; the decision names them, and the next run applies the grant', async () => {
    const page = await signInAs('oli');
    const erin = row(page, ERIN.email);
    await erin.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.locator('#approval-dialog');
    expect(await dialog.textContent()).toContain(ERIN.email);
    // a reason is required: the empty form does not submit
    await dialog.getByRole('button', { name: 'Approve' }).click();
    expect(await dialog.isVisible()).toBe(true);
    await page.locator('#approval-reason').fill('Erin takes over administration, ticket OPS-77');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#approvals tr[data-status="approved"]').waitFor();
    expect(await erin.locator('.decided-by').textContent()).toBe(` by ${OLI}`);
    expect(await erin.textContent()).toContain('Erin takes over administration, ticket OPS-77');

    const stored = (await t.rt.approvals.list())[0]!;
    expect(stored).toMatchObject({
      status: 'approved',
      decidedBy: OLI,
      reason: 'Erin takes over administration, ticket OPS-77',
    });
    const run = await sync();
    expect(run.results.find((r) => r.change.user === ERIN.email && r.change.entitlement === 'org')?.outcome).toBe(
      'applied',
    );
    expect(await heapOrg(ERIN.email)).toBe('Admin');
  });

  it('refuses the requester of an exception-driven grant; another approver rejects it and it is not applied', async () => {
    const ada = await signInAs('ada');
    const made = await ada.evaluate(async (user) => {
      const res = await fetch('/api/exceptions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Heap-Access-Sync': 'dashboard' },
        body: JSON.stringify({
          user,
          entitlement: 'org',
          value: 'Admin',
          reason: 'audit lead',
          approver: 'lead@acme.example',
          expires: '3d',
        }),
      });
      return res.status;
    }, FARAH);
    expect(made).toBe(201);
    await sync();
    await ada.reload();
    const farahForAda = row(ada, FARAH);
    await farahForAda.waitFor();
    expect(await farahForAda.textContent()).toContain(ADA);
    expect(await farahForAda.textContent()).toContain('you asked for it: someone else decides');
    expect(await farahForAda.getByRole('button').count()).toBe(0);

    const oli = await signInAs('oli');
    await row(oli, FARAH).getByRole('button', { name: 'Reject' }).click();
    await oli.locator('#approval-reason').fill('not without the change board');
    await oli.locator('#approval-dialog').getByRole('button', { name: 'Reject' }).click();
    await oli.locator('#toast p').filter({ hasText: 'rejected' }).waitFor();
    const rejected = (await t.rt.approvals.list({ all: true })).find((a) => a.user === FARAH)!;
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: OLI, requestedBy: ADA });
    await sync();
    expect(await heapOrg(FARAH)).not.toBe('Admin');
  });

  it('shows who did what: each action under the named person or account that did it', async () => {
    const page = await signInAs('vic');
    const rows = page.locator('#activity tr[data-ref]');
    await rows.first().waitFor();
    const text = async (ref: string) =>
      (await page.locator(`#activity tr[data-ref="${ref}"]`).allTextContents()).join('|');
    const approvals = await t.rt.approvals.list({ all: true });
    const erin = approvals.find((a) => a.user === ERIN.email)!;
    const farah = approvals.find((a) => a.user === FARAH)!;
    expect(await text(erin.id)).toContain(`${OLI}approved a grant${ERIN.email} org Admin`);
    expect(await text(farah.id)).toContain(`${OLI}rejected a grant${FARAH} org Admin`);
    expect(await text(farah.exceptionId!)).toContain(`${ADA}made an exception${FARAH} org Admin`);
    const lastRun = (await t.rt.store.listJournal({ limit: 1 }))[0]!;
    expect(await text(lastRun.id)).toContain('deploy-botran a sync');
    // newest first
    const times = await rows.locator('time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')!));
    expect(times).toEqual([...times].sort().reverse());
  });
});
