/**
 * Failover after SIGKILL (issue 13): two `serve` replicas on one PostgreSQL database, each with a host name of its
 * own (as on two machines: the dead one is found by its stale lease, not by its process). A SCIM push gives 40
 * users access (or takes it away), one run whose every write the Heap stand-in slows down; the replica running it
 * is SIGKILLed during apply, then restarted for the next round. Per kill: until the survivor holds the run (the
 * queue's lease replaced) and until its first write reaches Heap (after it let the dead run's writes land).
 *   npm run bench -- failover        (FAILOVER_KILLS=10)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCIM_TOKEN as HEAP_TOKEN, e2eMapping } from '../support/e2e-setup.js';
import { createTestDatabase } from '../support/postgres.js';
import { startServeProcess, until, type ServeProcess as Replica } from '../support/serve-process.js';
import { startTestStandIn } from '../support/stand-in.js';

const KILLS = Number(process.env.FAILOVER_KILLS ?? 10);
const STAFF = 40;
const SCIM_TOKEN = 'bench-failover-push-token';
const ADMIN = 'bench-failover-admin-token-0123456789';
const headers = { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function run(): Promise<void> {
  const database = await createTestDatabase('bench_failover');
  const standIn = await startTestStandIn({ token: HEAP_TOKEN });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-failover-'));
  const replicas = new Map<string, Replica>();
  try {
    fs.mkdirSync(path.join(dir, 'mappings'));
    fs.writeFileSync(
      path.join(dir, 'mappings', 'acme.yaml'),
      e2eMapping({ maxRevocations: 10_000, maxRevocationPercent: 100 }),
    );
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        'mappings: ./mappings',
        'store: { postgres: { urlEnv: DATABASE_URL, poolSize: 3 } }',
        'sources: [ { type: scim, debounceMs: 200 } ]',
        `target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, timeoutMs: 2000, writesPerSecond: 1000 }`,
        'server: { port: 0 }',
        'schedule: null',
        'logLevel: info', // the replica's URL is in its info log
      ].join('\n'),
    );
    const env = { DATABASE_URL: database.url, SCIM_TOKEN, ADMIN_TOKEN: ADMIN, HEAP_SCIM_TOKEN: HEAP_TOKEN };
    const start = async (name: string) =>
      replicas.set(name, await startServeProcess(config, { cwd: dir, env, name, host: `${name}-host` }));
    await start('replica-a');
    await start('replica-b');
    const any = () => [...replicas.values()][0]!;
    const scim = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${any().url}/scim/v2${route}`, { method, headers, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    };
    const queue = async (replica: Replica) => {
      const res = await fetch(`${replica.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return String(((await res.json()) as { checks: Record<string, string> }).checks.queue);
    };
    const idle = () =>
      until(
        async () => Promise.all([...replicas.values()].map(queue)),
        (q) => q.every((s) => s === 'ok: idle'),
        'idle',
      );

    const groupId = String((await scim('POST', '/Groups', { displayName: 'Analytics', members: [] })).id);
    const ids: string[] = [];
    for (let i = 0; i < STAFF; i++) {
      const email = `staff${i}@bench.example`;
      ids.push(String((await scim('POST', '/Users', { userName: email, emails: [{ value: email }] })).id));
    }
    await idle();
    standIn.faults.set({ share: 1, kinds: ['stall'], stallMs: 40, seed: 11 });

    const leaseMs: number[] = [];
    const writeMs: number[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      const before = new Set(standIn.writeWindows().windows.map((w) => w.runId));
      const writes = standIn.faults.stats().writes;
      await scim('PATCH', `/Groups/${groupId}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          kill % 2 === 0
            ? { op: 'add', path: 'members', value: ids.map((value) => ({ value })) }
            : { op: 'remove', path: 'members', value: ids.map((value) => ({ value })) },
        ],
      });
      await until(
        async () => standIn.faults.stats().writes,
        (w) => w > writes,
        'the apply to start',
      );
      const running = await queue(any());
      const victim = [...replicas.values()].find((r) => running.includes(`running on ${r.name}-host:`));
      if (!victim) throw new Error(`no replica runs it: ${running}`);
      const survivor = [...replicas.values()].find((r) => r !== victim)!;
      await sleep(Math.floor(Math.random() * 200));
      victim.child.kill('SIGKILL');
      const killedAt = Date.now();
      await victim.done;
      replicas.delete(victim.name);
      await until(
        () => queue(survivor),
        (q) => q.includes(`running on ${survivor.name}-host:`),
        'the survivor to take the run',
      );
      leaseMs.push(Date.now() - killedAt);
      const resumed = await until(
        async () =>
          standIn.writeWindows().windows.find((w) => !before.has(w.runId) && Date.parse(w.firstWriteAt) > killedAt),
        (w) => w !== undefined,
        'the survivor to write',
      );
      writeMs.push(Date.parse(resumed!.firstWriteAt) - killedAt);
      await idle();
      console.log(
        `kill ${kill + 1}: ${victim.name} killed; ${survivor.name} held the run after ${(leaseMs.at(-1)! / 1000).toFixed(1)} s, wrote after ${(writeMs.at(-1)! / 1000).toFixed(1)} s`,
      );
      await start(victim.name);
    }
    const { overlaps } = standIn.writeWindows();
    const fmt = (xs: number[]) =>
      `median ${(median(xs) / 1000).toFixed(1)} s, max ${(Math.max(...xs) / 1000).toFixed(1)} s`;
    console.log(
      `\nfailover after SIGKILL during apply, ${KILLS} kills, 2 replicas on 2 host names (lease stale after 20 s)`,
    );
    console.log(`run taken over (lease replaced):  ${fmt(leaseMs)}`);
    console.log(
      `first write of the survivor:      ${fmt(writeMs)}  (it lets the dead run's writes land: timeoutMs 2 s)`,
    );
    console.log(`overlapping write windows: ${overlaps.length}`);
  } finally {
    for (const r of replicas.values()) r.child.kill('SIGKILL');
    await Promise.all([...replicas.values()].map((r) => r.done));
    await standIn.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}
