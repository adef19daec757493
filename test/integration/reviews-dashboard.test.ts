import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewCampaign, ReviewItem } from '../../src/domain/review.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** the approver account of the test runtime: the reviewer signing in */
const REVIEWER = 'ops-approver';

type Shown = { campaign: ReviewCampaign; items: ReviewItem[] };

async function api<T>(t: TestRuntime, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.url}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('the reviewer page in headless Chromium', () => {
  let t: TestRuntime;
  let browser: Browser;
  let started: Shown;

  beforeAll(async () => {
    t = await startTestRuntime();
    await api(t, t.tokens.admin, 'POST', '/sync', {});
    started = await api<Shown>(t, t.tokens.deployBot, 'POST', '/reviews', { reviewers: [REVIEWER], due: '7d' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists the reviewer their items and records a decision with its justification', async () => {
    expect(started.items.length).toBeGreaterThan(0);
    const page = await (await browser.newContext()).newPage();
    await page.goto(t.url);
    await page.getByLabel('Access token').fill(t.tokens.approver);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#runs table').waitFor();
    await page.goto(`${t.url}/reviews`);
    await page.locator('#items table').waitFor();
    await expect.poll(() => page.locator('#progress').textContent()).toBe(`0 of ${started.items.length} decided`);

    const target = started.items.find((i) => i.flags.includes('admin')) ?? started.items[0]!;
    const row = page.locator(`tr[data-item="${target.id}"]`);
    await row.getByLabel(/Decision for/).selectOption('revoke');
    await row.getByLabel(/Justification for/).fill('no longer on the data team');
    await row.getByRole('button', { name: 'Decide' }).click();
    await row.locator('.decided').waitFor();
    expect(await row.locator('.decided').textContent()).toContain('no longer on the data team');
    await expect.poll(() => page.locator('#progress').textContent()).toBe(`1 of ${started.items.length} decided`);

    const shown = await api<Shown>(t, t.tokens.viewer, 'GET', `/reviews/${started.campaign.id}`);
    expect(shown.items.find((i) => i.id === target.id)?.decision).toMatchObject({
      decision: 'revoke',
      actor: REVIEWER,
      reason: 'no longer on the data team',
    });
  });
});
