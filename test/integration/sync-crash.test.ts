import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { startCli } from '../support/cli.js';
import {
  SCIM_TOKEN,
  e2eDirectory,
  e2eMapping,
  makeWorkspace,
  teammates,
  type Directory,
} from '../support/e2e-setup.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

const KILLS = 20;
const STAFF = 40;

/** Two directories the runs alternate between, so every run has a change for each of the staff. */
function directoryVariant(variant: number): Directory {
  const base = e2eDirectory();
  const staff = Array.from({ length: STAFF }, (_, i) => ({
    id: `u-staff${i}`,
    userName: `staff${i}@example.com`,
    email: `staff${i}@example.com`,
    active: true,
  }));
  base.users.push(...staff);
  base.groups.push({ id: 'g-viewers', displayName: 'Viewers', members: [] });
  const group = variant % 2 === 0 ? 'Analytics' : 'Viewers';
  base.groups = base.groups.map((g) =>
    g.displayName === group ? { ...g, members: [...g.members, ...staff.map((s) => s.id)] } : g,
  );
  return base;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety: sync killed with SIGKILL during apply', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeWorkspace(standIn.scimUrl);
    // every run lowers the staff's roles (Analytics <-> Viewers): the mass-change guard is not what this is about
    ws.writeMapping(e2eMapping({ maxRevocations: 10_000, maxRevocationPercent: 100 }));
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  it(
    `converges after ${KILLS} kills at random points of the apply phase, losing and duplicating nothing`,
    { timeout: 900_000 },
    async () => {
      // Every SCIM write waits a little, so the apply phase lasts long enough to be interrupted.
      standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: 15, seed: 7 });
      let interrupted = 0;
      for (let i = 0; i < KILLS; i++) {
        ws.writeDirectory(directoryVariant(i));
        const writesBefore = standIn.faults.stats().writes;
        const { child, done } = startCli(['--config', ws.files.config, 'sync'], {
          cwd: ws.dir,
          env: { HEAP_SCIM_TOKEN: SCIM_TOKEN },
        });
        // wait for the apply phase to start, then kill at a random point of it
        while (standIn.faults.stats().writes === writesBefore && child.exitCode === null) await sleep(5);
        await sleep(Math.floor(Math.random() * 150));
        if (child.exitCode === null) {
          child.kill('SIGKILL');
          interrupted++;
        }
        const result = await done;
        expect(result.signal === 'SIGKILL' || result.code === 0, result.stderr).toBe(true);
      }
      expect(interrupted).toBeGreaterThan(KILLS / 2);

      standIn.faults.set(undefined);
      ws.writeDirectory(directoryVariant(KILLS));
      const final = await ws.cli(['sync', '--json']);
      expect(final.code, final.stderr).toBe(0);
      const plan = await ws.json<Plan>(['plan']);
      expect(plan.changes).toEqual([]);
      expect(plan.drift).toEqual([]);
      const heap = await teammates(standIn.url);
      const want = KILLS % 2 === 0 ? 'Member' : 'Viewer';
      for (let s = 0; s < STAFF; s++) expect(heap.get(`staff${s}@example.com`)?.['project:web-prod']).toBe(want);

      expect((await ws.cli(['journal', 'verify'])).code).toBe(0);

      // every change that reached Heap is in the journal as applied, and none reached Heap twice
      const db = new Database(ws.files.store, { readonly: true });
      const records = db
        .prepare<[], { record: string }>('SELECT record FROM journal ORDER BY sequence')
        .all()
        .map((r) => JSON.parse(r.record) as JournalRecord);
      db.close();
      expect(records.filter((r) => r.error?.startsWith('interrupted')).length).toBeGreaterThan(0);
      const journaled = new Map<string, number>();
      for (const r of records) {
        for (const res of r.results) {
          if (res.outcome !== 'applied') continue;
          const key = `${res.change.user}|${res.change.entitlement}|${res.change.to}`;
          journaled.set(key, (journaled.get(key) ?? 0) + 1);
        }
      }
      const res = await fetch(`${standIn.url}/api/activity?limit=10000`, {
        headers: { authorization: `Bearer ${SCIM_TOKEN}` },
      });
      const { activity } = (await res.json()) as {
        activity: { via: string; teammate: string; entitlement: string; from: string | null; to: string | null }[];
      };
      const writes = activity.filter((a) => a.via === 'scim' && a.from !== a.to).reverse();
      expect(writes.length).toBeGreaterThan(STAFF);
      const last = new Map<string, string | null>();
      for (const w of writes) {
        const slot = `${w.teammate}|${w.entitlement}`;
        expect(last.has(slot) && last.get(slot) === w.to, `duplicate write ${slot} -> ${w.to}`).toBe(false);
        last.set(slot, w.to);
        expect(journaled.has(`${w.teammate}|${w.entitlement}|${w.to}`), `unjournaled write ${slot} -> ${w.to}`).toBe(
          true,
        );
      }
    },
  );
});
