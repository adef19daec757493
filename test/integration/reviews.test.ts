import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { ReviewCampaign, ReviewItem } from '../../src/domain/review.js';
import type { ReviewEvidence } from '../../src/services/review-export.js';
import { startTestStandIn } from '../support/stand-in.js';
import { apiClient } from '../support/stand-in-client.js';
import { SCIM_TOKEN, makeWorkspace, teammates } from '../support/e2e-setup.js';
import { addException } from '../support/exceptions.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
type Plan = { changes: { user: string; entitlement: string }[] };
const heap0 = (heap: Map<string, Record<string, string>>) => heap.get('carol@example.com')?.[GOVERN_STAGING];
type Shown = { campaign: ReviewCampaign; items: ReviewItem[] };

const ADMIN = 'admin@example.com';
const RITA = 'rita@example.com';
const ALICE = 'alice@example.com';
const GOVERN_STAGING = 'module:govern:web-staging';

/** Heap's guide: "Review quarterly: verify all users still need current access levels", with sign-off. */
describe('access reviews through the CLI', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;
  let started: Shown;
  const item = (user: string, entitlement: string) => {
    const found = started.items.find((i) => i.user === user && i.entitlement === entitlement);
    if (!found) throw new Error(`no item ${user} ${entitlement}`);
    return found;
  };

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    // and bob holds a temporary production Admin
    const added = await addException(ws.cli, {
      user: 'bob@example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'tracking plan rollout',
      approver: ADMIN,
      expires: '30d',
    });
    expect(added.code, added.stderr).toBe(0);
    expect((await ws.cli(['sync'])).code).toBe(0);
    const api = apiClient(standIn);
    // someone makes carol org Admin by hand in Heap; alice was active last week and owns dashboards
    expect((await api('PATCH', '/teammates/carol@example.com', { entitlement: 'org', value: 'Admin' })).status).toBe(
      200,
    );
    expect(
      (await api('PATCH', `/teammates/${ALICE}`, { ownedAssets: 4, lastActiveAt: new Date().toISOString() })).status,
    ).toBe(200);
    // and gives carol Govern on web-staging, which a reviewer will make permanent
    expect(
      (await api('PATCH', '/teammates/carol@example.com', { entitlement: GOVERN_STAGING, value: 'viewer' })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('starts a campaign from what Heap has: the manual org Admin and the exception are items, flagged', async () => {
    started = await ws.json<Shown>([
      'reviews',
      'start',
      '--reviewers',
      `${RITA},${ALICE}`,
      '--actor',
      ADMIN,
      '--due',
      '14d',
    ]);
    expect(started.campaign).toMatchObject({ status: 'open', reviewers: [RITA, ALICE], items: started.items.length });
    expect(item('carol@example.com', 'org')).toMatchObject({
      actual: 'Admin',
      drift: true,
      flags: expect.arrayContaining(['admin', 'drift']),
    });
    expect(item('bob@example.com', 'project:web-prod')).toMatchObject({
      actual: 'Admin',
      desired: 'Member',
      exception: expect.objectContaining({ value: 'Admin', reason: 'tracking plan rollout' }),
      flags: expect.arrayContaining(['admin', 'exception']),
    });
    expect(item(ALICE, 'project:web-prod')).toMatchObject({
      ownedAssets: 4,
      reasons: ['rule analysts (group Analytics, file)'],
      unchangedSince: null,
    });
    // the stand-in reports activity: bob never used Heap
    expect(item('bob@example.com', 'project:web-prod').flags).toContain('unused-90-days');
    expect(item(ALICE, 'project:web-prod').flags).not.toContain('unused-90-days');
  });

  it('takes decisions with a justification from reviewers, never on their own access', async () => {
    const id = started.campaign.id;
    const own = await ws.cli([
      'reviews',
      'decide',
      id,
      item(ALICE, 'project:web-prod').id,
      'keep',
      '--actor',
      ALICE,
      '--reason',
      'I need it',
    ]);
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('reviewers never decide on their own access');
    const outsider = await ws.cli([
      'reviews',
      'decide',
      id,
      item(ALICE, 'org').id,
      'keep',
      '--actor',
      'eve@example.com',
      '--reason',
      'x',
    ]);
    expect(outsider.code).toBe(2);
    expect(outsider.stderr).toContain('eve@example.com is not a reviewer');

    const decide = (i: ReviewItem, actor: string, decision: string, reason: string, value?: string) =>
      ws.json<ReviewItem>([
        'reviews',
        'decide',
        id,
        i.id,
        decision,
        '--actor',
        actor,
        '--reason',
        reason,
        ...(value ? ['--value', value] : []),
      ]);
    expect((await decide(item(ALICE, 'project:web-prod'), RITA, 'keep', 'owns the funnels')).decision).toMatchObject({
      decision: 'keep',
      actor: RITA,
    });
    await decide(item('carol@example.com', 'org'), ALICE, 'revoke', 'no one approved an org Admin');
    await decide(item('bob@example.com', 'project:web-prod'), RITA, 'reduce', 'rollout done', 'Viewer');
    await decide(item('carol@example.com', GOVERN_STAGING), RITA, 'make-permanent', 'runs the staging tracking plan');
  });

  it('closes through the ordinary sync: the revoke and the reduction reach Heap, undecided items are kept', async () => {
    const id = started.campaign.id;
    const closed = await ws.json<ReviewCampaign>(['reviews', 'close', id, '--actor', ADMIN, '--default', 'keep']);
    expect(closed).toMatchObject({ status: 'closed', closedBy: ADMIN });
    expect(closed.remediation).toMatchObject({ runStatus: 'succeeded', defaultDecision: 'keep' });
    // the revoke, the reduction, and the drift made permanent (held until the IdP change the suggestion names)
    expect(closed.remediation?.exceptionsAdded).toHaveLength(3);
    expect(closed.remediation?.undecided).toBe(started.items.length - 4);
    expect(closed.remediation?.suggestions).toEqual(
      expect.arrayContaining([expect.stringContaining(`carol@example.com ${GOVERN_STAGING} = viewer`)]),
    );
    expect(heap0(await teammates(standIn.url))).toBe('viewer');
    expect((await ws.json<Plan>(['plan'])).changes.filter((c) => c.entitlement === GOVERN_STAGING)).toEqual([]);
    const heap = await teammates(standIn.url);
    expect(heap.get('carol@example.com')?.org).toBe('Member');
    expect(heap.get('bob@example.com')?.['project:web-prod']).toBe('Viewer');
    expect(heap.get(ALICE)?.['project:web-prod']).toBe('Member');
    const run = await ws.json<JournalRecord>(['journal', 'show', closed.remediation!.runId!]);
    expect(run).toMatchObject({ trigger: 'review', actor: ADMIN });
  });

  it('exports the evidence, and every decision is a record of the verified journal chain', async () => {
    const id = started.campaign.id;
    const evidence = JSON.parse((await ws.cli(['reviews', 'export', id, '--format', 'json'])).stdout) as ReviewEvidence;
    const decided = evidence.items.filter((i) => i.decision);
    expect(decided).toHaveLength(4);
    expect(evidence.campaign.journalEnd?.sequence).toBeGreaterThan(evidence.campaign.journalStart.sequence);
    const verify = await ws.json<{ ok: boolean; records: number }>(['journal', 'verify']);
    expect(verify.ok).toBe(true);
    expect(verify.records).toBeGreaterThanOrEqual(evidence.campaign.journalEnd!.sequence);
    for (const i of decided) {
      const record = await ws.json<JournalRecord>(['journal', 'show', i.decision!.journalId]);
      expect(record).toMatchObject({
        trigger: 'review',
        status: 'recorded',
        actor: i.decision!.actor,
        review: { campaign: id, event: 'decided', item: i.id, decision: i.decision!.decision },
      });
      expect(record.sequence).toBeLessThanOrEqual(evidence.campaign.journalEnd!.sequence);
    }
    const csv = (await ws.cli(['reviews', 'export', id, '--format', 'csv'])).stdout;
    expect(csv).toContain(
      `# journal at close: #${evidence.campaign.journalEnd!.sequence} ${evidence.campaign.journalEnd!.hash}`,
    );
    expect(csv).toContain('carol@example.com,org,Admin,Member,yes');
    const html = (await ws.cli(['reviews', 'export', id, '--format', 'html'])).stdout;
    expect(html).toContain('<h1>Access review');
    expect(html).toContain('no one approved an org Admin');
  });

  it('a delta review says which items are unchanged since the last closed campaign', async () => {
    const next = await ws.json<Shown>(['reviews', 'start', '--reviewers', RITA, '--actor', ADMIN]);
    const alice = next.items.find((i) => i.user === ALICE && i.entitlement === 'project:web-prod');
    expect(alice?.unchangedSince).toEqual({ campaign: started.campaign.id, decision: 'keep' });
    const bob = next.items.find((i) => i.user === 'bob@example.com' && i.entitlement === 'project:web-prod');
    expect(bob).toMatchObject({ actual: 'Viewer', unchangedSince: null });
    expect(next.items.find((i) => i.user === 'carol@example.com' && i.entitlement === 'org')).toMatchObject({
      actual: 'Member',
      unchangedSince: null,
    });
  });
});
