import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, changeByHand, e2eMapping, makeWorkspace, teammates } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
const SECRET = 'alert-before-revert-secret';

interface Delivery {
  event: string;
  key: string;
  summary: string;
  details: Record<string, unknown>;
  at: string;
}

interface Activity {
  at: string;
  via: string;
  teammate: string;
  entitlement: string;
  to: string | null;
}

async function activity(standIn: StandIn): Promise<Activity[]> {
  const res = await fetch(`${standIn.url}/api/activity?order=asc&limit=1000`, {
    headers: { authorization: `Bearer ${SCIM_TOKEN}` },
  });
  return ((await res.json()) as { activity: Activity[] }).activity;
}

/**
 * DESIGN §11 through the real CLI, the stand-in and a signed webhook: a manual change in Heap is alerted when a
 * `sync` first sees it, survives every sync inside policy.revertAfter, and is reverted by the first one after it.
 */
describe('alert before revert: a CLI sync alerts first and reverts only after the grace', () => {
  let standIn: StandIn;
  let receiver: AlertReceiver;
  let ws: ReturnType<typeof makeWorkspace>;
  const drift = (user: string, event = 'drift-detected') =>
    receiver.deliveries.map((d) => d.body as Delivery).filter((d) => d.event === event && d.details.user === user);

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    receiver = await startAlertReceiver({ secret: SECRET });
    ws = makeWorkspace(standIn.scimUrl);
    const config = fs.readFileSync(ws.files.config, 'utf8');
    fs.writeFileSync(
      ws.files.config,
      config.replace(
        'alerts: [ { type: log } ]',
        `alerts: [ { type: webhook, url: "${receiver.webhookUrl}", secretEnv: ALERT_SECRET } ]`,
      ),
    );
    ws.writeMapping(e2eMapping({ revertAfter: '1h' }));
  });
  afterAll(async () => {
    await standIn?.close();
    await receiver?.close();
    ws?.cleanup();
  });

  const syncAt = (now: string) =>
    ws.json<JournalRecord>(['sync'], { ALERT_SECRET: SECRET, HEAP_ACCESS_SYNC_FAKE_NOW: now });

  it('alerts on the first sync that sees the change, keeps it for an hour, then reverts it', async () => {
    expect((await syncAt('2026-11-28T10:00:00Z')).status).toBe('succeeded');
    await changeByHand(standIn.url, 'alice@example.com', 'project:web-prod', 'Admin', 'dana@example.com');

    // first seen: the alert is delivered before the CLI exits, and Heap keeps the manual change
    const first = await syncAt('2026-11-28T10:01:00Z');
    expect(first.status).toBe('succeeded');
    expect(first.results.filter((r) => r.change.user === 'alice@example.com')).toEqual([]);
    const [alert, ...more] = drift('alice@example.com');
    expect(more).toEqual([]);
    expect(alert!.details).toMatchObject({ entitlement: 'project:web-prod', actual: 'Admin', desired: 'Member' });
    const firstSeen = alert!.details.firstSeen as string;
    expect(Date.parse(firstSeen)).toBeGreaterThanOrEqual(Date.parse('2026-11-28T10:01:00Z'));
    expect(Date.parse(alert!.details.revertsAt as string) - Date.parse(firstSeen)).toBe(3_600_000);
    expect(alert!.summary).toContain(`by the first sync after ${alert!.details.revertsAt as string}`);
    // who changed it, from the stand-in's activity log
    expect(alert!.details.changedBy).toBe('dana@example.com');
    expect(Date.parse(alert!.details.changedAt as string)).toBeLessThanOrEqual(Date.now());
    expect(alert!.summary).toContain('Manual change in Heap by dana@example.com');
    const { drift: items } = await ws.json<{ drift: { changedBy?: string; revertsAt?: string }[] }>(['drift'], {
      HEAP_ACCESS_SYNC_FAKE_NOW: '2026-11-28T10:02:00Z',
    });
    expect(items).toEqual([
      expect.objectContaining({ changedBy: 'dana@example.com', revertsAt: alert!.details.revertsAt }),
    ]);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Admin');

    // inside the grace: still there, and no second alert for the same item
    const inside = await syncAt('2026-11-28T10:45:00Z');
    expect(inside.results.filter((r) => r.change.user === 'alice@example.com')).toEqual([]);
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Admin');
    expect(drift('alice@example.com')).toHaveLength(1);

    // after revertsAt: the first sync reverts it, and the alert is resolved
    const after = await syncAt('2026-11-28T11:02:00Z');
    expect(after.results).toContainEqual(
      expect.objectContaining({
        outcome: 'applied',
        change: expect.objectContaining({ user: 'alice@example.com', from: 'Admin', to: 'Member' }),
      }),
    );
    expect((await teammates(standIn.url)).get('alice@example.com')?.['project:web-prod']).toBe('Member');
    expect(drift('alice@example.com', 'drift-resolved')).toHaveLength(1);
  });

  it('with revertAfter 0s the drift alert is delivered before the revert reaches Heap', async () => {
    ws.writeMapping(e2eMapping({ revertAfter: '0s' }));
    await changeByHand(standIn.url, 'bob@example.com', 'project:web-prod', 'Admin');
    const record = await ws.json<JournalRecord>(['sync'], { ALERT_SECRET: SECRET });
    expect(record.results).toContainEqual(
      expect.objectContaining({ outcome: 'applied', change: expect.objectContaining({ user: 'bob@example.com' }) }),
    );
    const delivery = receiver.deliveries.find((d) => {
      const body = d.body as Delivery;
      return body.event === 'drift-detected' && body.details.user === 'bob@example.com';
    });
    expect(delivery).toBeDefined();
    expect((delivery!.body as Delivery).summary).toContain('reverted now to Member');
    const revert = (await activity(standIn))
      .filter((a) => a.via === 'scim' && a.teammate === 'bob@example.com' && a.entitlement === 'project:web-prod')
      .at(-1);
    expect(revert?.to).toBe('Member');
    // the receiver had the alert before the stand-in recorded the revert
    expect(Date.parse(delivery!.receivedAt)).toBeLessThan(Date.parse(revert!.at));
  });
});
