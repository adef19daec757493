import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapAccess, HEAP_TOKEN, idpE2eDirectory, startIdpRuntime } from '../fakes/idp-runtime.js';
import type { OktaFake } from '../fakes/okta-fake.js';
import { startOktaFake } from '../fakes/okta-fake.js';
import { toOktaDirectory } from '../fakes/seed-directory.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

/** Okta fake → the real runtime and sync service → the Heap stand-in over SCIM. */
describe('sync from Okta end to end', () => {
  let okta: OktaFake;
  let standIn: TestStandIn;
  let runtime: Awaited<ReturnType<typeof startIdpRuntime>>;

  beforeAll(async () => {
    okta = await startOktaFake({ ...toOktaDirectory(idpE2eDirectory()), pageCap: 2 });
    standIn = await startTestStandIn({ token: HEAP_TOKEN });
    runtime = await startIdpRuntime({
      sourceYaml: `{ type: okta, orgUrl: "${okta.orgUrl}", tokenEnv: OKTA_API_TOKEN, groupPrefix: "Heap " }`,
      scimUrl: standIn.scimUrl,
      env: { OKTA_API_TOKEN: okta.token },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await standIn?.close();
    await okta?.close();
  });

  it('gives Heap the access Okta group membership maps to; a suspended user gets none', async () => {
    const { record } = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(record.status).toBe('succeeded');
    const heap = await heapAccess(standIn.url);
    expect(heap.get('admin@example.com')).toMatchObject({
      membership: 'active',
      org: 'Admin',
      'project:web-staging': 'Admin',
    });
    expect(heap.get('bob@example.com')).toMatchObject({ 'project:web-prod': 'Member', 'project:web-staging': 'Admin' });
    expect(heap.get('carol@example.com')).toMatchObject({ 'project:web-prod': 'Admin' });
    expect(heap.has('dave@example.com')).toBe(false);
  });

  it('a refused token fails the run, naming Okta, its URL and the variable from the config', async () => {
    const wrong = await startIdpRuntime({
      sourceYaml: `{ type: okta, orgUrl: "${okta.orgUrl}", tokenEnv: OKTA_API_TOKEN, groupPrefix: "Heap " }`,
      scimUrl: standIn.scimUrl,
      env: { OKTA_API_TOKEN: 'revoked-token' },
    });
    try {
      const { record } = await wrong.rt.sync.run({ trigger: 'cli' });
      expect(record.status).toBe('failed');
      expect(record.error).toContain(`okta: Okta at ${okta.orgUrl}: HTTP 401`);
      expect(record.error).toMatch(/\(check OKTA_API_TOKEN\)$/);
      expect(record.error).not.toContain('revoked-token');
    } finally {
      await wrong.close();
    }
  });

  it('a failed read revokes nothing; the next good read applies the change', async () => {
    const before = await heapAccess(standIn.url);
    const directory = idpE2eDirectory();
    const analysts = directory.groups.find((g) => g.id === 'g-analysts');
    if (analysts) analysts.members = analysts.members.filter((m) => m !== 'u-bob');
    okta.seed(toOktaDirectory(directory));
    // Heap Analysts' members never come back: a snapshot without them would leave alice (and bob) unmapped,
    // which the mapping's policy turns into a deactivation
    okta.inject({ path: /\/groups\/g-analysts\/users$/, times: Infinity, action: { status: 503, body: '{}' } });

    const failed = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(failed.record.status).toBe('failed');
    expect(failed.record.error).toMatch(/okta/i);
    expect(failed.record.results).toEqual([]);
    expect(await heapAccess(standIn.url)).toEqual(before);

    okta.clearFaults();
    const good = await runtime.rt.sync.run({ trigger: 'cli' });
    expect(good.record.status).toBe('succeeded');
    expect(good.plan?.changes.every((c) => c.user === 'bob@example.com')).toBe(true);
    const after = await heapAccess(standIn.url);
    expect(after.get('bob@example.com')?.membership).not.toBe('active');
    for (const email of ['admin@example.com', 'alice@example.com', 'carol@example.com'])
      expect(after.get(email)).toEqual(before.get(email));
  });
});
