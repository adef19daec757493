/**
 * The Heap stand-in's SCIM throughput (its engine is scimmy, as the service's): with 2,000 users and one Team of 500
 * stored, the stand-in in its own process (the real CLI), N concurrent clients on loopback for each scenario: the
 * PATCH the SCIM target sends (a role swap), a filtered GET pushed to SQL (`userName eq`), a filtered GET matched
 * in memory (`emails.value eq`, every user), a PATCH of one Team member, and a POST.
 *   npm run bench -- stand-in-scim        (STAND_IN_BENCH_SECONDS=5 per scenario, STAND_IN_BENCH_CLIENTS=8)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = 'bench-stand-in-token';
const USERS = 2_000;
const TEAM = 500;
const SECONDS = Number(process.env.STAND_IN_BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.STAND_IN_BENCH_CLIENTS ?? 8);
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

async function startStandIn(dataDir: string): Promise<{ scim: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/cli/main.ts'), 'stand-in', '--port', '0'].concat([
      '--data',
      dataDir,
      '--reset',
      '--log-level',
      'warn',
    ]),
    { env: { ...process.env, HEAP_SCIM_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 600; i++) {
    const m = /listening on (http:\/\/\S+) /.exec(out);
    if (m?.[1]) return { scim: `${m[1]}/scim/v2`, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the stand-in did not start');
}

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };

async function call(scim: string, method: string, p: string, body?: unknown): Promise<{ id?: string }> {
  const res = await fetch(`${scim}${p}`, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: HTTP ${res.status}`);
  return (text ? JSON.parse(text) : {}) as { id?: string };
}

/** Runs `one(i)` from CLIENTS loops for SECONDS; requests per second and the median latency. */
async function load(label: string, one: (i: number) => Promise<unknown>): Promise<void> {
  const end = performance.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await one(n++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)] ?? 0;
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  console.log(
    `${label.padEnd(44)} ${String(Math.round(latencies.length / SECONDS)).padStart(6)} req/s   p50 ${median.toFixed(1)} ms   p99 ${p99.toFixed(1)} ms`,
  );
}

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-stand-in-'));
  const { scim, child } = await startStandIn(path.join(dir, 'data'));
  try {
    const ids: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const created = await call(scim, 'POST', '/Users', {
        userName: `user${i}@bench.example`,
        emails: [{ value: `user${i}@mail.bench.example`, type: 'work', primary: true }],
        roles: [{ value: 'org:Member' }, { value: 'project:web-prod:Viewer' }],
      });
      ids.push(created.id as string);
    }
    const team = await call(scim, 'POST', '/Groups', {
      displayName: 'Bench Team',
      members: ids.slice(0, TEAM).map((value) => ({ value })),
    });
    console.log(
      `stand-in SCIM: ${USERS} users, a Team of ${TEAM}, ${CLIENTS} clients, ${SECONDS} s per scenario (${os.cpus().length} cores)`,
    );
    const roles = ['Viewer', 'Member', 'Admin'];
    const held = new Map<string, string>();
    await load('PATCH /Users (role swap, as the target sends)', (i) => {
      const id = ids[i % USERS]!;
      const from = held.get(id) ?? 'Viewer';
      const to = roles[(roles.indexOf(from) + 1) % roles.length]!;
      held.set(id, to);
      return call(scim, 'PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'remove', path: `roles[value eq "project:web-prod:${from}"]` },
          { op: 'add', path: 'roles', value: [{ value: `project:web-prod:${to}` }] },
        ],
      });
    });
    await load('GET /Users?filter=userName eq (SQL)', (i) =>
      call(scim, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "user${i % USERS}@bench.example"`)}`),
    );
    await load(`GET /Users?filter=emails.value eq (${USERS} in memory)`, (i) =>
      call(scim, 'GET', `/Users?filter=${encodeURIComponent(`emails.value eq "user${i % USERS}@mail.bench.example"`)}`),
    );
    await load(`PATCH /Groups (one member of ${TEAM}, add then remove)`, (i) => {
      const id = ids[TEAM + (Math.floor(i / 2) % (USERS - TEAM))]!;
      return call(scim, 'PATCH', `/Groups/${team.id as string}`, {
        schemas: [PATCH_OP],
        Operations:
          i % 2 === 0
            ? [{ op: 'add', path: 'members', value: [{ value: id }] }]
            : [{ op: 'remove', path: 'members', value: [{ value: id }] }],
      });
    });
    let created = 0;
    await load('POST /Users', () => call(scim, 'POST', '/Users', { userName: `new${created++}@bench.example` }));
  } finally {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
