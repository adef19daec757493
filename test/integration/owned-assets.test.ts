import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { apiClient } from '../support/stand-in-client.js';
import { SCIM_TOKEN, e2eDirectory, e2eMapping, makeWorkspace, teammates } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/** Heap's guide: "check if the user owns events, funnels, segments, dashboards … transfer ownership" first. */
describe('owned assets: a user who owns assets is not lowered unnoticed', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeEach(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    // alice owns 12 assets in Heap, as an administrator sees on her profile
    const set = await apiClient(standIn)('PATCH', '/teammates/alice@example.com', {
      ownedAssets: 12,
      lastActiveAt: '2026-10-30T09:00:00Z',
    });
    expect(set.status).toBe(200);
    // she leaves every group: unmappedUsers deactivates her
    const directory = e2eDirectory();
    directory.groups = directory.groups.map((g) => ({ ...g, members: g.members.filter((m) => m !== 'u-alice') }));
    ws.writeDirectory(directory);
  });
  afterEach(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('holds the deactivation of an asset owner (guards.ownedAssets: hold) until someone confirms the transfer', async () => {
    ws.writeMapping(e2eMapping({ ownedAssets: 'hold' }));

    const plan = await ws.json<Plan>(['plan']);
    const deactivation = plan.changes.find((c) => c.user === 'alice@example.com' && c.entitlement === 'membership');
    expect(deactivation).toMatchObject({
      to: 'deactivated',
      risk: expect.arrayContaining(['revokes-access', 'owns-assets']),
      ownedAssets: 12,
      lastActiveAt: '2026-10-30T09:00:00Z',
    });
    expect(plan.changes.filter((c) => c.user === 'bob@example.com').every((c) => !c.risk.includes('owns-assets'))).toBe(
      true,
    );
    expect(plan).toMatchObject({ held: true, heldBy: 'ownedAssets' });

    const held = await ws.cli(['sync', '--json']);
    expect(held.code).toBe(4);
    const heldRecord = JSON.parse(held.stdout) as JournalRecord;
    expect(heldRecord).toMatchObject({ status: 'held', plan: { heldBy: 'ownedAssets' } });
    expect(heldRecord.preSyncFacts?.['alice@example.com']).toEqual({
      ownedAssets: 12,
      lastActiveAt: '2026-10-30T09:00:00Z',
    });
    expect((await teammates(standIn.url)).get('alice@example.com')?.membership).toBe('active');

    const text = await ws.cli(['journal', 'show', heldRecord.id]);
    expect(text.stdout).toContain('owns 12 assets, last active 2026-10-30: transfer them first');
    expect(text.stdout).toContain(`held until the asset transfer is confirmed: heap-access-sync sync --approve`);

    // the transfer is done; another administrator confirms it by approving the held plan (four eyes)
    const approved = await ws.json<JournalRecord>(['sync', '--approve', heldRecord.id, '--actor', 'farah@example.com']);
    expect(approved).toMatchObject({ status: 'succeeded', approvedRun: heldRecord.id });
    expect((await teammates(standIn.url)).get('alice@example.com')?.membership).toBe('deactivated');
  });

  it('flags the owner and goes ahead under the default (guards.ownedAssets: warn)', async () => {
    const result = await ws.cli(['sync', '--json']);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout) as JournalRecord;
    expect(record.plan?.held).toBe(false);
    expect(record.plan?.warnings).toContainEqual(expect.stringContaining('alice@example.com (12)'));
    expect(record.results.find((r) => r.change.entitlement === 'membership')?.change.risk).toContain('owns-assets');
    expect((await teammates(standIn.url)).get('alice@example.com')?.membership).toBe('deactivated');
  });
});
