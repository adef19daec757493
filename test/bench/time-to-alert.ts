/**
 * Issue 10's time-to-alert figure: from a manual change in Heap (the stand-in's PATCH, as an administrator in Heap's
 * UI) to the signed drift-detected webhook arriving at a receiver, when a `sync` runs right after the change (a
 * scheduled `serve` adds up to one schedule interval). Measured with the default grace (`1h`: alert, no revert) and
 * with `0s` (the alert is delivered before the revert is written; the revert's own time is printed beside it).
 */
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createRuntime } from '../../src/main.js';
import { startStandIn } from '../../src/stand-in/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HEAP = 'bench-heap';
const SAMPLES = 20;
const USERS = 1000;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

function directory(users: number): string {
  const people = Array.from({ length: users }, (_, i) => ({
    id: `u${i}`,
    userName: `user${i}@bench.example`,
    email: `user${i}@bench.example`,
    active: true,
  }));
  return JSON.stringify({
    users: people,
    groups: [
      { id: 'g-analytics', displayName: 'Analytics', members: people.map((p) => p.id) },
      { id: 'g-admins', displayName: 'Heap Admins', members: ['u0', 'u1'] },
    ],
  });
}

async function measure(revertAfter: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-alert-'));
  const standIn = await startStandIn({
    port: 0,
    dataDir: path.join(dir, 'stand-in'),
    token: HEAP,
    logger: pino({ level: 'silent' }),
  });
  const arrived = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; details?: { user?: string } };
      if (body.event === 'drift-detected' && body.details?.user) arrived.set(body.details.user, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    fs.mkdirSync(path.join(dir, 'mappings'));
    for (const f of fs.readdirSync(path.join(ROOT, 'mappings'))) {
      const text = fs
        .readFileSync(path.join(ROOT, 'mappings', f), 'utf8')
        .replace(/maxRevocations:\s*\d+/, 'maxRevocations: 100000')
        .replace(/^policy:\n/m, `policy:\n  revertAfter: ${revertAfter}\n`);
      fs.writeFileSync(path.join(dir, 'mappings', f), text);
    }
    fs.writeFileSync(path.join(dir, 'directory.json'), directory(USERS));
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      `mappings: ./mappings
store: { sqlite: ./data/store.db }
sources: [ { type: file, path: ./directory.json } ]
target: { type: scim, url: ${standIn.scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, writesPerSecond: 1000 }
schedule: null
alerts: [ { type: webhook, url: "${hook}", secretEnv: ALERT_SECRET } ]
logLevel: warn
`,
    );
    const rt = await createRuntime({
      configFile: path.join(dir, 'config.yaml'),
      env: { ...process.env, HEAP_SCIM_TOKEN: HEAP, ALERT_SECRET: 'bench-secret' },
      logger: pino({ level: 'warn' }),
      alerts: true,
    });
    await rt.sync.run({ trigger: 'cli' });
    const toAlert: number[] = [];
    const toRevert: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const user = `user${10 + s}@bench.example`;
      const t0 = performance.now();
      const res = await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(user)}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${HEAP}`, 'content-type': 'application/json' },
        body: JSON.stringify({ entitlement: 'org', value: 'Admin' }),
      });
      if (!res.ok) throw new Error(`PATCH ${user}: ${res.status}`);
      const { record } = await rt.sync.run({ trigger: 'cli' });
      const runEnd = performance.now();
      await rt.alerts!.drain(10_000);
      const alertAt = arrived.get(user);
      if (alertAt === undefined) throw new Error(`no drift alert for ${user}`);
      toAlert.push(alertAt - t0);
      if (record.results.some((r) => r.change.user === user && r.outcome === 'applied')) toRevert.push(runEnd - t0);
      // with 0s the run waits for the alert before it reverts, so the alert is in before the run ends
      if (revertAfter === '0s' && alertAt > runEnd) throw new Error('the alert came after the revert run ended');
    }
    const line = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms`;
    console.log(
      `revertAfter ${revertAfter.padEnd(3)} ${USERS} users, ${SAMPLES} samples: manual change -> drift alert delivered ${line(toAlert)}` +
        (toRevert.length
          ? `; -> revert written and run journaled ${line(toRevert)} (${toRevert.length} reverted)`
          : '; no revert (inside the grace)'),
    );
    await rt.close();
  } finally {
    receiver.close();
    await standIn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log('time to alert: a sync right after a manual change in the Heap stand-in, webhook on loopback');
  await measure('1h');
  await measure('0s');
}
