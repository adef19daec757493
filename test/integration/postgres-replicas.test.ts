import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eMapping, teammates } from '../support/e2e-setup.js';
import { startReplicaSet, type ReplicaSet } from '../support/replicas.js';
import { until } from '../support/serve-process.js';

const SCIM_TOKEN = 'idp-push-token-for-replicas';
const ADMIN = 'replicas-admin-token-0123456789';

/** Several `serve` processes on one PostgreSQL database, IdP pushes spread over them (DESIGN §13). */
describe('serve replicas on one PostgreSQL database', () => {
  let set: ReplicaSet;
  const start = (name: string) => set.start(name);
  const scim: ReplicaSet['scim'] = (...args) => set.scim(...args);

  beforeAll(async () => {
    set = await startReplicaSet({ label: 'replicas', mapping: e2eMapping(), env: { SCIM_TOKEN, ADMIN_TOKEN: ADMIN } });
  });
  afterAll(async () => {
    await set?.close();
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
      () => teammates(set.standIn.url),
      (t) => acknowledged.every((email) => t.get(email)?.['project:web-prod'] === 'Member'),
      'every acknowledged push in Heap',
    );
    expect(acknowledged.filter((email) => heap.get(email)?.membership !== 'active')).toEqual([]);
    const members = await scim(c, 'GET', `/Groups/${groupId}`);
    expect((members.body?.members as unknown[]).length).toBe(12);
    const verify = await set.cli(['journal', 'verify']);
    expect(verify.code).toBe(0);
  });
});
