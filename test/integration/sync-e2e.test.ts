import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { DriftItem, Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, changeByHand, e2eMapping, makeWorkspace, teammates } from '../support/e2e-setup.js';
import { addException } from '../support/exceptions.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/**
 * The first complete loop, through the real CLI and the stand-in over HTTP: sync from empty, a manual change
 * in Heap detected as drift, reverted or kept per policy, accepted by an exception until it expires.
 */
describe('sync end to end through the CLI and the Heap stand-in', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('syncs an empty Heap to the desired access', async () => {
    const result = await ws.cli(['sync']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const heap = await teammates(standIn.url);
    expect(heap.get('admin@example.com')).toEqual({
      membership: 'active',
      org: 'Admin',
      'project:web-staging': 'Admin',
    });
    expect(heap.get('alice@example.com')).toEqual({
      membership: 'active',
      org: 'Member',
      'project:web-prod': 'Member',
      'project:web-staging': 'Admin',
      'module:govern:web-prod': 'viewer',
    });
    expect(heap.get('carol@example.com')?.['project:web-prod']).toBe('Admin');
    // dave is inactive in the IdP: never created
    expect(heap.has('dave@example.com')).toBe(false);
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
  });

  it('reports a manual change as drift with the IdP change that would make it permanent, and reverts it', async () => {
    await changeByHand(standIn.url, 'alice@example.com', 'project:web-prod', 'Admin');
    const { drift } = await ws.json<{ drift: DriftItem[] }>(['drift']);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({
      user: 'alice@example.com',
      entitlement: 'project:web-prod',
      baseline: 'Member',
      actual: 'Admin',
      desired: 'Member',
      cause: 'manual-override',
      action: 'revert',
    });
    expect(drift[0]!.suggestion).toContain('Heap Prod Admins');
    expect((await ws.cli(['drift', '--fail-on-drift'])).code).toBe(3);

    const record = await ws.json<JournalRecord>(['sync']);
    expect(record.status).toBe('succeeded');
    expect(record.results).toEqual([
      expect.objectContaining({
        outcome: 'applied',
        change: expect.objectContaining({
          entitlement: 'project:web-prod',
          from: 'Admin',
          to: 'Member',
          cause: 'manual-override',
        }),
      }),
    ]);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');
    expect((await ws.cli(['drift', '--fail-on-drift'])).code).toBe(0);
  });

  it('leaves a manual change in place and keeps reporting it when the policy keeps manual overrides', async () => {
    ws.writeMapping(e2eMapping({ manualOverrides: 'keep' }));
    await changeByHand(standIn.url, 'bob@example.com', 'project:web-prod', 'Viewer');
    const first = await ws.json<JournalRecord>(['sync']);
    expect(first.results).toEqual([]);
    expect(first.plan?.drift).toEqual([expect.objectContaining({ user: 'bob@example.com', action: 'keep' })]);
    expect(first.postSyncDiff).toEqual([
      expect.objectContaining({ user: 'bob@example.com', entitlement: 'project:web-prod', actual: 'Viewer' }),
    ]);
    const second = await ws.json<JournalRecord>(['sync']);
    expect(second.plan?.drift).toHaveLength(1);
    expect((await teammates(standIn.url)).get('bob@example.com')?.['project:web-prod']).toBe('Viewer');
    ws.writeMapping(e2eMapping());
    expect((await ws.json<JournalRecord>(['sync'])).status).toBe('succeeded');
    expect((await teammates(standIn.url)).get('bob@example.com')?.['project:web-prod']).toBe('Member');
  });

  it('keeps a manual change accepted by an exception until the exception expires, then reverts it and says why', async () => {
    await changeByHand(standIn.url, 'alice@example.com', 'project:web-prod', 'Admin');
    const request = {
      fromDrift: true,
      user: 'alice@example.com',
      entitlement: 'project:web-prod',
      reason: 'incident INC-42',
      approver: 'carol@example.com',
      expires: '2d',
      json: true,
    };
    // four eyes: the requester (--actor) cannot approve it too; nothing is stored
    const self = await addException(ws.cli, { ...request, actor: 'Carol@example.com' });
    expect(self.code).toBe(2);
    expect(self.stderr).toContain(
      'four eyes: Carol@example.com asks for this exception, so someone else must approve it',
    );
    expect((await ws.json<{ exceptions: unknown[] }>(['exceptions', 'list'])).exceptions).toEqual([]);
    const created = await addException(ws.cli, { ...request, actor: 'dana@example.com' });
    expect(created.code).toBe(0);
    const exception = JSON.parse(created.stdout) as { id: string; value: string };
    expect(exception.value).toBe('Admin');

    const during = await ws.json<JournalRecord>(['sync']);
    expect(during.results).toEqual([]);
    expect(during.plan?.drift).toEqual([]);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Admin');

    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
    const after = await ws.json<JournalRecord>(['sync'], { HEAP_ACCESS_SYNC_FAKE_NOW: later });
    expect(after.status).toBe('succeeded');
    const revert = after.results.find((r) => r.change.user === 'alice@example.com');
    expect(revert?.outcome).toBe('applied');
    expect(revert?.change).toMatchObject({ from: 'Admin', to: 'Member', cause: 'exception' });
    expect(revert?.change.reasons).toContainEqual(expect.objectContaining({ exception: exception.id, expired: true }));
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');

    const shown = await ws.cli(['journal', 'show', after.id]);
    expect(shown.stdout).toContain('alice@example.com project:web-prod: Admin -> Member');
    expect((await ws.cli(['journal', 'verify'])).code).toBe(0);
  });
});
