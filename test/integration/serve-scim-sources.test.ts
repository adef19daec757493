/** Two IdPs pushing to one `serve` (Okta and Entra), each with its own token, store and name (issue 11). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/serve.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eMapping, teammates } from '../support/e2e-setup.js';

const OKTA_TOKEN = 'okta-push-token-0123';
const ENTRA_TOKEN = 'entra-push-token-4567';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('serve with several scim sources', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let service: RunningService;
  let dir: string;

  const scim = async (token: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${service.url}/scim/v2${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const pushUser = async (token: string, email: string) => {
    const res = await scim(token, 'POST', '/Users', {
      schemas: [USER],
      userName: email,
      emails: [{ value: email, primary: true }],
      active: true,
    });
    expect(res.status).toBe(201);
    return String(res.body!.id);
  };
  const pushGroup = async (token: string, displayName: string, members: string[]) => {
    const res = await scim(token, 'POST', '/Groups', {
      schemas: [GROUP],
      displayName,
      members: members.map((value) => ({ value })),
    });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-scim-sources-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      `mappings: ./mappings
store: { sqlite: ./data/store.db }
sources:
  - { type: scim, name: okta, tokenEnv: OKTA_SCIM_TOKEN, debounceMs: 100 }
  - { type: scim, name: entra, tokenEnv: ENTRA_SCIM_TOKEN, debounceMs: 100 }
target: { type: scim, url: ${standIn.scimUrl}, retries: 1, writesPerSecond: 1000 }
schedule: null
`,
    );
    service = await startService({
      configFile: path.join(dir, 'config.yaml'),
      env: {
        OKTA_SCIM_TOKEN: OKTA_TOKEN,
        ENTRA_SCIM_TOKEN: ENTRA_TOKEN,
        ADMIN_TOKEN: 'admin-token-0123456789',
        HEAP_SCIM_TOKEN: HEAP_TOKEN,
      },
      logger: pino({ level: 'silent' }),
      port: 0,
    });
  });
  afterAll(async () => {
    await service?.close();
    await standIn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each token reaches its own source: own users, own first push, own name in the reasons', async () => {
    const read = (name: string) => service.runtime.sources.find((s) => s.name === name)!.read();
    expect((await read('okta')).waitingForFirstPush).toBe(true);
    expect((await read('entra')).waitingForFirstPush).toBe(true);

    const admin = await pushUser(OKTA_TOKEN, 'admin@example.com');
    await pushGroup(OKTA_TOKEN, 'Heap Admins', [admin]);
    expect((await read('okta')).waitingForFirstPush).toBe(false);
    // Okta's push is not Entra's first
    expect((await read('entra')).waitingForFirstPush).toBe(true);

    const alice = await pushUser(ENTRA_TOKEN, 'alice@example.com');
    await pushGroup(ENTRA_TOKEN, 'Analytics', [alice]);
    expect((await read('entra')).waitingForFirstPush).toBe(false);

    // the same userName may exist in both IdPs: each source keeps its own
    const listed = async (token: string) =>
      ((await scim(token, 'GET', '/Users')).body!.Resources as { userName: string }[]).map((u) => u.userName);
    expect(await listed(OKTA_TOKEN)).toEqual(['admin@example.com']);
    expect(await listed(ENTRA_TOKEN)).toEqual(['alice@example.com']);
    expect((await scim(OKTA_TOKEN, 'GET', `/Users/${alice}`)).status).toBe(404);
    expect((await scim('no-such-token', 'GET', '/Users')).status).toBe(401);
    expect(fs.existsSync(path.join(dir, 'data', 'store.scim-entra.db'))).toBe(true);

    await until(
      () => teammates(standIn.url),
      (h) =>
        h.get('alice@example.com')?.['project:web-prod'] === 'Member' && h.get('admin@example.com')?.org === 'Admin',
      'both pushes to be synced',
    );
    const reasonsOf = async (user: string, entitlement: string) => {
      for (const r of await service.runtime.store.listJournal()) {
        const record = await service.runtime.store.getJournal(r.id);
        const result = record?.results.find(
          (x) => x.outcome === 'applied' && x.change.user === user && x.change.entitlement === entitlement,
        );
        if (result) return result.change.reasons;
      }
      return undefined;
    };
    const aliceReasons = await until(
      () => reasonsOf('alice@example.com', 'project:web-prod'),
      (r) => r !== undefined,
      "alice's run to be journaled",
    );
    expect(aliceReasons).toEqual([expect.objectContaining({ group: 'Analytics', source: 'entra' })]);
    const adminReasons = await until(
      () => reasonsOf('admin@example.com', 'org'),
      (r) => r !== undefined,
      "admin's run to be journaled",
    );
    expect(adminReasons).toEqual([expect.objectContaining({ group: 'Heap Admins', source: 'okta' })]);
  });
});
