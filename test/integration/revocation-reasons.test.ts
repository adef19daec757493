import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, makeWorkspace, type Directory } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

const MAPPING = `apiVersion: heap-access-sync/v1
projects:
  - { key: web-prod, name: Web App, environment: production }
  - { key: web-staging, name: Web App (staging), environment: staging }
policy:
  unmappedUsers: deactivate
  revertAfter: 0s
rules:
  - { name: a, group: GA, projects: { web-prod: Member } }
  - { name: b, group: GB, projects: { web-prod: Member } }
  - { name: c, group: GC, projects: { web-staging: Viewer } }
  - { name: admins, group: Admins, orgRole: Admin, projects: { web-prod: Admin }, allowProductionAdmin: true }
`;
const directory = (aliceIn: string[]): Directory => ({
  users: [
    { id: 'u-admin', userName: 'admin@example.com', email: 'admin@example.com' },
    { id: 'u-alice', userName: 'alice@example.com', email: 'alice@example.com' },
  ],
  groups: [
    { id: 'g-admins', displayName: 'Admins', members: ['u-admin'] },
    ...['GA', 'GB', 'GC'].map((g) => ({
      id: `g-${g}`,
      displayName: g,
      members: aliceIn.includes(g) ? ['u-alice'] : [],
    })),
  ],
});

/**
 * A revocation names the rules alice had, as the baseline recorded them in the SQLite file when they were applied:
 * each CLI command is a new process reading it back (a restart between every step).
 */
describe("revocation reasons across restarts, through the CLI's SQLite store", () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    ws.writeMapping(MAPPING);
    ws.writeDirectory(directory(['GA', 'GC']));
    expect((await ws.json<JournalRecord>(['sync'])).status).toBe('succeeded');
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('alice leaves GA: the plan and the sync name rule a via GA, never b or GB', async () => {
    ws.writeDirectory(directory(['GC']));
    const plan = await ws.json<Plan>(['plan']);
    const revocation = plan.changes.find((c) => c.user === 'alice@example.com' && c.entitlement === 'project:web-prod');
    expect(revocation).toMatchObject({ from: 'Member', to: null });
    expect(revocation?.reasons).toEqual([{ rule: 'a', group: 'GA', source: 'file', lost: true }]);
    const { stdout } = await ws.cli(['plan']);
    expect(stdout).toContain('no longer granted by rule a (group GA, file)');
    expect(stdout).not.toMatch(/rule b|GB/);

    const record = await ws.json<JournalRecord>(['sync']);
    const applied = record.results.find((r) => r.change.entitlement === 'project:web-prod');
    expect(applied).toMatchObject({
      outcome: 'applied',
      change: { reasons: [{ rule: 'a', group: 'GA', lost: true }] },
    });
  });
});
