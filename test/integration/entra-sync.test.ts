import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntraTokenFake } from '../fakes/entra-token-fake.js';
import { startEntraTokenFake } from '../fakes/entra-token-fake.js';
import type { GraphFake } from '../fakes/graph-fake.js';
import { startGraphFake } from '../fakes/graph-fake.js';
import { heapAccess, HEAP_TOKEN, idpE2eDirectory, startIdpRuntime } from '../fakes/idp-runtime.js';
import { toGraphDirectory } from '../fakes/seed-directory.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

/** Entra token + Graph fakes → the real runtime (delta state in its store) → the Heap stand-in over SCIM. */
describe('sync from Entra ID end to end, with delta queries', () => {
  let idp: EntraTokenFake;
  let graph: GraphFake;
  let standIn: TestStandIn;
  let runtime: Awaited<ReturnType<typeof startIdpRuntime>>;

  beforeAll(async () => {
    idp = await startEntraTokenFake();
    graph = await startGraphFake({ ...toGraphDirectory(idpE2eDirectory()), token: idp.accessToken });
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    runtime = await startIdpRuntime({
      sourceYaml: `{ type: entra, tenantId: ${idp.tenantId}, clientId: ${idp.clientId}, clientSecretEnv: ENTRA_SECRET, authorityHost: "${idp.authorityHost}", graphBaseUrl: "${graph.baseUrl}", groupPrefix: "Heap " }`,
      scimUrl: standIn.scimUrl,
      env: { ENTRA_SECRET: idp.clientSecret },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await standIn?.close();
    await graph?.close();
    await idp?.close();
  });

  it('gives Heap the access Entra group membership maps to; a disabled account gets none', async () => {
    const { record } = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(record.status).toBe('succeeded');
    const heap = await heapAccess(standIn.url);
    expect(heap.get('carol@example.com')).toMatchObject({ membership: 'active', 'project:web-prod': 'Admin' });
    expect(heap.get('bob@example.com')).toMatchObject({ 'project:web-prod': 'Member' });
    expect(heap.has('dave@example.com')).toBe(false);
  });

  it('a delta change changes only what changed, read in two requests', async () => {
    const before = await heapAccess(standIn.url);
    graph.removeMember('g-analysts', 'u-bob');
    const requests = graph.count();
    const { record, plan } = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(record.status).toBe('succeeded');
    expect(graph.count() - requests).toBe(2);
    expect(plan?.changes.length).toBeGreaterThan(0);
    expect(plan?.changes.every((c) => c.user === 'bob@example.com')).toBe(true);
    const after = await heapAccess(standIn.url);
    expect(after.get('bob@example.com')?.membership).not.toBe('active');
    for (const email of ['admin@example.com', 'alice@example.com', 'carol@example.com'])
      expect(after.get(email)).toEqual(before.get(email));
  });

  it('an expired delta link is read again in full, and the change it hid still arrives', async () => {
    graph.addMember('g-admins', 'u-alice');
    graph.expireDeltaTokens('syncStateNotFound');
    const { record } = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(record.status).toBe('succeeded');
    expect((await heapAccess(standIn.url)).get('alice@example.com')).toMatchObject({ org: 'Admin' });
  });

  it('a failed delta round revokes nothing and keeps the stored state for the next round', async () => {
    const before = await heapAccess(standIn.url);
    graph.removeMember('g-analysts', 'u-alice');
    graph.inject({ path: /\/users\/delta$/, times: Infinity, action: { status: 500, body: '{}' } });
    const failed = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(failed.record.status).toBe('failed');
    expect(await heapAccess(standIn.url)).toEqual(before);
    graph.clearFaults();
    const good = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(good.record.status).toBe('succeeded');
    const after = await heapAccess(standIn.url);
    expect(after.get('alice@example.com')?.['project:web-prod']).toBeUndefined();
    expect(after.get('alice@example.com')).toMatchObject({ membership: 'active', org: 'Admin' });
  });
});
