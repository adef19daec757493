/**
 * One person, one teammate (DESIGN §10), through the CLI and the Heap stand-in: the immutable id reaches Heap on
 * the sync's first write of a teammate, a changed userName is written, an exception follows a renamed user, and a
 * rule whose group the directory lacks is a warning on the plan.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { readJournal } from '../support/crash-audit.js';
import {
  SCIM_TOKEN,
  e2eDirectory,
  makeWorkspace,
  teammates,
  type Directory,
  type DirectoryUser,
} from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';
import { addException } from '../support/exceptions.js';

interface ScimUser {
  id: string;
  userName: string;
  externalId?: string;
  emails?: { value: string }[];
}

describe('sync: identities in Heap follow the IdP', () => {
  let standIn: Awaited<ReturnType<typeof startTestStandIn>>;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeEach(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
  });
  afterEach(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  const scimUsers = async (): Promise<ScimUser[]> => {
    const res = await fetch(`${standIn.scimUrl}/Users?count=1000`, {
      headers: { authorization: `Bearer ${SCIM_TOKEN}` },
    });
    return ((await res.json()) as { Resources: ScimUser[] }).Resources;
  };
  const withUser = (d: Directory, id: string, patch: Partial<DirectoryUser>): Directory => ({
    ...d,
    users: d.users.map((u) => (u.id === id ? { ...u, ...patch } : u)),
  });
  const sync = async () => {
    const r = await ws.cli(['sync']);
    expect(r.code, r.stderr).toBe(0);
    return readJournal(ws.files.store).at(-1) as JournalRecord;
  };

  it('writes the immutable id to a teammate that was already right, on the first sync', async () => {
    // bob was in Heap before the sync: exactly the access the mapping gives him, but no externalId
    const res = await fetch(`${standIn.url}/api/teammates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'bob@example.com',
        access: {
          membership: 'active',
          org: 'Member',
          'project:web-prod': 'Member',
          'project:web-staging': 'Admin',
          'module:govern:web-prod': 'viewer',
        },
      }),
    });
    expect(res.status).toBe(201);
    await sync();
    const bob = (await scimUsers()).find((u) => u.userName === 'bob@example.com');
    expect(bob?.externalId).toBe('u-bob');
    expect((await scimUsers()).find((u) => u.userName === 'alice@example.com')?.externalId).toBe('u-alice');
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.changes).toEqual([]);
    expect(plan.renames ?? []).toEqual([]);
  });

  it('writes a changed userName (same id, same e-mail) to the same teammate', async () => {
    ws.writeDirectory(withUser(e2eDirectory(), 'u-alice', { userName: 'alice' }));
    await sync();
    const before = (await scimUsers()).find((u) => u.externalId === 'u-alice');
    expect(before?.userName).toBe('alice');
    ws.writeDirectory(withUser(e2eDirectory(), 'u-alice', { userName: 'asmith' }));
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.renames).toEqual([
      { id: 'u-alice', from: 'alice@example.com', to: 'alice@example.com', userName: { from: 'alice', to: 'asmith' } },
    ]);
    expect(plan.changes).toEqual([]);
    const record = await sync();
    expect(record.renames?.map((r) => r.outcome)).toEqual(['applied']);
    const after = (await scimUsers()).filter((u) => u.externalId === 'u-alice');
    expect(after.map((u) => [u.id, u.userName])).toEqual([[before!.id, 'asmith']]);
    expect((await ws.json<Plan>(['plan'])).renames ?? []).toEqual([]);
  });

  it('keeps an exception on a user renamed by immutable id, in the run that renames and after', async () => {
    await sync();
    const added = await addException(ws.cli, {
      user: 'bob@example.com',
      entitlement: 'project:web-prod',
      value: 'Admin',
      reason: 'incident 42',
      approver: 'cto@example.com',
      expires: '7d',
    });
    expect(added.code, added.stderr).toBe(0);
    await sync();
    expect((await teammates(standIn.url)).get('bob@example.com')?.['project:web-prod']).toBe('Admin');

    ws.writeDirectory(
      withUser(e2eDirectory(), 'u-bob', { userName: 'robert@example.com', email: 'robert@example.com' }),
    );
    const renaming = await sync();
    expect(renaming.renames?.map((r) => [r.rename.from, r.rename.to, r.outcome])).toEqual([
      ['bob@example.com', 'robert@example.com', 'applied'],
    ]);
    let heap = await teammates(standIn.url);
    expect(heap.has('bob@example.com')).toBe(false);
    expect(heap.get('robert@example.com')?.['project:web-prod']).toBe('Admin');
    await sync();
    heap = await teammates(standIn.url);
    expect(heap.get('robert@example.com')?.['project:web-prod']).toBe('Admin');
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.changes).toEqual([]);
    const { exceptions: list } = await ws.json<{ exceptions: { user: string; entitlement: string; value: string }[] }>([
      'exceptions',
      'list',
    ]);
    expect(list.map((e) => [e.user, e.entitlement, e.value])).toEqual([
      ['robert@example.com', 'project:web-prod', 'Admin'],
    ]);
    // the move is in the journal's chain: revoked under the old e-mail, made again under the new
    const events = readJournal(ws.files.store)
      .filter((r) => r.trigger === 'exception')
      .map((r) => [r.event?.kind, r.event && 'exception' in r.event ? r.event.exception.user : null, r.actor]);
    expect(events.slice(-2)).toEqual([
      ['exception-revoked', 'bob@example.com', 'heap-access-sync'],
      ['exception-created', 'robert@example.com', 'heap-access-sync'],
    ]);
  });

  it('warns on every plan about a rule whose group the directory does not have', async () => {
    // e2eMapping's rule "viewers" names the group Viewers, which e2eDirectory lacks
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.warnings.filter((w) => w.includes('Viewers'))).toEqual([
      expect.stringMatching(/rule "viewers".*group "Viewers".*not in/),
    ]);
    const d = e2eDirectory();
    d.groups.push({ id: 'g-viewers', displayName: 'Viewers', members: [] });
    ws.writeDirectory(d);
    expect((await ws.json<Plan>(['plan'])).warnings.filter((w) => w.includes('Viewers'))).toEqual([]);
  });
});
