/**
 * SQLite against PostgreSQL, side by side in one run (issue 13):
 * - SCIM inbound: filtered GET (`userName eq`, a different user each time) and POST /Users per second, over 10,000
 *   stored users, on SQLite (one process), PostgreSQL with one replica and with two replicas (two processes on one
 *   database, the load split over both, as behind a load balancer). The same total connections everywhere.
 * - A full sync of 10,000 users into an empty Heap stand-in (its own process) on each store.
 * PostgreSQL at 127.0.0.1:5432 (TEST_POSTGRES_URL); a database is created and dropped by the run.
 *   npm run bench -- postgres        (PG_BENCH_SECONDS=6 per scenario)
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createRuntime } from '../../src/main.js';
import type { ScimRepository } from '../../src/sources/scim/repository.js';
import { openPostgresScimRepository } from '../../src/store/postgres/open-postgres-scim-repository.js';
import { openSqliteScimRepository } from '../../src/store/sqlite/open-sqlite-scim-repository.js';
import { createTestDatabase } from '../support/postgres.js';
import { autocannon, type CannonOptions } from './lib/autocannon.js';
import { serveScim, startChild } from './lib/scim-child.js';
import { filteredGet, postUsers, scimHeaders } from './lib/scim-load.js';
import { benchUsers, copyMappings, HEAP_TOKEN, spreadOver, startStandIn } from './lib/stand-in-child.js';

const USERS = 10_000;
const SYNC_USERS = Number(process.env.BENCH_SYNC_USERS ?? 10_000);
const TOKEN = 'bench-token';
const CONNECTIONS = 10;
const SECONDS = Number(process.env.PG_BENCH_SECONDS ?? 6);
const self = fileURLToPath(import.meta.url);
const userName = (i: number) => `user${i}@bench.example.com`;

type Store = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

const openRepo = (store: Store): Promise<ScimRepository> | ScimRepository =>
  store.kind === 'sqlite'
    ? openSqliteScimRepository(store.file)
    : openPostgresScimRepository({ url: store.url, poolSize: 8 });

async function seed(store: Store): Promise<void> {
  const repo = await openRepo(store);
  try {
    for (let i = 0; i < USERS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, USERS - i) }, (_, k) =>
          repo.createUser({
            userName: userName(i + k),
            displayName: `User ${i + k}`,
            emails: [{ value: userName(i + k), type: 'work', primary: true }],
            externalId: `ext-${i + k}`,
            active: true,
          }),
        ),
      );
    }
  } finally {
    await repo.close();
  }
}

/** Child process: the SCIM server on a store. */
const serve = async (store: Store) => serveScim(await openRepo(store), TOKEN);

const startServer = (store: Store) => startChild(self, ['--pg-bench-serve', JSON.stringify(store)], 'server');

const headers = scimHeaders(TOKEN);
const randomUser = () => userName(Math.floor(Math.random() * USERS));
const getScenario = (url: string): CannonOptions => filteredGet(`${url}/scim/v2`, headers, randomUser);
const postScenario = (url: string): CannonOptions => postUsers(`${url}/scim/v2`, headers);

/** Load on every replica at once, the connections split between them; req/s summed, p99 the worst. */
async function load(urls: string[], scenario: (url: string) => CannonOptions) {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({ ...scenario(url), connections: Math.ceil(CONNECTIONS / urls.length), duration: SECONDS }),
    ),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    bad: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
}

