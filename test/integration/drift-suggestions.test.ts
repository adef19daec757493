import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftItem } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, changeByHand, e2eMapping, makeWorkspace } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

/** Two more groups that grant Admin on web-prod: one gives bob nothing else, one also raises his Govern role. */
const MAPPING = `${e2eMapping()}  - name: release-managers
    group: Release Managers
    projects: { web-prod: Admin, web-staging: Admin }
    modules:
      govern: { web-prod: viewer }
    allowProductionAdmin: true
  - name: prod-owners
    group: Prod Owners
    projects: { web-prod: Admin }
    modules:
      govern: { web-prod: editor }
    allowProductionAdmin: true
`;

/** DESIGN §11: every suggestion of `drift` lists its side effects, found by evaluating it; the fewest come first. */
describe('drift suggestions with their side effects, through the CLI and the Heap stand-in', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    ws.writeMapping(MAPPING);
    expect((await ws.cli(['sync'])).code).toBe(0);
    // alice loses her Govern viewer by hand (her only group grants it); bob is made web-prod Admin by hand
    await changeByHand(standIn.url, 'alice@example.com', 'module:govern:web-prod', null);
    await changeByHand(standIn.url, 'bob@example.com', 'project:web-prod', 'Admin');
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('drift --json: leaving her only group would deactivate alice', async () => {
    const { drift } = await ws.json<{ drift: DriftItem[] }>(['drift']);
    const alice = drift.find((d) => d.user === 'alice@example.com');
    expect(alice).toMatchObject({
      entitlement: 'module:govern:web-prod',
      suggestion: 'remove alice@example.com from group "Analytics"',
      sideEffects: [{ entitlement: 'membership', from: 'active', to: 'deactivated' }],
    });
    expect(alice?.suggestions).toEqual([
      {
        suggestion: alice?.suggestion,
        suggestedActions: alice?.suggestedActions,
        sideEffects: alice?.sideEffects,
      },
    ]);
  });

  it('drift --json: the groups that would make bob Admin, fewest side effects first', async () => {
    const { drift } = await ws.json<{ drift: DriftItem[] }>(['drift']);
    const bob = drift.find((d) => d.user === 'bob@example.com');
    expect(bob?.suggestions?.map((s) => [s.suggestion, s.sideEffects])).toEqual([
      ['add bob@example.com to group "Heap Prod Admins"', []],
      // broader than Prod Owners, but all it gives bob besides web-prod Admin he has already
      ['add bob@example.com to group "Release Managers"', []],
      [
        'add bob@example.com to group "Prod Owners"',
        [{ entitlement: 'module:govern:web-prod', from: 'viewer', to: 'editor' }],
      ],
    ]);
    expect(bob).toMatchObject({ suggestion: bob?.suggestions?.[0]?.suggestion, sideEffects: [] });
  });

  it('drift (text) shows each suggestion with its side effects', async () => {
    const { code, stdout } = await ws.cli(['drift']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      '  suggestion: remove alice@example.com from group "Analytics"\n    side effects: membership: active -> deactivated\n',
    );
    expect(stdout).toContain(
      '  or: add bob@example.com to group "Prod Owners"\n    side effects: module:govern:web-prod: viewer -> editor\n',
    );
  });
});
