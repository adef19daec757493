import fs from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewCampaign } from '../../src/domain/review.js';
import { startService, type RunningService } from '../../src/serve.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { SCIM_TOKEN as HEAP_TOKEN, makeWorkspace } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';

const ALERT_SECRET = 'review-reminder-secret';

type Delivered = { event: string; key: string; details: { campaign: string; undecided: number; dueAt: string } };

/** `serve` reminds the alert sinks about an open campaign close to its due date with items nobody decided. */
describe('access review reminders from serve', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let receiver: AlertReceiver;
  let ws: ReturnType<typeof makeWorkspace>;
  let service: RunningService | null = null;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    receiver = await startAlertReceiver({ secret: ALERT_SECRET });
    ws = makeWorkspace(standIn.scimUrl);
    const config = fs
      .readFileSync(ws.files.config, 'utf8')
      .replace(
        'alerts: [ { type: log } ]',
        `alerts: [ { type: webhook, url: ${receiver.webhookUrl}, secretEnv: ALERT_SECRET } ]`,
      );
    fs.writeFileSync(ws.files.config, config);
    expect((await ws.cli(['sync'], { ALERT_SECRET })).code).toBe(0);
  });
  afterAll(async () => {
    await service?.close();
    await standIn?.close();
    await receiver?.close();
    ws?.cleanup();
  });

  const start = () =>
    startService({
      configFile: ws.files.config,
      cwd: ws.dir,
      env: { ADMIN_TOKEN: 'reminder-admin-token', HEAP_SCIM_TOKEN: HEAP_TOKEN, ALERT_SECRET },
      logger: pino({ level: 'silent' }),
      port: 0,
    });
  const reminders = () =>
    receiver.deliveries.map((d) => d.body as Delivered).filter((b) => b.event === 'review-reminder');

  it('reminds about a campaign due within three days, not for one due later', async () => {
    const soon = await ws.json<{ campaign: ReviewCampaign }>(
      ['reviews', 'start', '--reviewers', 'rita@example.com', '--due', '2d', '--actor', 'admin@example.com'],
      { ALERT_SECRET },
    );
    const later = await ws.json<{ campaign: ReviewCampaign }>(
      ['reviews', 'start', '--reviewers', 'rita@example.com', '--due', '30d', '--actor', 'admin@example.com'],
      { ALERT_SECRET },
    );
    service = await start();
    await receiver.waitFor(() => reminders().length > 0);
    const [reminder] = reminders();
    expect(reminder!.details.campaign).toBe(soon.campaign.id);
    expect(reminder!.details.undecided).toBe(soon.campaign.items);
    expect(reminder!.details.undecided).toBeGreaterThan(0);
    expect(reminders().some((r) => r.details.campaign === later.campaign.id)).toBe(false);
  });
});
