import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.js';
import { startTestStandIn } from '../support/stand-in.js';
import { auditCrashes, readJournal, scimActivity, userNamesById } from '../support/crash-audit.js';
import { SCIM_TOKEN, teammates } from '../support/e2e-setup.js';
import {
  STAFF,
  TIMEOUT_MS,
  alternating,
  directoryOf,
  makeSyncWorkspace,
  roleIn,
  shuffled,
  syncKilledDuringApply,
  type Placement,
} from '../support/sync-kills.js';

type StandIn = Awaited<ReturnType<typeof startTestStandIn>>;

const KILLS = 20;

describe('crash safety: sync killed with SIGKILL during apply', () => {
  let standIn: StandIn;
  let ws: ReturnType<typeof makeSyncWorkspace>;

  beforeAll(async () => {
    standIn = await startTestStandIn({ token: SCIM_TOKEN });
    ws = makeSyncWorkspace(standIn);
  });
  afterAll(async () => {
    await standIn?.close();
    ws?.cleanup();
  });

  /** Heap has each of the staff at the role the placement gives, and a plan finds nothing left to do. */
  async function expectConverged(placement: Placement) {
    const plan = await ws.json<Plan>(['plan']);
    expect(plan.changes).toEqual([]);
    expect(plan.drift).toEqual([]);
    const heap = await teammates(standIn.url);
    const got = Array.from({ length: STAFF }, (_, s) => heap.get(`staff${s}@example.com`)?.['project:web-prod']);
    expect(got).toEqual(Array.from({ length: STAFF }, (_, s) => roleIn(placement(s))));
  }

  it(
    `converges after ${KILLS} kills at random points of the apply phase, losing and duplicating nothing`,
    { timeout: 900_000 },
    async () => {
      // Every SCIM write waits a little, so the apply phase lasts long enough to be interrupted.
      standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: 15, seed: 7 });
      let interrupted = 0;
      let idpChanged = 0;
      for (let i = 0; i < KILLS; i++) {
        ws.writeDirectory(directoryOf(alternating(i)));
        // wait for the apply phase to start, then kill at a random point of it
        const { killed, result } = await syncKilledDuringApply(standIn, ws);
        if (killed) interrupted++;
        expect(result.signal === 'SIGKILL' || result.code === 0, result.stderr).toBe(true);
        if (killed && i % 4 === 3) {
          // the IdP changes while sync is down: the next run plans from the new directory, nothing stale lands
          idpChanged++;
          ws.writeDirectory(directoryOf(shuffled(i)));
          const next = await ws.cli(['sync']);
          expect(next.code, next.stderr).toBe(0);
          await expectConverged(shuffled(i));
        }
      }
      expect(interrupted).toBeGreaterThan(KILLS / 2);
      expect(idpChanged).toBeGreaterThan(0);

      standIn.faults.set(undefined);
      ws.writeDirectory(directoryOf(alternating(KILLS)));
      const final = await ws.cli(['sync', '--json']);
      expect(final.code, final.stderr).toBe(0);
      await expectConverged(alternating(KILLS));

      // Writes that stall past the request timeout and are applied anyway: the run reads them back and journals
      // them applied; the next run has nothing to write again.
      const fewMove: Placement = (s) => (s < 4 ? alternating(KILLS + 1)(s) : alternating(KILLS)(s));
      ws.writeDirectory(directoryOf(fewMove));
      standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: TIMEOUT_MS + 500, seed: 3 });
      const stalled = await ws.cli(['sync']);
      standIn.faults.set(undefined);
      expect(stalled.code, stalled.stderr).toBe(0);
      const stalledRun = readJournal(ws.files.store).at(-1)!;
      const rechecked = stalledRun.results.filter((r) => r.recheck === 'applied');
      expect(rechecked.length).toBeGreaterThanOrEqual(4);
      expect(stalledRun.results.every((r) => r.outcome === 'applied')).toBe(true);
      await expectConverged(fewMove);
      const attemptsBefore = standIn.writeAttempts().length;
      expect((await ws.cli(['sync'])).code).toBe(0);
      expect(standIn.writeAttempts().length).toBe(attemptsBefore);

      expect((await ws.cli(['journal', 'verify'])).code).toBe(0);

      // Every write attempt Heap received is accounted for in the journal, every change Heap made is journaled
      // applied by the run that sent it, no request changed Heap twice or found it done, no dead run's write
      // landed after a later run's.
      const journal = readJournal(ws.files.store);
      expect(journal.filter((r) => r.error?.startsWith('interrupted')).length).toBeGreaterThan(0);
      const audit = auditCrashes(
        journal,
        standIn.writeAttempts(),
        await scimActivity(standIn.url, SCIM_TOKEN),
        await userNamesById(standIn.scimUrl, SCIM_TOKEN),
      );
      expect(audit.attempts).toBeGreaterThan(STAFF * 2);
      expect(audit.unaccounted).toEqual([]);
      expect(audit.unjournaled).toEqual([]);
      expect(audit.doubleWrites).toEqual([]);
      expect(audit.lateWrites).toEqual([]);
      expect(standIn.writeWindows().overlaps).toEqual([]);
    },
  );
});
