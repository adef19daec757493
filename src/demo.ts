import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Teammate } from './domain/teammate.js';
import { startService, type RunningService } from './serve.js';
import { startStandIn, type RunningStandIn } from './targets/stand-in/index.js';

export interface DemoOptions {
  cwd: string;
  dataDir: string;
  port: number;
  heapPort: number;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
}

const TOKEN_NAMES = ['ADMIN_TOKEN', 'VIEWER_TOKEN', 'SCIM_TOKEN', 'HEAP_SCIM_TOKEN'] as const;

/**
 * `npm start`: the whole product on its embedded defaults, on one machine: the Heap stand-in, SQLite in ./data,
 * the example mappings and directory, SCIM inbound, the API and dashboard. On the first start it syncs once and then
 * makes two changes by hand in the stand-in, as an administrator would in Heap's UI, so there is drift to look at.
 */
export async function startDemo(
  options: DemoOptions,
): Promise<{ service: RunningService; standIn: RunningStandIn; close(): Promise<void> }> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const tokens = loadOrCreateTokens(path.join(options.dataDir, 'demo-tokens.json'), options.env);
  const env = { ...options.env, ...tokens };
  const standIn = await startStandIn({
    port: options.heapPort,
    dataDir: path.join(options.dataDir, 'stand-in'),
    token: tokens.HEAP_SCIM_TOKEN,
    logger: pino({ level: 'warn' }),
  });
  let service: RunningService;
  try {
    service = await startService({
      env,
      cwd: options.cwd,
      port: options.port,
      // on the embedded defaults the target is this stand-in, wherever it listens, and the store is in --data
      configure: (loaded) => {
        if (loaded.file) return;
        loaded.config.target.url = standIn.scimUrl;
        loaded.config.store.sqlite = path.join(options.dataDir, 'heap-access-sync.db');
      },
    });
  } catch (err) {
    await standIn.close();
    throw err;
  }
  const rt = service.runtime;
  if ((await rt.store.listJournal({ limit: 1 })).length === 0) {
    options.print('first start: syncing the example directory into the Heap stand-in...');
    const { record } = await rt.sync.run({ trigger: 'cli', actor: 'demo' });
    options.print(
      `  run ${record.id}: ${record.status}, ${record.results.filter((r) => r.outcome === 'applied').length} change(s) applied`,
    );
    await seedManualChanges(standIn.url, tokens.HEAP_SCIM_TOKEN, options.print);
  }
  options.print('');
  options.print(`dashboard      ${service.url}/   (sign in with ADMIN_TOKEN, or VIEWER_TOKEN to look only)`);
  options.print(`SCIM inbound   ${service.url}/scim/v2   (bearer SCIM_TOKEN)`);
  options.print(`Heap stand-in  ${standIn.url}/api/teammates   (bearer HEAP_SCIM_TOKEN)`);
  options.print('tokens for local use (kept in data/demo-tokens.json):');
  for (const name of TOKEN_NAMES) options.print(`  ${name}=${tokens[name]}`);
  return {
    service,
    standIn,
    async close() {
      await service.close();
      await standIn.close();
    },
  };
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
