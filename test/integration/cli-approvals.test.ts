import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { ApprovalView } from '../../src/services/approvals.js';
import { e2eDirectory, e2eMapping, makeWorkspace, SCIM_TOKEN, teammates } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;
const ALICE = 'alice@example.com';

/** Pending approvals through the real CLI: the subject is refused (exit 2), another approver's decision is journaled. */
describe('approvals approve|reject through the CLI', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    expect((await ws.cli(['sync'])).code).toBe(0);
    ws.writeMapping(e2eMapping().replace('  match: email\n', '  match: email\n  approvals: { orgAdmin: true }\n'));
    const directory = e2eDirectory();
    directory.groups[0]!.members.push('u-alice');
    ws.writeDirectory(directory);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('holds the org Admin grant, refuses its subject, journals another approver’s decision, then applies it', async () => {
    expect((await ws.cli(['sync'])).code).toBe(0);
    const { approvals } = await ws.json<{ approvals: ApprovalView[] }>(['approvals', 'list']);
    expect(approvals).toEqual([expect.objectContaining({ user: ALICE, entitlement: 'org', value: 'Admin' })]);
    const id = approvals[0]!.id;
    expect((await teammates(standIn.url)).get(ALICE)?.org).toBe('Member');

    const self = await ws.cli(['approvals', 'approve', id, '--actor', 'Alice@example.com', '--reason', 'mine']);
    expect(self.code).toBe(2);
    expect(self.stderr).toContain('someone else must decide it');
    const before = (await ws.json<{ runs: unknown[] }>(['journal', 'list'])).runs.length;

    const ok = await ws.cli(['approvals', 'approve', id, '--actor', 'dana@example.com', '--reason', 'OPS-77']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('approved by dana@example.com: OPS-77');
    const { runs } = await ws.json<{ runs: { id: string }[] }>(['journal', 'list']);
    expect(runs.length).toBe(before + 1);
    const record = await ws.json<JournalRecord>(['journal', 'show', runs[0]!.id]);
    expect(record).toMatchObject({
      trigger: 'approval',
      status: 'recorded',
      actor: 'dana@example.com',
      event: { kind: 'approval-decided', approval: { id, status: 'approved', reason: 'OPS-77' } },
    });
    expect((await ws.cli(['journal', 'verify'])).code).toBe(0);

    expect((await ws.cli(['sync'])).code).toBe(0);
    expect((await teammates(standIn.url)).get(ALICE)?.org).toBe('Admin');
  });
});
