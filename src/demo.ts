import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError } from './domain/errors.js';
import type { Team } from './domain/mapping.js';
import type { Teammate } from './domain/teammate.js';
import { startService, type RunningService } from './serve.js';
import { startStandIn, type RunningStandIn } from './stand-in/index.js';

export interface DemoOptions {
  cwd: string;
  dataDir: string;
  port: number;
  heapPort: number;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
}

const TOKEN_NAMES = ['ADMIN_TOKEN', 'VIEWER_TOKEN', 'SCIM_TOKEN', 'HEAP_SCIM_TOKEN'] as const;
/** the repository (or installed package) the example mapping and directory ship in: one above src/ and dist/ */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `npm start`: the whole product on one machine: the Heap stand-in, SQLite in --data, the example mappings and
 * directory, SCIM inbound, the API and dashboard. The demo writes its own config (data/demo.yaml) and what a
 * second terminal exports to use it (data/demo.env); the example data is used nowhere else (DESIGN §10). On the
 * first start it syncs once and then makes two changes by hand in the stand-in, as an administrator would in
 * Heap's UI, so there is drift to look at.
 */
export async function startDemo(
  options: DemoOptions,
): Promise<{ service: RunningService; standIn: RunningStandIn; configFile: string; close(): Promise<void> }> {
  const examples = {
    mappings: path.join(PACKAGE_ROOT, 'mappings'),
    directory: path.join(PACKAGE_ROOT, 'examples/directory.json'),
  };
  const absent = Object.values(examples).filter((p) => !fs.existsSync(p));
  if (absent.length) {
    throw new ConfigError([`the demo needs the example files of the repository, not found: ${absent.join(', ')}`]);
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const tokens = loadOrCreateTokens(path.join(options.dataDir, 'demo-tokens.json'), options.env);
  const env = { ...options.env, ...tokens };
  const standIn = await startStandIn({
    port: options.heapPort,
    dataDir: path.join(options.dataDir, 'stand-in'),
    token: tokens.HEAP_SCIM_TOKEN,
    logger: pino({ level: 'warn' }),
  });
  const configFile = path.join(options.dataDir, 'demo.yaml');
  let service: RunningService;
  try {
    fs.writeFileSync(
      configFile,
      demoConfig({ mappings: examples.mappings, dataDir: options.dataDir, heapScimUrl: standIn.scimUrl }),
    );
    service = await startService({ configFile, env, cwd: options.cwd, port: options.port, command: 'demo' });
  } catch (err) {
    await standIn.close();
    throw err;
  }
  const envFile = path.join(options.dataDir, 'demo.env');
  writeEnvFile(envFile, { HEAP_ACCESS_SYNC_CONFIG: configFile, ...tokens });
  const rt = service.runtime;
  if ((await rt.store.listJournal({ limit: 1 })).length === 0) {
    await bindTeams(standIn.url, tokens.HEAP_SCIM_TOKEN, rt.mapping.current().teams ?? [], options.print);
    options.print('first start: pushing the example directory over SCIM, as an IdP would...');
    await pushDirectory(`${service.url}/scim/v2`, tokens.SCIM_TOKEN, examples.directory);
    options.print('syncing it into the Heap stand-in...');
    // through the queue, so the run the push itself queued (debounced) is this one, not a later one that would
    // revert the changes made by hand below before anyone has seen them
    await service.enqueueRun({ trigger: 'cli' });
    const [last] = await rt.store.listJournal({ limit: 1 });
    const record = last && (await rt.store.getJournal(last.id));
    if (!record) throw new Error('the first sync of the demo left no journal record');
    options.print(
      `  run ${record.id}: ${record.status}, ${record.results.filter((r) => r.outcome === 'applied').length} change(s) applied`,
    );
    await seedManualChanges(standIn.url, tokens.HEAP_SCIM_TOKEN, options.print);
  }
  options.print('');
  options.print(`dashboard      ${service.url}/   (sign in with ADMIN_TOKEN, or VIEWER_TOKEN to look only)`);
  options.print(`SCIM inbound   ${service.url}/scim/v2   (bearer SCIM_TOKEN)`);
  options.print(`Heap stand-in  ${standIn.url}/api/teammates   (bearer HEAP_SCIM_TOKEN)`);
  options.print('');
  options.print(
    `to use the CLI on this demo, in another terminal:  source ${path.relative(options.cwd, envFile) || envFile}`,
  );
  options.print(`  export HEAP_ACCESS_SYNC_CONFIG=${configFile}`);
  for (const name of TOKEN_NAMES) options.print(`  export ${name}=${tokens[name]}`);
  options.print('then: npx heap-access-sync plan   (or drift, explain alice.nguyen@acme.example, journal list)');
  return {
    service,
    standIn,
    configFile,
    async close() {
      await service.close();
      await standIn.close();
    },
  };
}

/**
 * The demo's config: the example mapping by absolute path, SCIM inbound as the only source (the first start
 * pushes the example directory to it), the stand-in as the target.
 */
function demoConfig(o: { mappings: string; dataDir: string; heapScimUrl: string }): string {
  const q = (v: string) => JSON.stringify(v);
  return [
    '# Written by `heap-access-sync demo` (npm start) on every start: the demo on the example data.',
    `mappings: ${q(o.mappings)}`,
    `store: { sqlite: ${q(path.join(o.dataDir, 'heap-access-sync.db'))} }`,
    'sources:',
    '  - { type: scim }',
    `target: { type: scim, url: ${q(o.heapScimUrl)} }`,
    '',
  ].join('\n');
}

/** `export NAME=value` lines a shell can `source`; values are single-quoted. */
function writeEnvFile(file: string, values: Record<string, string>): void {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = Object.entries(values).map(([k, v]) => `export ${k}=${quote(v)}`);
  fs.writeFileSync(
    file,
    `# written by heap-access-sync demo: source this file to use the CLI on the demo\n${lines.join('\n')}\n`,
    {
      mode: 0o600,
    },
  );
}

/** Tokens from the environment when set, else generated once and kept beside the demo's data. */
function loadOrCreateTokens(file: string, env: NodeJS.ProcessEnv): Record<(typeof TOKEN_NAMES)[number], string> {
  const saved = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const tokens = Object.fromEntries(
    TOKEN_NAMES.map((name) => [name, env[name] || saved[name] || randomBytes(18).toString('base64url')]),
  ) as Record<(typeof TOKEN_NAMES)[number], string>;
  fs.writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}

/**
 * The Teams of the mapping, bound to their projects as an administrator would in Heap's UI before the first sync
 * (no API binds them in real Heap), so the demo starts without binding drift.
 */
async function bindTeams(
  heapUrl: string,
  token: string,
  teams: readonly Team[],
  print: (line: string) => void,
): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-heap-actor': 'demo' };
  for (const team of teams) {
    const projects = Object.fromEntries(team.projects.map((p) => [p, 'Member']));
    const res = await fetch(`${heapUrl}/api/teams/${encodeURIComponent(team.name)}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ projects }),
    });
    if (!res.ok) throw new Error(`binding Team ${team.name} in the stand-in: HTTP ${res.status}`);
    print(`  in Heap's UI: Team ${team.name} gives ${team.projects.join(', ') || 'no projects'}`);
  }
}

interface ExampleDirectory {
  users: { id: string; userName: string; email: string; displayName?: string; active: boolean }[];
  groups: { id: string; displayName: string; members: string[] }[];
}

/**
 * The IdP's first push, over real SCIM to the demo's own inbound endpoint: every user, then every group with its
 * members. A user or group already there (an earlier start stopped half-way) is looked up and the group replaced,
 * so pushing twice is harmless.
 */
async function pushDirectory(scimUrl: string, token: string, file: string): Promise<void> {
  const directory = JSON.parse(fs.readFileSync(file, 'utf8')) as ExampleDirectory;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const upsert = async (kind: 'Users' | 'Groups', filter: string, body: object): Promise<string> => {
    const created = await fetch(`${scimUrl}/${kind}`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (created.ok) return ((await created.json()) as { id: string }).id;
    if (created.status !== 409) throw new Error(`pushing the example directory: POST ${kind}: HTTP ${created.status}`);
    const found = await fetch(`${scimUrl}/${kind}?filter=${encodeURIComponent(filter)}`, { headers });
    const [existing] = ((await found.json()) as { Resources?: { id: string }[] }).Resources ?? [];
    if (!existing) throw new Error(`pushing the example directory: ${kind} ${filter} conflicts but is not found`);
    const replaced = await fetch(`${scimUrl}/${kind}/${existing.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(body),
    });
    if (!replaced.ok) throw new Error(`pushing the example directory: PUT ${kind}: HTTP ${replaced.status}`);
    return existing.id;
  };
  const scimIds = new Map<string, string>();
  for (const u of directory.users) {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: u.userName,
      externalId: u.id,
      displayName: u.displayName,
      emails: [{ value: u.email, type: 'work', primary: true }],
      active: u.active,
    };
    scimIds.set(u.id, await upsert('Users', `userName eq "${u.userName}"`, body));
  }
  for (const g of directory.groups) {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: g.displayName,
      externalId: g.id,
      members: g.members.flatMap((m) => (scimIds.has(m) ? [{ value: scimIds.get(m) }] : [])),
    };
    await upsert('Groups', `displayName eq "${g.displayName}"`, body);
  }
}

/** An elevation and a module grant made by hand, the kind of change sync would silently revert elsewhere. */
async function seedManualChanges(heapUrl: string, token: string, print: (line: string) => void): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const res = await fetch(`${heapUrl}/api/teammates`, { headers });
  const { teammates } = (await res.json()) as { teammates: Teammate[] };
  const member = teammates.find((t) => t.access['project:web-prod'] === 'Member');
  const viewer = teammates.find((t) => t.access['project:web-staging'] && !t.access['module:illuminate:web-staging']);
  const changes = [
    member && { email: member.email, entitlement: 'project:web-prod', value: 'Admin' },
    viewer && { email: viewer.email, entitlement: 'module:illuminate:web-staging', value: 'enabled' },
  ].filter((c): c is { email: string; entitlement: string; value: string } => Boolean(c));
  for (const c of changes) {
    await fetch(`${heapUrl}/api/teammates/${encodeURIComponent(c.email)}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ entitlement: c.entitlement, value: c.value }),
    });
    print(`  by hand in Heap: ${c.email} ${c.entitlement} -> ${c.value} (drift for the dashboard)`);
  }
}
