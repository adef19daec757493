import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssistedTask } from '../../src/domain/task.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('dashboard capability banner and tasks in headless Chromium (heap-documented target)', () => {
  let t: TestRuntime;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestRuntime({ profile: 'heap-documented' });
    expect((await t.rt.sync.run({ trigger: 'cli' })).record.status).toBe('succeeded');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('says at the top what this target enforces, and lets an admin mark a task done', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await context.newPage();
    await page.goto(t.url);
    await page.getByLabel('Access token').fill(t.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const banner = page.locator('#capability-banner');
    await banner.waitFor();
    expect(await banner.locator('h2').textContent()).toBe('This Heap target cannot enforce everything');
    expect(await banner.locator('[data-enforcement="enforced"]').textContent()).toBe(
      'Enforced: written to Heap and checked on every run: membership, Team membership',
    );
    expect(await banner.locator('[data-enforcement="assisted"]').textContent()).toContain('Team project bindings');
    expect(await banner.locator('[data-enforcement="unobservable"]').textContent()).toContain(
      'organization role, project access, module permissions',
    );
    // the banner comes before everything else the page shows
    const first = await page.locator('#app > *:not([hidden])').first().getAttribute('id');
    expect(first).toBe('capabilities');

    const pending = (
      (await (
        await fetch(`${t.url}/api/tasks`, { headers: { Authorization: `Bearer ${t.tokens.admin}` } })
      ).json()) as { tasks: AssistedTask[] }
    ).tasks;
    expect(Number(await page.locator('#tasks-count').textContent())).toBe(pending.length);
    // the panel lists the oldest tasks first (the first 100; the counts are complete)
    const task = pending.find((x) => !x.user.startsWith('team:'))!;
    const row = page.locator(`#tasks tr[data-task="${task.id}"]`);
    expect(await row.textContent()).toContain(`Account → Manage → Members → ${task.user}`);
    page.once('dialog', (d) => void d.accept('set in Heap by hand'));
    await row.getByRole('button', { name: 'Mark done' }).click();
    await page.locator(`#tasks tr[data-task="${task.id}"][data-status="done"]`).waitFor();
    const stored = await t.rt.store.getTask(task.id);
    expect(stored).toMatchObject({ status: 'done', doneBy: 'admin' });
    expect(stored?.history.at(-1)).toMatchObject({ action: 'done', actor: 'admin', note: 'set in Heap by hand' });
    await context.close();
  });
});
