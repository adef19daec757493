import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/serve.js';
import { startAlertReceiver, type AlertReceiver } from '../fakes/alert-receiver.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN as HEAP_TOKEN, changeByHand, e2eMapping, teammates } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

const SCIM_TOKEN = 'idp-push-token';
const ADMIN = 'serve-admin-token';
const ALERT_SECRET = 'alert-secret';
const scimHeaders = { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' };

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function scim(base: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${base}/scim/v2${route}`, {
    method,
    headers: scimHeaders,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** `serve` as an operator runs it: IdP pushes over SCIM drive incremental runs; reloads, alerts and metrics. */
describe('serve', () => {
  let standIn: StandIn;
  let receiver: AlertReceiver;
  let service: RunningService;
  let dir: string;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    receiver = await startAlertReceiver({ secret: ALERT_SECRET });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-serve-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      `mappings: ./mappings
store: { sqlite: ./data/store.db }
sources: [ { type: scim, debounceMs: 100 } ]
target: { type: scim, url: ${standIn.scimUrl}, retries: 1, writesPerSecond: 1000 }
schedule: null
alerts: [ { type: webhook, url: ${receiver.webhookUrl}, secretEnv: ALERT_SECRET } ]
`,
    );
    service = await startService({
      configFile: path.join(dir, 'config.yaml'),
      env: { SCIM_TOKEN, ADMIN_TOKEN: ADMIN, HEAP_SCIM_TOKEN: HEAP_TOKEN, ALERT_SECRET },
      logger: pino({ level: 'silent' }),
      port: 0,
    });
  });
  afterAll(async () => {
    await service?.close();
    await standIn?.close();
    await receiver?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The newest journaled SCIM-triggered run that applied a change to this user's entitlement. */
  const scimRunFor = async (user: string, entitlement: string) => {
    const runs = await service.runtime.store.listJournal();
    const records = await Promise.all(runs.map(async (r) => (await service.runtime.store.getJournal(r.id))!));
    return records.find(
      (r) =>
        r.trigger === 'scim' &&
        r.results.some(
          (x) => x.outcome === 'applied' && x.change.user === user && x.change.entitlement === entitlement,
        ),
    );
  };

  it('answers health without a token and everything else only with one', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(401);
    const ready = await fetch(`${service.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(ready.status).toBe(200);
    expect((await fetch(`${service.url}/scim/v2/Users`)).status).toBe(401);
  });

  it('with server.port 0, Location and meta.location carry the port it listens on', async () => {
    const res = await fetch(`${service.url}/scim/v2/Users`, {
      method: 'POST',
      headers: scimHeaders,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'port@example.com' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; meta: { location: string } };
    const expected = `${service.url}/scim/v2/Users/${body.id}`;
    expect(new URL(service.url).port).not.toBe('0');
    expect(res.headers.get('location')).toBe(expected);
    expect(body.meta.location).toBe(expected);
    await fetch(expected, { method: 'DELETE', headers: scimHeaders });
  });

  it('turns SCIM pushes into incremental runs limited to the users they touch', async () => {
    const admin = await scim(service.url, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'admin@example.com',
      active: true,
    });
    await scim(service.url, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Heap Admins',
      members: [{ value: admin.body!.id }],
    });
    const alice = await scim(service.url, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'alice@example.com',
      emails: [{ value: 'alice@example.com', primary: true }],
      active: true,
    });
    expect(alice.status).toBe(201);
    const group = await scim(service.url, 'POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Analytics',
      members: [{ value: alice.body!.id }],
    });
    expect(group.status).toBe(201);

    const heap = await until(
      () => teammates(standIn.url),
      (h) => h.get('alice@example.com')?.['project:web-prod'] === 'Member',
      'alice to be synced',
    );
    expect(heap.get('alice@example.com')).toMatchObject({ membership: 'active', 'project:web-staging': 'Admin' });
    // Heap changes before the run is journaled: wait for the record of the run that synced her
    const synced = await until(
      async () => scimRunFor('alice@example.com', 'project:web-prod'),
      (r) => r !== undefined,
      'the run that synced alice to be journaled',
    );
    expect(synced).toMatchObject({ trigger: 'scim', status: 'succeeded' });
    expect(synced!.scope).toContain('alice@example.com');
    expect(heap.get('admin@example.com')).toMatchObject({ org: 'Admin', 'project:web-staging': 'Admin' });

    // removing her from the group deactivates her in Heap (unmappedUsers: deactivate); admin stays staging's Admin
    const removed = await scim(service.url, 'PATCH', `/Groups/${group.body!.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Remove', path: `members[value eq "${alice.body!.id}"]` }],
    });
    expect(removed.status).toBeLessThan(300);
    await until(
      () => teammates(standIn.url),
      (h) => h.get('alice@example.com')?.membership === 'deactivated',
      'alice to be deactivated',
    );
    const deactivation = await until(
      async () => scimRunFor('alice@example.com', 'membership'),
      (r) => r !== undefined && r.results.some((x) => x.change.to === 'deactivated'),
      'the deactivation run to be journaled',
    );
    expect(deactivation!.trigger).toBe('scim');
    expect(deactivation!.scope).toContain('alice@example.com');
  });

  it('alerts once on drift, signed, and counts runs in /metrics', async () => {
    await changeByHand(standIn.url, 'alice@example.com', 'membership', 'active');
    await service.enqueueRun({ trigger: 'schedule' });
    await receiver.waitFor(() =>
      receiver.deliveries.some((d) => (d.body as { event: string }).event === 'drift-detected'),
    );
    const metrics = await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const text = await metrics.text();
    expect(text).toMatch(/heap_access_sync_runs_total\{trigger="scim",status="succeeded"\} [1-9]/);
    expect(text).toContain('heap_access_sync_source_read_duration_seconds');
    const lastSuccess = Number(/^heap_access_sync_last_successful_sync_timestamp_seconds (\d+)$/m.exec(text)?.[1]);
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(600);
    expect(text).toMatch(/^heap_access_sync_held_plans 0$/m);
    expect(text).toMatch(/^heap_access_sync_pending_approvals 0$/m);
    expect(text).toMatch(/^heap_access_sync_pending_tasks 0$/m);
    expect(text).toMatch(/^heap_access_sync_exceptions_expiring 0$/m);
    // the delivery is counted once it ends, just after the receiver has it
    await until(
      async () => (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text(),
      (t) =>
        /heap_access_sync_alert_deliveries_total\{sink="webhook",event="drift-detected",outcome="delivered"\} [1-9]/.test(
          t,
        ),
      'the delivery to be counted',
    );
  });

  it('keeps the last good mapping when a reload fails, says so, and alerts', async () => {
    const good = service.runtime.mapping.current().version;
    fs.writeFileSync(
      path.join(dir, 'mappings', 'acme.yaml'),
      e2eMapping().replace('web-prod: Member', 'web-prd: Member'),
    );
    await until(
      async () => service.runtime.mapping.status(),
      (s) => s.reloadError !== null,
      'the reload to fail',
    );
    expect(service.runtime.mapping.current().version).toBe(good);
    const status = await fetch(`${service.url}/api/status`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(((await status.json()) as { mapping: { reloadFailed: boolean } }).mapping.reloadFailed).toBe(true);
    await receiver.waitFor(() =>
      receiver.deliveries.some((d) => (d.body as { event: string }).event === 'mapping-reload-failed'),
    );
  });
});
