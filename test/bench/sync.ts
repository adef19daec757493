/**
 * The sync loop benchmark (issue 3): a full sync of 10,000 users into an empty Heap stand-in (SCIM requests sent,
 * wall time), then a sync with nothing to change (reads only), then one after 1% of users were changed by hand
 * (reverted at once: its reads are the organisation's pages, then only the users it touched).
 * The stand-in runs in its own process, as Heap would, so its work is not charged to the sync's event loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createRuntime, type Runtime } from '../../src/main.js';
import {
  benchUsers,
  copyMappings,
  HEAP_TOKEN as TOKEN,
  spreadOver,
  standInTraffic as stats,
  startStandIn,
} from './lib/stand-in-child.js';

const USERS = Number(process.env.BENCH_SYNC_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_SYNC_CONCURRENCY ?? 4);
// the product's default is 5 writes/s (Heap publishes no limit); this benchmark measures our side, unpaced
const WRITES_PER_SECOND = Number(process.env.BENCH_WRITES_PER_SECOND ?? 10_000);
const GROUPS = [
  'Analytics',
  'Engineering',
  'Product Managers',
  'UX Research',
  'Data Governance',
  'Contractors (Temporary)',
];

function writeWorkspace(dir: string, scimUrl: string): string {
  copyMappings(dir);
  // the 1% drift is reverted by the next run (no grace), so that run's post-apply read is measured
  const acme = path.join(dir, 'mappings', '00-acme.yaml');
  fs.writeFileSync(acme, fs.readFileSync(acme, 'utf8').replace(/^policy:\n/m, 'policy:\n  revertAfter: 0s\n'));
  const users = benchUsers(USERS);
  const groups = spreadOver(users, GROUPS, 7);
  groups.push({ id: 'g-admins', displayName: 'Heap Admins', members: ['u0', 'u1'] });
  groups.push({ id: 'g-prod-admins', displayName: 'Heap Prod Admins', members: ['u2', 'u3'] });
  fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify({ users, groups }));
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    `mappings: ./mappings
store: { sqlite: ./data/store.db }
sources: [ { type: file, path: ./directory.json } ]
target: { type: scim, url: ${scimUrl}, tokenEnv: HEAP_SCIM_TOKEN, applyConcurrency: ${CONCURRENCY}, writesPerSecond: ${WRITES_PER_SECOND} }
schedule: null
logLevel: warn
`,
  );
  return config;
}

async function measure(label: string, rt: Runtime, url: string) {
  const before = await stats(url);
  const t0 = performance.now();
  const { record } = await rt.sync.run({ trigger: 'cli' });
  const ms = performance.now() - t0;
  const after = await stats(url);
  const applied = record.results.filter((r) => r.outcome === 'applied').length;
  const users = new Set(record.results.map((r) => r.change.user)).size;
  console.log(
    `${label.padEnd(26)} ${record.status.padEnd(10)} changes ${String(applied).padStart(6)} (users ${String(users).padStart(5)})  requests: reads ${String(after.reads - before.reads).padStart(5)}, writes ${String(after.writes - before.writes).padStart(5)}  wall ${(ms / 1000).toFixed(2)} s`,
  );
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sync-'));
  const standIn = await startStandIn(path.join(dir, 'stand-in'));
  try {
    const configFile = writeWorkspace(dir, `${standIn.url}/scim/v2`);
    const rt = await createRuntime({
      configFile,
      env: { ...process.env, HEAP_SCIM_TOKEN: TOKEN },
      logger: pino({ level: 'warn' }),
    });
    console.log(
      `sync benchmark: ${USERS} users, example mapping, apply concurrency ${CONCURRENCY}, ${WRITES_PER_SECOND} writes/s budget, stand-in in its own process (${os.cpus().length} cores)`,
    );
    await measure('full sync into empty Heap', rt, standIn.url);
    await measure('no-change sync', rt, standIn.url);
    // 1%: more users than the organisation has pages, so the post-apply read is the pages; 0.1%: only those users
    for (const [label, share, project] of [
      ['1%', 100, 'web-dev'],
      ['0.1%', 1000, 'web-prod'],
    ] as const) {
      const drifted = Math.round(USERS / share);
      for (let i = 0; i < drifted; i++) {
        await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(`user${(i * 97) % USERS}@bench.example`)}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ entitlement: `project:${project}`, value: 'Admin' }),
        });
      }
      await measure(`${label} drift (${drifted} by hand)`, rt, standIn.url);
    }
    console.log(
      "post-apply read: the touched users one by one, or the organisation's pages when those are fewer requests",
    );
    await rt.close();
  } finally {
    standIn.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
