/** `plan --out` and `sync --plan`: a reviewed plan is applied exactly, or refused when it went stale (issue 11). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedPlan } from '../../src/services/saved-plans.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, changeByHand, e2eDirectory, makeWorkspace, teammates } from '../support/e2e-setup.js';

describe('saved plans', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let ws: ReturnType<typeof makeWorkspace>;
  let planFile: string;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    planFile = path.join(ws.dir, 'plan.json');
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  const journalCount = async () => (await ws.json<unknown[]>(['journal', 'list'])).length;

  it('plan --out saves the plan with fingerprints; sync --plan applies exactly it', async () => {
    const planned = await ws.cli(['plan', '--out', planFile]);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(`wrote ${planFile}`);
    const saved = JSON.parse(fs.readFileSync(planFile, 'utf8')) as SavedPlan;
    expect(saved).toMatchObject({ format: 'heap-access-sync/saved-plan', version: 1, scope: null });
    expect(Object.keys(saved.fingerprints).sort()).toEqual(['heap', 'mapping', 'plan', 'sources']);
    expect(saved.plan.changes.length).toBeGreaterThan(0);

    const applied = await ws.json<{ status: string; results: { change: unknown; outcome: string }[] }>([
      'sync',
      '--plan',
      planFile,
    ]);
    expect(applied.status).toBe('succeeded');
    // the run applied the saved plan's changes, no more and no fewer
    const key = (c: { user: string; entitlement: string; to: string | null }) => `${c.user} ${c.entitlement} ${c.to}`;
    expect(applied.results.map((r) => key(r.change as never)).sort()).toEqual(
      saved.plan.changes.map((c) => key(c)).sort(),
    );
    expect(applied.results.every((r) => r.outcome === 'applied')).toBe(true);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');
  });

  it('refuses a plan made before Heap changed, exit 2, applying and journaling nothing', async () => {
    await changeByHand(standIn.url, 'bob@example.com', 'project:web-prod', 'Admin');
    expect((await ws.cli(['plan', '--out', planFile])).code).toBe(0);
    // after the plan was made, someone changes Heap again
    await changeByHand(standIn.url, 'carol@example.com', 'project:web-staging', 'Viewer');
    const before = await journalCount();
    const refused = await ws.cli(['sync', '--plan', planFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/saved plan is stale, so nothing was applied: since it was made, Heap changed/);
    expect(refused.stderr).toMatch(/Run plan --out again/);
    expect(await journalCount()).toBe(before);
    const heap = await teammates(standIn.url);
    expect(heap.get('bob@example.com')?.['project:web-prod']).toBe('Admin');
    expect(heap.get('carol@example.com')?.['project:web-staging']).toBe('Viewer');
  });

  it('refuses a plan made before the sources changed, naming them', async () => {
    expect((await ws.cli(['plan', '--out', planFile])).code).toBe(0);
    const directory = e2eDirectory();
    directory.groups.find((g) => g.id === 'g-analytics')!.members.push('u-admin');
    ws.writeDirectory(directory);
    const refused = await ws.cli(['sync', '--plan', planFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the sources' users or groups changed/);
    expect((await teammates(standIn.url)).get('bob@example.com')?.['project:web-prod']).toBe('Admin');
  });

  it('a file that is not a saved plan, or --plan with --user, is bad input', async () => {
    fs.writeFileSync(planFile, JSON.stringify({ changes: [] }));
    const notPlan = await ws.cli(['sync', '--plan', planFile]);
    expect(notPlan.code).toBe(2);
    expect(notPlan.stderr).toContain(`${planFile}: not a plan saved by plan --out`);
    expect((await ws.cli(['plan', '--out', planFile])).code).toBe(0);
    const withUser = await ws.cli(['sync', '--plan', planFile, '--user', 'bob@example.com']);
    expect(withUser.code).toBe(2);
    expect(withUser.stderr).toMatch(/--plan applies a saved plan as it is/);
  });
});
