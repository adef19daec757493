import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { startCli, type CliResult } from './cli.js';
import { SCIM_TOKEN as HEAP_TOKEN, e2eMapping, teammates } from './e2e-setup.js';

/**
 * `serve` SIGKILLed at random moments while an IdP pushes Users and Group members to it over SCIM, restarted each
 * time (DESIGN §10: acknowledged pushes are never dropped). Shared by test/integration/serve-crash.test.ts and the
 * soak script (scripts/crash-soak.ts), which prints the figures.
 */

export const PUSH_TOKEN = 'serve-kills-push-token';
const ADMIN_TOKEN = 'serve-kills-admin-token-0123456789';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_NAME = 'Analytics';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One SCIM push and what serve answered (null: no answer, the connection dropped). */
export interface Push {
  kind: 'create-user' | 'add-members';
  /** the users it is about: one created, or the two a single PATCH adds (in two operations) */
  users: string[];
  status: number | null;
  /** the life of serve (0, 1, ...) it was sent to */
  life: number;
  /** from sending to the answer (or the dropped connection) */
  ms: number;
}

export interface KillFigures {
  kills: number;
  pushes: number;
  acknowledged: number;
  /** pushes that were on the wire when serve was killed (no answer) */
  interrupted: number;
  /** acknowledged pushes whose change is not in serve's store after the restarts */
  lostInStore: string[];
  /** unacknowledged pushes applied in part (one member of two, a user without its attributes) */
  halfApplied: string[];
  /** users acknowledged as group members that Heap does not have once the outbox drained */
  missingInHeap: string[];
  /** outbox entries still unacknowledged after the final run */
  outboxLeft: number;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/** A folder with a config for `serve`: one SCIM source, the SQLite store, the Heap stand-in as target. */
export function makeServeWorkspace(heapScimUrl: string, port: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-serve-kills-'));
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
      'store: { sqlite: ./data/store.db }',
      'sources: [ { type: scim, tokenEnv: PUSH_TOKEN, debounceMs: 100 } ]',
      `target: { type: scim, url: ${heapScimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, timeoutMs: 2000, writesPerSecond: 1000 }`,
      `server: { host: 127.0.0.1, port: ${port} }`,
      'schedule: null',
      'logLevel: warn',
    ].join('\n'),
  );
  return {
    dir,
    config,
    store: path.join(dir, 'data', 'store.db'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

type Workspace = ReturnType<typeof makeServeWorkspace>;

interface Life {
  child: ReturnType<typeof startCli>['child'];
  done: Promise<CliResult>;
}

/** Starts `serve` and resolves once it listens. */
async function startServe(ws: Workspace): Promise<Life> {
  const { child, done } = startCli(['--config', ws.config, 'serve'], {
    cwd: ws.dir,
    env: { PUSH_TOKEN, ADMIN_TOKEN, HEAP_SCIM_TOKEN: HEAP_TOKEN },
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    void done.then((r) => reject(new Error(`serve exited ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`)));
  });
  return { child, done };
}

/**
 * Drives `clients` concurrent pushers at serve for `kills` lives: each life ends with a SIGKILL at a random moment
 * once it has acknowledged `acksPerLife` pushes; then serve starts again. After the last kill serve runs to the
 * end of the outbox, and the store and Heap are checked against what was acknowledged.
 */
export async function killServeWhilePushing(
  ws: Workspace,
  heapUrl: string,
  port: number,
  options: { kills: number; clients?: number; acksPerLife?: number; maxKillDelayMs?: number },
): Promise<{ figures: KillFigures; pushes: Push[] }> {
  const base = `http://127.0.0.1:${port}/scim/v2`;
  const clients = options.clients ?? 4;
  const acksPerLife = options.acksPerLife ?? 10;
  const pushes: Push[] = [];
  let life = 0;
  let up: Promise<void> = Promise.resolve();
  let stopping = false;
  let ackedThisLife = 0;
  let inFlight = 0;
  let interrupted = 0;

  const send = async (
    method: string,
    route: string,
    body: unknown,
  ): Promise<{ status: number | null; id?: string }> => {
    inFlight++;
    try {
      const res = await fetch(`${base}${route}`, {
        method,
        headers: { authorization: `Bearer ${PUSH_TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      const id = text ? (JSON.parse(text) as { id?: string }).id : undefined;
      return { status: res.status, ...(id && { id }) };
    } catch {
      return { status: null };
    } finally {
      inFlight--;
    }
  };
  const push = async (kind: Push['kind'], users: string[], method: string, route: string, body: unknown) => {
    await up;
    const sentIn = life;
    const started = performance.now();
    const { status, id } = await send(method, route, body);
    const entry: Push = { kind, users, status, life: sentIn, ms: performance.now() - started };
    pushes.push(entry);
    if (status !== null && status < 300 && sentIn === life) ackedThisLife++;
    return { ok: status !== null && status < 300, id };
  };

  let serve = await startServe(ws);
  const group = await send('POST', '/Groups', { schemas: [GROUP], displayName: GROUP_NAME, members: [] });
  if (group.status !== 201 || !group.id) throw new Error(`creating the group: HTTP ${group.status}`);
  const groupId = group.id;

  let next = 0;
  const user = (n: number) => `push${n}@example.com`;
  const createUser = (n: number) =>
    push('create-user', [user(n)], 'POST', '/Users', {
      schemas: [USER],
      userName: user(n),
      displayName: `Push ${n}`,
      emails: [{ value: user(n), primary: true }],
      active: true,
    });
  const pusher = async () => {
    while (!stopping) {
      const [a, b] = [next++, next++];
      const first = await createUser(a);
      const second = await createUser(b);
      if (!first.ok || !second.ok || stopping) continue;
      await push('add-members', [user(a), user(b)], 'PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH],
        Operations: [
          { op: 'add', path: 'members', value: [{ value: first.id }] },
          { op: 'add', path: 'members', value: [{ value: second.id }] },
        ],
      });
    }
  };
  const pushers = Array.from({ length: clients }, pusher);

  for (let k = 0; k < options.kills; k++) {
    while (ackedThisLife < acksPerLife) await sleep(5);
    await sleep(Math.floor(Math.random() * (options.maxKillDelayMs ?? 200)));
    let restarted!: () => void;
    up = new Promise<void>((r) => (restarted = r));
    const onTheWire = inFlight;
    serve.child.kill('SIGKILL');
    await serve.done;
    interrupted += onTheWire;
    life++;
    ackedThisLife = 0;
    serve = await startServe(ws);
    restarted();
  }
  while (ackedThisLife < acksPerLife) await sleep(5);
  stopping = true;
  await Promise.all(pushers);

  const figures = await check(ws, base, heapUrl, groupId, pushes);
  serve.child.kill('SIGTERM');
  await serve.done;
  return { figures: { ...figures, kills: options.kills, interrupted }, pushes };
}

interface StoredUser {
  id: string;
  userName: string;
  displayName?: string;
  active?: boolean;
}

async function check(
  ws: Workspace,
  base: string,
  heapUrl: string,
  groupId: string,
  pushes: Push[],
): Promise<Omit<KillFigures, 'kills' | 'interrupted'>> {
  const get = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${PUSH_TOKEN}` } });
    if (!res.ok) throw new Error(`GET ${route}: ${res.status}`);
    return (await res.json()) as T;
  };
  // page through: a list response holds at most filter.maxResults users, and a soak pushes more than that
  const users = new Map<string, StoredUser>();
  for (let start = 1; ;) {
    const page = await get<{ Resources?: StoredUser[]; totalResults: number }>(`/Users?startIndex=${start}&count=100`);
    for (const u of page.Resources ?? []) users.set(u.userName.toLowerCase(), u);
    start += page.Resources?.length ?? 0;
    if (!page.Resources?.length || start > page.totalResults) break;
  }
  const groupRes = await get<{ members?: { value: string }[] }>(`/Groups/${groupId}`);
  const memberIds = new Set((groupRes.members ?? []).map((m) => m.value));
  const isMember = (userName: string) => {
    const u = users.get(userName);
    return u !== undefined && memberIds.has(u.id);
  };
  const complete = (n: string) => {
    const u = users.get(n);
    return u !== undefined && u.active === true && u.displayName === `Push ${n.replace(/^push(\d+)@.*$/, '$1')}`;
  };

  const lostInStore: string[] = [];
  const halfApplied: string[] = [];
  for (const p of pushes) {
    const acked = p.status !== null && p.status < 300;
    if (p.kind === 'create-user') {
      const u = p.users[0]!;
      if (acked && !complete(u)) lostInStore.push(`POST /Users ${u}`);
      if (!acked && users.has(u) && !complete(u)) halfApplied.push(`POST /Users ${u}: stored without its attributes`);
    } else {
      const [a, b] = p.users as [string, string];
      if (acked && !(isMember(a) && isMember(b))) lostInStore.push(`PATCH /Groups add ${a}, ${b}`);
      if (!acked && isMember(a) !== isMember(b)) halfApplied.push(`PATCH /Groups add ${a}, ${b}: one member of two`);
    }
  }

  // every member the store has (acknowledged or not) is in Heap once serve has drained its outbox: the worker
  // acknowledges an entry only after a run applied it (no bound here: the caller's own timeout is the limit)
  while (outboxSize(ws.store) > 0) await sleep(200);
  const members = [...users.values()].filter((u) => memberIds.has(u.id)).map((u) => u.userName.toLowerCase());
  const heap = await teammates(heapUrl);
  return {
    pushes: pushes.length,
    acknowledged: pushes.filter((p) => p.status !== null && p.status < 300).length,
    lostInStore,
    halfApplied,
    missingInHeap: members.filter((m) => heap.get(m)?.['project:web-prod'] !== 'Member'),
    outboxLeft: outboxSize(ws.store),
  };
}

function outboxSize(store: string): number {
  const db = new Database(store, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM scim_outbox').get()!.n;
  } finally {
    db.close();
  }
}
