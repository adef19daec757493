/**
 * Issue 12's figures: a first sync and a second one, for the example company and for 10,000 users, against the
 * stand-in under each profile (`full`: roles written over SCIM; `heap-documented`: users and Teams only, the rest
 * tasks for a Heap administrator). Prints SCIM reads and writes, tasks opened and wall time, every run measured at
 * the product's default budget (5 writes/s), never computed from a faster run. At that budget 10,000 users take
 * over half an hour per profile: BENCH_PROFILES=full (or heap-documented) runs one profile, so the two can run in
 * two processes side by side; BENCH_SIZES=example (or large) runs one size; BENCH_WRITES_PER_SECOND changes the
 * budget (and the line says so).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createRuntime } from '../../src/main.js';
import {
  benchUsers,
  copyMappings,
  HEAP_TOKEN as TOKEN,
  ROOT,
  spreadOver,
  standInTraffic as stats,
  startStandIn,
} from './lib/stand-in-child.js';

const DEFAULT_BUDGET = 5;
const BUDGET = Number(process.env.BENCH_WRITES_PER_SECOND ?? DEFAULT_BUDGET);
const PROFILES = (process.env.BENCH_PROFILES ?? 'full heap-documented').split(/[ ,]+/).filter(Boolean) as Profile[];
const SIZES = (process.env.BENCH_SIZES ?? 'example large').split(/[ ,]+/);
const LARGE = Number(process.env.BENCH_PROFILE_USERS ?? 10_000);
type Profile = 'full' | 'heap-documented';

/** The example directory, or `users` synthetic people spread over the example's groups. */
function directory(users: number | null): string {
  if (users === null) return fs.readFileSync(path.join(ROOT, 'examples/directory.json'), 'utf8');
  const people = benchUsers(users);
  const groups = spreadOver(
    people,
    ['Analytics', 'Engineering', 'Product Managers', 'UX Research', 'Data Governance'],
    7,
  );
  groups.push({ id: 'g-admins', displayName: 'Heap Admins', members: ['u0', 'u1'] });
  return JSON.stringify({ users: people, groups });
}

async function measure(label: string, profile: Profile, users: number | null, budget: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  const standIn = await startStandIn(path.join(dir, 'stand-in'), ['--profile', profile, '--default-role', 'Member']);
  try {
    copyMappings(dir);
    fs.writeFileSync(path.join(dir, 'directory.json'), directory(users));
    const admin = `, adminApiUrl: ${standIn.url}/api`;
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      `mappings: ./mappings
store: { sqlite: ./data/store.db }
sources: [ { type: file, path: ./directory.json } ]
target: { type: scim, url: ${standIn.url}/scim/v2, tokenEnv: HEAP_SCIM_TOKEN, profile: ${profile}, writesPerSecond: ${budget}${admin} }
schedule: null
logLevel: warn
`,
    );
    const rt = await createRuntime({
      configFile: path.join(dir, 'config.yaml'),
      env: { ...process.env, HEAP_SCIM_TOKEN: TOKEN },
      logger: pino({ level: 'warn' }),
    });
    for (const pass of ['first sync', 'second sync']) {
      const before = await stats(standIn.url);
      const t0 = performance.now();
      const { record } = await rt.sync.run({ trigger: 'cli' });
      const s = (performance.now() - t0) / 1000;
      const after = await stats(standIn.url);
      const writes = after.writes - before.writes;
      const opened = (record.tasks ?? []).filter((t) => t.action === 'opened').length;
      const open = (await rt.store.listTasks({ statuses: ['open'] })).length;
      const wall = `${s.toFixed(1)} s measured at ${budget} writes/s${budget === DEFAULT_BUDGET ? ' (the default)' : ''}`;
      console.log(
        `${label.padEnd(28)} ${profile.padEnd(15)} ${pass.padEnd(11)} ${record.status.padEnd(9)} reads ${String(after.reads - before.reads).padStart(5)}  writes ${String(writes).padStart(6)}  tasks opened ${String(opened).padStart(6)} (open ${open})  wall ${wall}`,
      );
    }
    await rt.close();
  } finally {
    standIn.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`heap profiles: SCIM requests counted by the stand-in (its own process, ${os.cpus().length} cores)`);
  if (SIZES.includes('example')) {
    for (const profile of PROFILES) await measure('example company (25 users)', profile, null, BUDGET);
  }
  if (SIZES.includes('large')) {
    for (const profile of PROFILES) await measure(`${LARGE} users`, profile, LARGE, BUDGET);
  }
}
