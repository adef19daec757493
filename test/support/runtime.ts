import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { resolveServiceAccounts } from '../../src/config/service-accounts.js';
import { createAdminApiRouter } from '../../src/http/api/router.js';
import { createDashboardRouter } from '../../src/http/dashboard/router.js';
import { createSignIn } from '../../src/http/sign-in/create-sign-in.js';
import { createHttpApp } from '../../src/http/app.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import type { Clock } from '../../src/ports/clock.js';
import { createStatusService, type StatusService } from '../../src/services/status.js';
import { ROOT } from './cli.js';
import { startTestStandIn, type TestStandIn } from './stand-in.js';

export interface DirectoryDocument {
  users: { id: string; userName: string; email: string; displayName?: string; active: boolean }[];
  groups: { id: string; displayName: string; members: string[] }[];
}

export interface TestRuntimeOptions {
  /** mapping files (name -> YAML) instead of the example mappings in ./mappings */
  mappings?: Record<string, string>;
  /** rewrites `maxRevocations` in the example mappings (0 holds any run that revokes anything) */
  maxRevocations?: number;
  /** the file source's directory; the example directory when absent */
  directory?: DirectoryDocument;
  /** the service's clock (tests that move time: approvals expiring) */
  clock?: Clock;
  /**
   * `heap-documented`: the stand-in behaves as Heap documents its SCIM (default role Member for new users, roles in
   * SCIM bodies ignored) and the target uses that profile, with the stand-in's /api for Team bindings
   */
  profile?: 'full' | 'heap-documented';
  /**
   * bind the mapping's Teams to their projects in the stand-in before the first sync, as an administrator would
   * (default: with the `full` profile only, so those tests start without binding drift)
   */
  bindTeams?: boolean;
  /** `server.oidc` of the config (sign-in with an OpenID provider) */
  oidc?: Record<string, unknown>;
  /** more environment variables (the OpenID client's secret) */
  env?: Record<string, string>;
}

export interface TestRuntime {
  rt: Runtime;
  /** the service's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  standIn: TestStandIn;
  /** ADMIN_TOKEN (account `admin`), VIEWER_TOKEN (`viewer`), two named accounts of server.tokens, Heap's */
  tokens: { admin: string; viewer: string; deployBot: string; approver: string; heap: string };
  status: StatusService;
  dir: string;
  readDirectory(): DirectoryDocument;
  writeDirectory(doc: DirectoryDocument): void;
  /** a manual change in Heap's "UI", as an administrator would make it by hand */
  changeInHeap(email: string, entitlement: string, value: string | null): Promise<void>;
  close(): Promise<void>;
}

const TOKENS = {
  admin: 'test-admin-token',
  viewer: 'test-viewer-token',
  /** the account `deploy-bot`, an admin */
  deployBot: 'test-deploy-bot-token',
  /** the account `ops-approver`, an approver */
  approver: 'test-ops-approver-token',
  heap: 'test-heap-token',
};

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/**
 * A complete service for integration tests: temp folder, config YAML with a file source, the Heap stand-in
 * in-process, SQLite, the example (or given) mappings, and the HTTP app on an ephemeral port.
 */
