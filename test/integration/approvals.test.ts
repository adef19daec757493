import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingApproval } from '../../src/domain/approval.js';
import { NotPermittedError } from '../../src/domain/errors.js';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { ApprovalView } from '../../src/services/approvals.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';

const DAY = 24 * 3600_000;
const ERIN = { id: 'u005', email: 'erin.walsh@acme.example' };
const GUSTAVO = { id: 'u007', email: 'gustavo.ruiz@acme.example' };
const FARAH = 'farah.haddad@acme.example';
const HEAP_ADMINS = 'g01';

describe('pending approvals of grants policy.approvals names (org Admin here), through the API', () => {
  let t: TestRuntime;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };

  const call = async <T>(method: string, url: string, token: string, body?: unknown) => {
    const res = await fetch(`${t.url}${url}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const sync = async () => (await call<JournalRecord>('POST', '/api/sync', t.tokens.deployBot, {})).body;
  const heapAccess = async (email: string) =>
    (await t.rt.target.readAll()).find((m) => m.email === email)?.access ?? {};
  const approvals = async (all = false) =>
    (await call<{ approvals: ApprovalView[] }>('GET', `/api/approvals${all ? '?all=true' : ''}`, t.tokens.viewer)).body
      .approvals;
  const addToHeapAdmins = (userId: string) => {
    const directory = t.readDirectory();
    directory.groups = directory.groups.map((g) =>
      g.id === HEAP_ADMINS ? { ...g, members: [...g.members, userId] } : g,
    );
    t.writeDirectory(directory);
  };

  beforeAll(async () => {
    t = await startTestRuntime({ clock });
    expect((await sync()).status).toBe('succeeded');
    // From now on an org Admin grant waits for an approver.
    const file = path.join(t.dir, 'mappings', '00-acme.yaml');
    const text = fs
      .readFileSync(file, 'utf8')
      .replace('  match: email\n', '  match: email\n  approvals: { orgAdmin: true }\n  approvalTtl: 7d\n');
    fs.writeFileSync(file, text);
    await t.rt.mapping.reload();
    expect(t.rt.mapping.current().policy.approvals.orgAdmin).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
  });

  let erinApproval: ApprovalView;

  it('holds back an IdP-driven org Admin grant as a pending approval while the rest of the run applies', async () => {
    addToHeapAdmins(ERIN.id);
    const run = await sync();
    expect(run.status).toBe('succeeded');
    const org = run.plan!.changes.find((c) => c.user === ERIN.email && c.entitlement === 'org')!;
    expect(org).toMatchObject({ from: 'Member', to: 'Admin', blocked: 'approval', approval: expect.any(String) });
    // the rest of Erin's grants from the same rule went through in the same run
    const access = await heapAccess(ERIN.email);
    expect(access.org).toBe('Member');
    expect(access['project:web-prod']).toBe('Admin');

    const waiting = await approvals();
    expect(waiting).toHaveLength(1);
    erinApproval = waiting[0]!;
    expect(erinApproval).toMatchObject({
      id: org.approval,
      user: ERIN.email,
      entitlement: 'org',
      from: 'Member',
      value: 'Admin',
      ground: 'org-admin',
      origin: 'idp',
      requestedBy: 'idp',
      runId: run.id,
      status: 'pending',
    });
    expect(Date.parse(erinApproval.expiresAt) - Date.parse(erinApproval.createdAt)).toBe(7 * DAY);

    // a second run asks nothing new: the grant still waits for the same approval
    await sync();
    expect((await approvals()).map((a) => a.id)).toEqual([erinApproval.id]);
  });

  it('refuses a viewer, the subject, and a decision without a reason', async () => {
    const journaled = (await t.rt.store.listJournal()).length;
    const decision = { decision: 'approve', reason: 'on call for the migration' };
    expect((await call('POST', `/api/approvals/${erinApproval.id}`, t.tokens.viewer, decision)).status).toBe(403);
    await expect(
      t.rt.approvals.decide(erinApproval.id, { decision: 'approve', actor: ERIN.email, reason: 'me' }),
    ).rejects.toThrow(NotPermittedError);
    const noReason = await call('POST', `/api/approvals/${erinApproval.id}`, t.tokens.approver, {
      decision: 'approve',
      reason: ' ',
    });
    expect(noReason.status).toBe(400);
    expect((await approvals())[0]!.status).toBe('pending');
    // a refused decision is not one: nothing is journaled
    expect((await t.rt.store.listJournal()).length).toBe(journaled);
  });

  it('an approver approves; the next run applies the grant and the approval is used up', async () => {
    const decided = await call<ApprovalView>('POST', `/api/approvals/${erinApproval.id}`, t.tokens.approver, {
      decision: 'approve',
      reason: 'Erin takes over administration from Bob, ticket OPS-77',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'ops-approver' });
    // the decision is a record of the journal's chain, under the approver's name
    const [last] = await t.rt.store.listJournal({ limit: 1 });
    const record = await t.rt.store.getJournal(last!.id);
    expect(record).toMatchObject({
      trigger: 'approval',
      status: 'recorded',
      actor: 'ops-approver',
      event: {
        kind: 'approval-decided',
        approval: {
          id: erinApproval.id,
          status: 'approved',
          decidedBy: 'ops-approver',
          reason: 'Erin takes over administration from Bob, ticket OPS-77',
        },
      },
    });
    expect((await t.rt.store.verifyJournal()).ok).toBe(true);
    // deciding twice is refused
    const again = await call('POST', `/api/approvals/${erinApproval.id}`, t.tokens.approver, {
      decision: 'reject',
      reason: 'changed my mind',
    });
    expect(again.status).toBe(400);

    const run = await sync();
    expect(run.status).toBe('succeeded');
    const org = run.plan!.changes.find((c) => c.user === ERIN.email && c.entitlement === 'org')!;
    expect(org).toMatchObject({ blocked: null, approval: erinApproval.id });
    expect(run.results.find((r) => r.change.user === ERIN.email && r.change.entitlement === 'org')?.outcome).toBe(
      'applied',
    );
    expect((await heapAccess(ERIN.email)).org).toBe('Admin');
    const all = await approvals(true);
    expect(all.find((a) => a.id === erinApproval.id)).toMatchObject({ status: 'applied', appliedRunId: run.id });
    expect(await approvals()).toEqual([]);
  });

  it('refuses the requester of an exception-driven grant; another approver may approve it', async () => {
    const exception = await call<{ id: string }>('POST', '/api/exceptions', t.tokens.deployBot, {
      user: FARAH,
      entitlement: 'org',
      value: 'Admin',
      reason: 'quarterly access review lead',
      approver: 'lead@acme.example',
      expires: '3d',
    });
    expect(exception.status).toBe(201);
    const run = await sync();
    expect(run.plan!.changes.find((c) => c.user === FARAH && c.entitlement === 'org')?.blocked).toBe('approval');
    const waiting = (await approvals()).find((a) => a.user === FARAH)!;
    expect(waiting).toMatchObject({ origin: 'exception', requestedBy: 'deploy-bot', exceptionId: exception.body.id });

    const self = await call<{ error: string }>('POST', `/api/approvals/${waiting.id}`, t.tokens.deployBot, {
      decision: 'approve',
      reason: 'I asked for it',
    });
    expect(self.status).toBe(403);
    expect(self.body.error).toContain('someone else must decide it');
    expect((await heapAccess(FARAH)).org).not.toBe('Admin');

    const ok = await call('POST', `/api/approvals/${waiting.id}`, t.tokens.approver, {
      decision: 'approve',
      reason: 'approved by the change board',
    });
    expect(ok.status).toBe(200);
    await sync();
    expect((await heapAccess(FARAH)).org).toBe('Admin');
  });

  it('does not apply an approval that expired before the next run, and asks again', async () => {
    addToHeapAdmins(GUSTAVO.id);
    await sync();
    const waiting = (await approvals()).find((a) => a.user === GUSTAVO.email)!;
    expect(waiting.status).toBe('pending');
    const decided = await call<PendingApproval>('POST', `/api/approvals/${waiting.id}`, t.tokens.admin, {
      decision: 'approve',
      reason: 'new admin for the EMEA team',
    });
    expect(decided.status).toBe(200);

    offset += 7 * DAY + 60_000;
    const run = await sync();
    const org = run.plan!.changes.find((c) => c.user === GUSTAVO.email && c.entitlement === 'org')!;
    expect(org.blocked).toBe('approval');
    expect(org.approval).not.toBe(waiting.id);
    expect((await heapAccess(GUSTAVO.email)).org).toBe('Member');
    const all = await approvals(true);
    expect(all.find((a) => a.id === waiting.id)?.status).toBe('expired');
    expect(all.find((a) => a.id === org.approval)).toMatchObject({ user: GUSTAVO.email, status: 'pending' });
  });
});
