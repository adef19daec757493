import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewCampaign, ReviewItem } from '../../src/domain/review.js';
import type { ReviewEvidence } from '../../src/services/review-export.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

type Shown = { campaign: ReviewCampaign; items: ReviewItem[] };

/** The review API an auditor's tooling uses: a campaign scoped to one project, and its evidence in three formats. */
describe('access reviews over the API', () => {
  let t: TestRuntime;
  const call = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${t.url}/api${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    t = await startTestRuntime();
    expect((await call(t.tokens.admin, 'POST', '/sync', {})).ok).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a campaign for one project reviews that project only, and says so', async () => {
    const all = (await (
      await call(t.tokens.admin, 'POST', '/reviews', { reviewers: ['ops-approver'] })
    ).json()) as Shown;
    const res = await call(t.tokens.admin, 'POST', '/reviews', { reviewers: ['ops-approver'], project: 'web-prod' });
    expect(res.status).toBe(201);
    const scoped = (await res.json()) as Shown;
    expect(scoped.campaign.project).toBe('web-prod');
    expect(scoped.items.length).toBeGreaterThan(0);
    expect(scoped.items.length).toBeLessThan(all.items.length);
    for (const i of scoped.items)
      expect(['org', 'project:web-prod']).toContain(i.entitlement.replace(/^module:[^:]+:/, 'project:'));
  });

  it('refuses an unknown project and an unknown export format with 400, starting nothing', async () => {
    const before = ((await (await call(t.tokens.viewer, 'GET', '/reviews')).json()) as { campaigns: unknown[] })
      .campaigns.length;
    const res = await call(t.tokens.admin, 'POST', '/reviews', { reviewers: ['ops-approver'], project: 'no-such' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('unknown project "no-such"');
    const after = ((await (await call(t.tokens.viewer, 'GET', '/reviews')).json()) as { campaigns: unknown[] })
      .campaigns.length;
    expect(after).toBe(before);
    const [first] = ((await (await call(t.tokens.viewer, 'GET', '/reviews')).json()) as { campaigns: ReviewCampaign[] })
      .campaigns;
    const bad = await call(t.tokens.viewer, 'GET', `/reviews/${first!.id}/export?format=pdf`);
    expect(bad.status).toBe(400);
  });

  it('exports the evidence as csv, json and html, pinned to the journal head', async () => {
    const started = (await (
      await call(t.tokens.admin, 'POST', '/reviews', { reviewers: ['ops-approver'], project: 'web-prod' })
    ).json()) as Shown;
    const id = started.campaign.id;
    const json = await call(t.tokens.viewer, 'GET', `/reviews/${id}/export?format=json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    const evidence = (await json.json()) as ReviewEvidence;
    expect(evidence.campaign.id).toBe(id);
    expect(evidence.items).toHaveLength(started.items.length);
    expect(evidence.journalHead.sequence).toBeGreaterThan(0);

    const csv = await call(t.tokens.viewer, 'GET', `/reviews/${id}/export?format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain(`#${evidence.journalHead.sequence} ${evidence.journalHead.hash}`);
    expect(text.split('\n').filter((l) => l && !l.startsWith('#')).length).toBe(started.items.length + 1);

    const html = await call(t.tokens.viewer, 'GET', `/reviews/${id}/export?format=html`);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<h1>Access review');
  });
});