export async function startTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-runtime-'));
  const mappingsDir = path.join(dir, 'mappings');
  fs.mkdirSync(mappingsDir);
  if (options.mappings) {
    for (const [name, text] of Object.entries(options.mappings)) fs.writeFileSync(path.join(mappingsDir, name), text);
  } else {
    for (const name of fs.readdirSync(path.join(ROOT, 'mappings')).filter((f) => f.endsWith('.yaml'))) {
      let text = fs.readFileSync(path.join(ROOT, 'mappings', name), 'utf8');
      if (options.maxRevocations !== undefined) {
        text = text.replace(/maxRevocations:\s*\d+/, `maxRevocations: ${options.maxRevocations}`);
      }
      fs.writeFileSync(path.join(mappingsDir, name), text);
    }
  }
  const directoryPath = path.join(dir, 'directory.json');
  const directory =
    options.directory ?? JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/directory.json'), 'utf8'));
  fs.writeFileSync(directoryPath, JSON.stringify(directory, null, 2));

  const documented = options.profile === 'heap-documented';
  const standIn = await startTestStandIn({
    dataDir: path.join(dir, 'stand-in'),
    token: TOKENS.heap,
    reset: true,
    ...(documented && { profile: 'heap-documented', defaultRole: 'Member' }),
  });
  const profile = documented ? `, profile: heap-documented, adminApiUrl: "${standIn.url}/api"` : '';
  const configFile = path.join(dir, 'heap-access-sync.yaml');
  fs.writeFileSync(
    configFile,
    [
      'mappings: ./mappings',
      'store: { sqlite: ./data/store.db }',
      'sources:',
      '  - { type: file, path: ./directory.json }',
      `target: { type: scim, url: "${standIn.scimUrl}", retries: 0, timeoutMs: 10000, writesPerSecond: 1000${profile} }`,
      'server:',
      '  port: 0',
      '  tokens:',
      '    - { name: deploy-bot, tokenEnv: DEPLOY_BOT_TOKEN, role: admin }',
      '    - { name: ops-approver, tokenEnv: OPS_APPROVER_TOKEN, role: approver }',
      ...(options.oidc ? [`  oidc: ${JSON.stringify(options.oidc)}`] : []),
      'schedule: null',
      'alerts: [{ type: log }]',
      'logLevel: silent',
      '',
    ].join('\n'),
  );
  const env = {
    HEAP_SCIM_TOKEN: TOKENS.heap,
    ADMIN_TOKEN: TOKENS.admin,
    VIEWER_TOKEN: TOKENS.viewer,
    DEPLOY_BOT_TOKEN: TOKENS.deployBot,
    OPS_APPROVER_TOKEN: TOKENS.approver,
    ...options.env,
  };
  const logger = pino({ level: 'silent' });
  let rt: Runtime;
  try {
    rt = await createRuntime({ configFile, env, cwd: dir, logger, ...(options.clock && { clock: options.clock }) });
  } catch (err) {
    await standIn.close();
    throw err;
  }
  if (options.bindTeams ?? !documented) {
    for (const team of rt.mapping.current().teams ?? []) {
      const res = await fetch(`${standIn.url}/api/teams/${encodeURIComponent(team.name)}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${TOKENS.heap}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ projects: Object.fromEntries(team.projects.map((p) => [p, 'Member'])) }),
      });
      if (!res.ok) throw new Error(`binding Team ${team.name}: ${res.status} ${await res.text()}`);
    }
  }
  // Tests read drift live on every status request and wait for it, so what they assert is never a stale reading.
  const status = createStatusService(rt, { driftTtlMs: 0, driftWaitMs: 120_000 });
  const accounts = resolveServiceAccounts(rt.config.server, env);
  let url = '';
  const signIn = createSignIn({
    server: rt.config.server,
    accounts,
    env,
    store: rt.store,
    clock: rt.clock,
    logger,
    publicUrl: () => url,
  });
  const app = createHttpApp({
    logger,
    routers: [
      { path: '/api', router: createAdminApiRouter({ ...rt, accounts, sessions: signIn.sessions, status }) },
      { path: '/', router: signIn.router },
      { path: '/', router: createDashboardRouter() },
    ],
    readiness: async () => ({ ok: true, checks: {} }),
  });
  const server = http.createServer(app);
  url = await listen(server);

  return {
    rt,
    url,
    standIn,
    tokens: TOKENS,
    status,
    dir,
    readDirectory: () => JSON.parse(fs.readFileSync(directoryPath, 'utf8')) as DirectoryDocument,
    writeDirectory: (doc) => fs.writeFileSync(directoryPath, JSON.stringify(doc, null, 2)),
    async changeInHeap(email, entitlement, value) {
      const res = await fetch(`${standIn.url}/api/teammates/${encodeURIComponent(email)}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${TOKENS.heap}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ entitlement, value }),
      });
      if (!res.ok) throw new Error(`stand-in PATCH ${email} ${entitlement}: ${res.status} ${await res.text()}`);
    },
    async close() {
      await status.settle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rt.close();
      await standIn.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
