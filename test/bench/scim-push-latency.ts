/**
 * Issue 4's push figure: the time from a SCIM PATCH that puts a user into a group to that user's access being
 * changed in the Heap stand-in, through the debounced incremental run (p50, p99). The debounce window is part of
 * the figure; it is printed beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startService } from '../../src/serve.js';
import { startStandIn } from '../../src/stand-in/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USERS = 1000;
const SAMPLES = 60;
const DEBOUNCE_MS = 100;
const HEAP = 'bench-heap';
const SCIM = 'bench-scim';

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-push-'));
  const standIn = await startStandIn({
    port: 0,
    dataDir: path.join(dir, 'stand-in'),
    token: HEAP,
    logger: pino({ level: 'silent' }),
  });
  fs.mkdirSync(path.join(dir, 'mappings'));
  for (const f of fs.readdirSync(path.join(ROOT, 'mappings')))
    fs.copyFileSync(path.join(ROOT, 'mappings', f), path.join(dir, 'mappings', f));
  fs.writeFileSync(
    path.join(dir, 'config.yaml'),
    `mappings: ./mappings\nstore: { sqlite: ./data/store.db }\nsources: [ { type: scim, debounceMs: ${DEBOUNCE_MS} } ]\ntarget: { type: scim, url: ${standIn.scimUrl} }\nschedule: null\nalerts: [ { type: log } ]\n`,
  );
  const service = await startService({
    configFile: path.join(dir, 'config.yaml'),
    env: { ...process.env, SCIM_TOKEN: SCIM, ADMIN_TOKEN: 'bench-admin', HEAP_SCIM_TOKEN: HEAP },
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  const headers = { authorization: `Bearer ${SCIM}`, 'content-type': 'application/scim+json' };
  const post = async (route: string, body: unknown) =>
    (await (
      await fetch(`${service.url}/scim/v2${route}`, { method: 'POST', headers, body: JSON.stringify(body) })
    ).json()) as { id: string };
  try {
    const ids: string[] = [];
    for (let i = 0; i < USERS; i++) {
      ids.push(
        (
          await post('/Users', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: `p${i}@bench.example`,
            active: true,
          })
        ).id,
      );
    }
    const admins = await post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Heap Admins',
      members: [{ value: ids[0] }],
    });
    const analytics = await post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Analytics',
      members: [],
    });
    void admins;
    await service.enqueueRun({ trigger: 'schedule' });
    const latencies: number[] = [];
    for (let s = 1; s <= SAMPLES; s++) {
      const email = `p${s}@bench.example`;
      const t0 = performance.now();
      await fetch(`${service.url}/scim/v2/Groups/${analytics.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'add', path: 'members', value: [{ value: ids[s] }] }],
        }),
      });
      for (;;) {
        const res = await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(email)}`, {
          headers: { authorization: `Bearer ${HEAP}` },
        });
        if (res.ok && ((await res.json()) as { access: Record<string, string> }).access['project:web-prod']) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - t0);
    }
    console.log(
      `SCIM push -> access in Heap: ${SAMPLES} group PATCHes, ${USERS} SCIM users stored, debounce ${DEBOUNCE_MS} ms`,
    );
    console.log(
      `  p50 ${pct(latencies, 50).toFixed(0)} ms   p99 ${pct(latencies, 99).toFixed(0)} ms   max ${Math.max(...latencies).toFixed(0)} ms`,
    );
  } finally {
    await service.close();
    await standIn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
