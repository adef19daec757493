import type { Plan } from '../../src/domain/plan.js';
import { startCli, type CliResult } from './cli.js';
import { auditCrashes, readJournal, scimActivity, userNamesById, type CrashAudit } from './crash-audit.js';
import { SCIM_TOKEN, e2eDirectory, e2eMapping, makeWorkspace, teammates, type Directory } from './e2e-setup.js';
import type { TestStandIn } from './stand-in.js';

/**
 * `sync` SIGKILLed at random points of its apply phase: the moves test/integration/sync-crash.test.ts asserts on
 * and the soak script (test/bench/crash-soak.ts) counts: 40 staff alternate between Analytics and Viewers, the
 * directory changes while sync is down every 4th kill, and a last run stalls every write past the target's timeout.
 */

export const STAFF = 40;
/** the target's request timeout in the workspace's config */
export const TIMEOUT_MS = 1500;

type Group = 'Analytics' | 'Viewers';
/** Which group each of the staff is in: a run's whole directory follows from it. */
export type Placement = (staff: number) => Group;
export const roleIn = (group: Group) => (group === 'Analytics' ? 'Member' : 'Viewer');
/** Two placements the runs alternate between, so every run has a change for each of the staff. */
export const alternating =
  (variant: number): Placement =>
  () =>
    variant % 2 === 0 ? 'Analytics' : 'Viewers';
/** The IdP changed while sync was down: every third of the staff moved the other way. */
export const shuffled =
  (variant: number): Placement =>
  (s) =>
    s % 3 === 0 ? alternating(variant + 1)(s) : alternating(variant)(s);

export function directoryOf(placement: Placement): Directory {
  const base = e2eDirectory();
  const staff = Array.from({ length: STAFF }, (_, i) => ({
    id: `u-staff${i}`,
    userName: `staff${i}@example.com`,
    email: `staff${i}@example.com`,
    active: true,
  }));
  base.users.push(...staff);
  base.groups.push({ id: 'g-viewers', displayName: 'Viewers', members: [] });
  base.groups = base.groups.map((g) => {
    const joining = staff.filter((_, i) => placement(i) === g.displayName);
    return joining.length ? { ...g, members: [...g.members, ...joining.map((s) => s.id)] } : g;
  });
  return base;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SyncKillFigures {
  rounds: number;
  /** kills that landed during apply (the run had started writing and had not finished) */
  killPoints: number;
  /** restarts after the directory changed while sync was down, and how many of them converged */
  idpChanges: number;
  idpChangesConverged: number;
  /** the run after the last kill left nothing to do and Heap as the directory says */
  converged: boolean;
  /** writes stalled past the timeout that the run read back as applied */
  stalledReadBack: number;
  audit: CrashAudit;
}

export function makeSyncWorkspace(standIn: TestStandIn) {
  const ws = makeWorkspace(standIn.scimUrl, { timeoutMs: TIMEOUT_MS });
  // every run lowers the staff's roles (Analytics <-> Viewers): the mass-change guard is not what this is about
  ws.writeMapping(e2eMapping({ maxRevocations: 10_000, maxRevocationPercent: 100 }));
  return ws;
}

/**
 * One `sync`, SIGKILLed at a random point after its first write reached Heap (stall the writes so the apply phase
 * lasts long enough to be interrupted); `killed` is false when it finished first.
 */
export async function syncKilledDuringApply(
  standIn: TestStandIn,
  ws: ReturnType<typeof makeSyncWorkspace>,
): Promise<{ killed: boolean; result: CliResult }> {
  const writesBefore = standIn.faults.stats().writes;
  const { child, done } = startCli(['--config', ws.files.config, 'sync'], {
    cwd: ws.dir,
    env: { HEAP_SCIM_TOKEN: SCIM_TOKEN },
  });
  while (standIn.faults.stats().writes === writesBefore && child.exitCode === null) await sleep(5);
  await sleep(Math.floor(Math.random() * 150));
  const killed = child.exitCode === null;
  if (killed) child.kill('SIGKILL');
  return { killed, result: await done };
}

export async function killSyncDuringApply(
  standIn: TestStandIn,
  ws: ReturnType<typeof makeSyncWorkspace>,
  rounds: number,
): Promise<SyncKillFigures> {
  const converged = async (placement: Placement): Promise<boolean> => {
    const result = await ws.cli(['plan', '--json']);
    const plan = JSON.parse(result.stdout) as Plan;
    const heap = await teammates(standIn.url);
    const right = Array.from({ length: STAFF }, (_, s) => s).every(
      (s) => heap.get(`staff${s}@example.com`)?.['project:web-prod'] === roleIn(placement(s)),
    );
    return plan.changes.length === 0 && plan.drift.length === 0 && right;
  };
  standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: 15, seed: 7 });
  let killPoints = 0;
  let idpChanges = 0;
  let idpChangesConverged = 0;
  for (let i = 0; i < rounds; i++) {
    ws.writeDirectory(directoryOf(alternating(i)));
    const { killed, result } = await syncKilledDuringApply(standIn, ws);
    if (killed && result.signal === 'SIGKILL') killPoints++;
    if (killed && i % 4 === 3) {
      idpChanges++;
      ws.writeDirectory(directoryOf(shuffled(i)));
      if ((await ws.cli(['sync'])).code === 0 && (await converged(shuffled(i)))) idpChangesConverged++;
    }
  }
  standIn.faults.set(undefined);
  ws.writeDirectory(directoryOf(alternating(rounds)));
  const final = await ws.cli(['sync']);
  const ok = final.code === 0 && (await converged(alternating(rounds)));

  const fewMove: Placement = (s) => (s < 4 ? alternating(rounds + 1)(s) : alternating(rounds)(s));
  ws.writeDirectory(directoryOf(fewMove));
  standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: TIMEOUT_MS + 500, seed: 3 });
  await ws.cli(['sync']);
  standIn.faults.set(undefined);
  const stalledRun = readJournal(ws.files.store).at(-1);
  const stalledReadBack = stalledRun?.results.filter((r) => r.recheck === 'applied').length ?? 0;
  await ws.cli(['sync']);
  const stalledOk = await converged(fewMove);

  const audit = auditCrashes(
    readJournal(ws.files.store),
    standIn.writeAttempts(),
    await scimActivity(standIn.url, SCIM_TOKEN),
    await userNamesById(standIn.scimUrl, SCIM_TOKEN),
  );
  return {
    rounds,
    killPoints,
    idpChanges,
    idpChangesConverged,
    converged: ok && stalledOk,
    stalledReadBack,
    audit,
  };
}
