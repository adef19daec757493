import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserExplanation } from '../../src/mapping/explain.js';
import { startTestStandIn } from '../support/stand-in.js';
import { apiClient } from '../support/stand-in-client.js';
import { SCIM_TOKEN, makeWorkspace } from '../support/e2e-setup.js';
import { addException } from '../support/exceptions.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/** explain beside the mapping: the exception that overrides it and what Heap has (assets, last activity). */
describe('explain with the store and Heap', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;
  const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString();

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    const added = await addException(ws.cli, {
      user: 'bob@example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'incident INC-7',
      approver: 'admin@example.com',
      expires: '3d',
    });
    expect(added.code, added.stderr).toBe(0);
    const api = apiClient(standIn);
    expect((await api('PATCH', '/teammates/bob@example.com', { ownedAssets: 12, lastActiveAt: lastWeek })).status).toBe(
      200,
    );
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('shows the exception against what the mapping gives, and Heap’s access, assets and last activity', async () => {
    const text = await ws.cli(['explain', 'bob@example.com']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /exceptions .*:\n {2}project:web-prod = Admin until .* \(the mapping: \w+\); .*"incident INC-7"/,
    );
    expect(text.stdout).toContain('in Heap now:');
    expect(text.stdout).toContain(`owns 12 assets, last active ${lastWeek.slice(0, 10)}`);

    const json = await ws.json<UserExplanation>(['explain', 'bob@example.com']);
    expect(json.exceptions).toHaveLength(1);
    expect(json.exceptions![0]).toMatchObject({ entitlement: 'project:web-prod', value: 'Admin' });
    expect(json.heap).toMatchObject({ found: true, ownedAssets: 12, lastActiveAt: lastWeek });
    expect(json.heap!.access['membership']).toBe('active');
  });

  it('without Heap’s token still explains, and says Heap was not read', async () => {
    const res = await ws.cli(['explain', 'bob@example.com', '--json'], { HEAP_SCIM_TOKEN: '' });
    expect(res.code, res.stderr).toBe(0);
    const json = JSON.parse(res.stdout) as UserExplanation;
    expect(json.heap).toBeUndefined();
    expect(json.exceptions).toHaveLength(1);
    expect(json.notes.join('\n')).toContain('Heap was not read');
    expect(json.notes.join('\n')).toContain('HEAP_SCIM_TOKEN');
  });
});
