import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { SCIM_TOKEN, e2eDirectory, makeWorkspace } from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

describe('a failing Heap: partial runs, convergence, and a tampered journal', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    // enough users that some writes fail and some succeed, whichever requests the seeded faults hit
    const directory = e2eDirectory();
    for (let i = 0; i < 24; i++) {
      directory.users.push({ id: `u-s${i}`, userName: `s${i}@example.com`, email: `s${i}@example.com`, active: true });
      directory.groups.find((g) => g.displayName === 'Analytics')!.members.push(`u-s${i}`);
    }
    ws.writeDirectory(directory);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it('ends partial with each failure journaled when writes keep failing, and the next run converges', async () => {
    // half the writes fail, more often than the target's two retries can absorb
    standIn.faults.set({ share: 0.6, kinds: ['500'], seed: 3 });
    const first = await ws.cli(['sync', '--json']);
    const record = JSON.parse(first.stdout) as JournalRecord;
    expect(first.code).toBe(1);
    expect(record.status).toBe('partial');
    const failed = record.results.filter((r) => r.outcome === 'failed');
    const applied = record.results.filter((r) => r.outcome === 'applied');
    expect(failed.length).toBeGreaterThan(0);
    expect(applied.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.error).toMatch(/500/);
    for (const f of failed) {
      expect(record.postSyncDiff).toContainEqual(
        expect.objectContaining({
          user: f.change.user,
          entitlement: f.change.entitlement,
          why: expect.stringMatching(/^write failed/),
        }),
      );
    }

    standIn.faults.set(undefined);
    const second = JSON.parse((await ws.cli(['sync', '--json'])).stdout) as JournalRecord;
    expect(second.status).toBe('succeeded');
    const retried = new Set(second.results.map((r) => `${r.change.user}|${r.change.entitlement}`));
    for (const f of failed) expect(retried.has(`${f.change.user}|${f.change.entitlement}`)).toBe(true);
    expect((await ws.json<Plan>(['plan'])).changes).toEqual([]);
  });

  it('names the tampered record and exits non-zero', async () => {
    expect((await ws.cli(['journal', 'verify'])).code).toBe(0);
    const db = new Database(ws.files.store);
    const target = db
      .prepare<[], { id: string; sequence: number }>('SELECT id, sequence FROM journal ORDER BY sequence LIMIT 1')
      .get()!;
    db.prepare("UPDATE journal SET record = json_set(record, '$.status', 'succeeded') WHERE sequence = ?").run(
      target.sequence,
    );
    db.close();
    const result = await ws.cli(['journal', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`#${target.sequence} (${target.id})`);
  });
});