async function scimFigures(sqliteFile: string, pgUrl: string) {
  const t0 = performance.now();
  await seed({ kind: 'sqlite', file: sqliteFile });
  const t1 = performance.now();
  await seed({ kind: 'postgres', url: pgUrl });
  const t2 = performance.now();
  console.log(
    `seeded ${USERS} users: SQLite ${((t1 - t0) / 1000).toFixed(1)} s, PostgreSQL ${((t2 - t1) / 1000).toFixed(1)} s (50 creates at a time)`,
  );
  const children: ChildProcess[] = [];
  try {
    const sqlite = await startServer({ kind: 'sqlite', file: sqliteFile });
    const pgA = await startServer({ kind: 'postgres', url: pgUrl });
    const pgB = await startServer({ kind: 'postgres', url: pgUrl });
    children.push(sqlite.child, pgA.child, pgB.child);
    const setups: [string, string[]][] = [
      ['SQLite, 1 process', [sqlite.url]],
      ['PostgreSQL, 1 replica', [pgA.url]],
      ['PostgreSQL, 2 replicas', [pgA.url, pgB.url]],
    ];
    for (const [, urls] of setups) await load(urls, getScenario).catch(() => null); // warm-up: JIT, caches
    console.log(
      `\nSCIM inbound, ${CONNECTIONS} connections in all, ${SECONDS} s per figure (${os.cpus().length} cores)`,
    );
    console.log(
      `${'store'.padEnd(24)} ${'filtered GET/s'.padStart(15)} ${'p99 ms'.padStart(7)} ${'POST/s'.padStart(8)} ${'p99 ms'.padStart(7)}`,
    );
    for (const [name, urls] of setups) {
      const get = await load(urls, getScenario);
      const post = await load(urls, postScenario);
      const bad = get.bad + post.bad ? `  (${get.bad + post.bad} non-2xx or errors)` : '';
      console.log(
        `${name.padEnd(24)} ${get.rps.toFixed(0).padStart(15)} ${String(get.p99).padStart(7)} ${post.rps.toFixed(0).padStart(8)} ${String(post.p99).padStart(7)}${bad}`,
      );
    }
  } finally {
    for (const child of children) child.kill();
  }
}

/** A full sync of SYNC_USERS users into an empty stand-in, with the store given by `storeLine`. */
async function fullSync(dir: string, storeLine: string, env: Record<string, string>): Promise<string> {
  copyMappings(dir);
  const users = benchUsers(SYNC_USERS);
  const groups = spreadOver(users, ['Analytics', 'Engineering', 'Product Managers', 'UX Research', 'Data Governance']);
  groups.push({ id: 'g-admins', displayName: 'Heap Admins', members: ['u0', 'u1'] });
  fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify({ users, groups }));
  const standIn = await startStandIn(path.join(dir, 'stand-in'));
  try {
    const configFile = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      configFile,
      `mappings: ./mappings
store: ${storeLine}
sources: [ { type: file, path: ./directory.json } ]
target: { type: scim, url: ${standIn.url}/scim/v2, tokenEnv: HEAP_SCIM_TOKEN, applyConcurrency: 4, writesPerSecond: 10000 }
schedule: null
logLevel: warn
`,
    );
    const rt = await createRuntime({
      configFile,
      env: { ...process.env, HEAP_SCIM_TOKEN: HEAP_TOKEN, ...env },
      logger: pino({ level: 'warn' }),
    });
    try {
      const t0 = performance.now();
      const { record } = await rt.sync.run({ trigger: 'cli' });
      const seconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const verify = await rt.store.verifyJournal();
      const again = await rt.sync.run({ trigger: 'cli' });
      const noChange = (performance.now() - t1) / 1000;
      const applied = record.results.filter((r) => r.outcome === 'applied').length;
      return `${record.status}, ${applied} changes applied, ${seconds.toFixed(1)} s; journal verify ${verify.ok ? 'ok' : 'BROKEN'}; no-change sync after it ${noChange.toFixed(1)} s (${again.record.status})`;
    } finally {
      await rt.close();
    }
  } finally {
    standIn.child.kill();
  }
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pg-'));
  const database = await createTestDatabase('bench');
  const syncDb = await createTestDatabase('bench_sync');
  try {
    await scimFigures(path.join(dir, 'scim.db'), database.url);
    console.log(`\nfull sync of ${SYNC_USERS} users into an empty Heap stand-in (its own process)`);
    console.log(`SQLite      ${await fullSync(path.join(dir, 'sync-sqlite'), '{ sqlite: ./data/store.db }', {})}`);
    console.log(
      `PostgreSQL  ${await fullSync(path.join(dir, 'sync-pg'), '{ postgres: { urlEnv: BENCH_DATABASE_URL } }', { BENCH_DATABASE_URL: syncDb.url })}`,
    );
  } finally {
    await database.drop();
    await syncDb.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const serveAt = process.argv.indexOf('--pg-bench-serve');
if (serveAt >= 0) await serve(JSON.parse(process.argv[serveAt + 1] ?? '{}') as Store);
