import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/domain/journal.js';
import type { Plan } from '../../src/domain/plan.js';
import { parseJsonOutput } from '../support/cli.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eMapping, teammates } from '../support/e2e-setup.js';
import { startReplicaSet, type ReplicaSet } from '../support/replicas.js';
import { until, type ServeProcess as Replica } from '../support/serve-process.js';

const SCIM_TOKEN = 'idp-push-token-for-kills';
const ADMIN = 'replicas-kill-admin-token-0123456789';
const STAFF = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two `serve` replicas on one database, each as if on its own machine (a host name of its own, so a dead run is
 * found by its stale lease, as across hosts). The replica running a sync is SIGKILLed during apply; the other takes
 * the queued run over and finishes the work.
 */
describe('serve replicas on one PostgreSQL database: the replica running a sync is killed during apply', () => {
  let set: ReplicaSet;
  let standIn: ReplicaSet['standIn'];
  let replicas: Replica[];
  const cli = (args: string[]) => set.cli(args);
  const scim: ReplicaSet['scim'] = (...args) => set.scim(...args);
  const queueOf = async (replica: Replica) => {
    const res = await fetch(`${replica.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return String(((await res.json()) as { checks: Record<string, string> }).checks.queue);
  };

  beforeAll(async () => {
    set = await startReplicaSet({
      label: 'replicas_kill',
      mapping: e2eMapping({ maxRevocations: 10_000 }),
      timeoutMs: 2000,
      env: { SCIM_TOKEN, ADMIN_TOKEN: ADMIN },
    });
    ({ standIn, replicas } = set);
  });
  afterAll(async () => {
    await set?.close();
  });

  it('never runs two applies at once, applies nothing twice, journals the killed run and converges', async () => {
    for (const name of ['replica-a', 'replica-b']) await set.start(name, { host: `${name}-host` });
    const [a, b] = replicas as [Replica, Replica];
    // the staff and their (empty) group first, run while Heap answers at once
    const group = await scim(a, 'POST', '/Groups', { displayName: 'Analytics', members: [] });
    expect(group.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < STAFF; i++) {
      const email = `staff${i}@example.com`;
      const created = await scim(i % 2 ? a : b, 'POST', '/Users', { userName: email, emails: [{ value: email }] });
      expect(created.status).toBe(201);
      ids.push(String(created.body?.id));
    }
    await until(
      async () => [await queueOf(a), await queueOf(b)],
      (q) => q.every((s) => s === 'ok: idle'),
      'idle',
    );

    // then one push that gives all of them access: one run, every write of it slowed down
    standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: 40, seed: 3 });
    const writesBefore = standIn.faults.stats().writes;
    const added = await scim(b, 'PATCH', `/Groups/${String(group.body?.id)}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
    });
    expect(added.status).toBeLessThan(300);
    await until(
      async () => standIn.faults.stats().writes,
      (w) => w > writesBefore,
      'the apply to start',
    );
    const running = await queueOf(a);
    const victim = replicas.find((r) => running.includes(`running on ${r.name}-host:`));
    expect(victim, running).toBeDefined();
    await sleep(Math.floor(Math.random() * 300));
    victim!.child.kill('SIGKILL');
    expect((await victim!.done).signal).toBe('SIGKILL');
    const survivor = victim === a ? b : a;

    const heap = await until(
      () => teammates(standIn.url),
      (t) => ids.every((_, i) => t.get(`staff${i}@example.com`)?.['project:web-prod'] === 'Member'),
      'every pushed member in Heap',
    );
    expect(heap.size).toBeGreaterThanOrEqual(STAFF);
    await until(
      () => queueOf(survivor),
      (q) => q === 'ok: idle',
      'the survivor idle',
    );
    standIn.faults.set(undefined);

    // fencing: the writes of two runs never interleaved
    const { windows, overlaps } = standIn.writeWindows();
    expect(overlaps).toEqual([]);
    expect(windows.length).toBeGreaterThanOrEqual(2);

    // the killed run is journaled (by the survivor), and every change that reached Heap is journaled once
    const client = new pg.Client({ connectionString: set.database.url });
    await client.connect();
    const records = (await client.query<{ record: string }>('SELECT record FROM journal ORDER BY sequence')).rows.map(
      (r) => JSON.parse(r.record) as JournalRecord,
    );
    await client.end();
    expect(records.filter((r) => r.error?.startsWith('interrupted')).length).toBe(1);
    const journaled = new Set<string>();
    for (const r of records) {
      for (const res of r.results) {
        if (res.outcome === 'applied') journaled.add(`${res.change.user}|${res.change.entitlement}|${res.change.to}`);
      }
    }
    const res = await fetch(`${standIn.url}/api/activity?limit=10000`, {
      headers: { authorization: `Bearer ${HEAP_TOKEN}` },
    });
    const { activity } = (await res.json()) as {
      activity: { via: string; teammate: string; entitlement: string; from: string | null; to: string | null }[];
    };
    const writes = activity.filter((w) => w.via === 'scim' && w.from !== w.to).reverse();
    const last = new Map<string, string | null>();
    for (const w of writes) {
      const slot = `${w.teammate}|${w.entitlement}`;
      expect(last.has(slot) && last.get(slot) === w.to, `duplicate write ${slot} -> ${w.to}`).toBe(false);
      last.set(slot, w.to);
      expect(journaled.has(`${slot}|${w.to}`), `unjournaled write ${slot} -> ${w.to}`).toBe(true);
    }
    expect((await cli(['journal', 'verify'])).code).toBe(0);
    const plan = parseJsonOutput<Plan>(await cli(['plan', '--json']));
    expect(plan.changes).toEqual([]);
  });
});
