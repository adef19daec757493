import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, e2eDirectory, e2eMapping, makeWorkspace, teammates } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

describe('guards through the CLI', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeEach(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
  });
  afterEach(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('blocks the change that would leave a project without an Admin, and reports it', async () => {
    const directory = e2eDirectory();
    directory.groups = directory.groups.map((g) => (g.displayName === 'Heap Prod Admins' ? { ...g, members: [] } : g));
    ws.writeDirectory(directory);

    const result = await ws.cli(['sync', '--json']);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout) as JournalRecord;
    const blocked = record.results.filter((r) => r.outcome === 'blocked');
    expect(blocked).toEqual([
      expect.objectContaining({
        change: expect.objectContaining({
          user: 'carol@example.com',
          entitlement: 'project:web-prod',
          blocked: 'lastProjectAdmin',
        }),
      }),
    ]);
    expect(record.postSyncDiff).toContainEqual(
      expect.objectContaining({
        user: 'carol@example.com',
        entitlement: 'project:web-prod',
        why: 'blocked by guard lastProjectAdmin',
      }),
    );
    expect((await teammates(standIn.url)).get('carol@example.com')?.['project:web-prod']).toBe('Admin');
  });

  it('holds a plan with more revocations than maxRevocations until an administrator approves it', async () => {
    ws.writeMapping(e2eMapping({ maxRevocations: 1 }));
    const directory = e2eDirectory();
    directory.groups = directory.groups.map((g) =>
      g.displayName === 'Analytics' ? { ...g, members: g.members.filter((m) => m !== 'u-alice' && m !== 'u-bob') } : g,
    );
    ws.writeDirectory(directory);

    const held = await ws.cli(['sync', '--json']);
    expect(held.code).toBe(4);
    const heldRecord = JSON.parse(held.stdout) as JournalRecord;
    expect(heldRecord.status).toBe('held');
    expect(heldRecord.plan?.heldBy).toBe('maxRevocations');
    expect((await teammates(standIn.url)).get('alice@example.com')?.membership).toBe('active');
    const heldText = await ws.cli(['journal', 'show', heldRecord.id]);
    expect(heldText.stdout).toContain(`held for approval (by someone other than ${heldRecord.actor})`);

    // four eyes: whoever started the held run (here the OS user, the default --actor) does not approve it
    const self = await ws.cli(['sync', '--approve', heldRecord.id]);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain(
      `four eyes: ${heldRecord.actor} started run ${heldRecord.id}, so someone else must approve it`,
    );
    expect((await teammates(standIn.url)).get('alice@example.com')?.membership).toBe('active');

    const approved = await ws.cli(['sync', '--approve', heldRecord.id, '--actor', 'farah@example.com', '--json']);
    expect(approved.code).toBe(0);
    const record = JSON.parse(approved.stdout) as JournalRecord;
    expect(record.status).toBe('succeeded');
    expect(record.trigger).toBe('approval');
    expect(record.approvedRun).toBe(heldRecord.id);
    const heap = await teammates(standIn.url);
    expect(heap.get('alice@example.com')?.membership).toBe('deactivated');
    expect(heap.get('bob@example.com')?.membership).toBe('deactivated');
    // the held plan is consumed: approving it twice is an error
    expect((await ws.cli(['sync', '--approve', heldRecord.id, '--actor', 'farah@example.com'])).code).toBe(2);
  });
});
