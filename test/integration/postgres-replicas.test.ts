import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eMapping, teammates } from '../support/e2e-setup.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startReplica, until, type Replica } from '../support/replicas.js';
import { startTestStandIn } from '../support/stand-in.js';

const SCIM_TOKEN = 'idp-push-token-for-replicas';
const ADMIN = 'replicas-admin-token-0123456789';
const scimHeaders = { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' };

/** Several `serve` processes on one PostgreSQL database, IdP pushes spread over them (DESIGN §13). */
describe('serve replicas on one PostgreSQL database', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let database: TestDatabase;
  let dir: string;
  const replicas: Replica[] = [];
  const env = () => ({
    DATABASE_URL: database.url,
    SCIM_TOKEN,
    ADMIN_TOKEN: ADMIN,
    HEAP_SCIM_TOKEN: HEAP_TOKEN,
  });

  const start = async (name: string): Promise<Replica> => {
    const replica = await startReplica(name, { config: path.join(dir, 'config.yaml'), cwd: dir, env: env() });
    replicas.push(replica);
    return replica;
  };

  const scim = async (replica: Replica, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${replica.url}/scim/v2${route}`, {
      method,
      headers: scimHeaders,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };

  beforeAll(async () => {
    database = await createTestDatabase('replicas');
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-replicas-'));
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), e2eMapping());
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'mappings: ./mappings',
        'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
        'sources: [ { type: scim, debounceMs: 200 } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, writesPerSecond: 1000 }`,
        'server: { port: 0 }',
        'schedule: null',
        'logLevel: info',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.done));
    await standIn?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('serves SCIM on every replica: pushes spread over three land in Heap, one SIGKILLed meanwhile', async () => {
    const [a, b, c] = [await start('replica-a'), await start('replica-b'), await start('replica-c')];
    const all = [a, b, c];
    for (const r of all) {
      const ready = await fetch(`${r.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(ready.status).toBe(200);
      const body = JSON.stringify(await ready.json());
      expect(body).toContain(r.name);
      expect(body).toMatch(/ok \(postgres\)/);
      expect(body).toMatch(/"queue":"ok/);
    }
    const group = await scim(a, 'POST', '/Groups', { displayName: 'Analytics', members: [] });
    expect(group.status).toBe(201);
    const groupId = String(group.body?.id);
    // a duplicate on another replica is a 409 uniqueness from the database, never a 500
    const acknowledged: string[] = [];
    for (let i = 0; i < 12; i++) {
      const via = all[i % 3]!;
      const email = `pushed${i}@example.com`;
      const created = await scim(via, 'POST', '/Users', { userName: email, emails: [{ value: email, primary: true }] });
      expect(created.status).toBe(201);
      const dup = await scim(all[(i + 1) % 3]!, 'POST', '/Users', { userName: email.toUpperCase() });
      expect(dup).toMatchObject({ status: 409, body: { scimType: 'uniqueness' } });
      const added = await scim(all[(i + 2) % 3]!, 'PATCH', `/Groups/${groupId}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: created.body?.id }] }],
      });
      expect(added.status).toBeLessThan(300);
      acknowledged.push(email);
      if (i === 5) {
        // the replica that may be running the sync dies; the others carry on
        a.child.kill('SIGKILL');
        await a.done;
        all[0] = b;
      }
    }
    const heap = await until(
      () => teammates(standIn.url),
      (t) => acknowledged.every((email) => t.get(email)?.['project:web-prod'] === 'Member'),
      'every acknowledged push in Heap',
    );
    expect(acknowledged.filter((email) => heap.get(email)?.membership !== 'active')).toEqual([]);
    const members = await scim(c, 'GET', `/Groups/${groupId}`);
    expect((members.body?.members as unknown[]).length).toBe(12);
    const verify = await runCli(['--config', path.join(dir, 'config.yaml'), 'journal', 'verify'], {
      cwd: dir,
      env: env(),
    });
    expect(verify.code).toBe(0);
  });
});
