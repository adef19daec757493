import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createRuntime, type Runtime } from '../../src/main.js';
import type { SeedDirectory } from './seed-directory.js';

export const HEAP_TOKEN = 'idp-e2e-heap-token';

/** Rules over "Heap …" groups, the names prefix-selecting IdP sources read. */
export const IDP_E2E_MAPPING = `apiVersion: heap-access-sync/v1
projects:
  - { key: web-prod, name: Web App, environment: production }
  - { key: web-staging, name: Web App (staging), environment: staging }
policy:
  multiGroup: highest
  unmappedUsers: deactivate
  manualOverrides: revert
  match: email
  guards: { lastProjectAdmin: true, lastOrgAdmin: true, maxOrgAdmins: 5, maxRevocations: 25, productionAdminNeedsAllow: true }
rules:
  - name: org-admins
    group: Heap Admins
    orgRole: Admin
    projects: { web-staging: Admin }
  - name: analysts
    group: Heap Analysts
    projects: { web-prod: Member, web-staging: Admin }
  - name: prod-admins
    group: Heap Prod Admins
    projects: { web-prod: Admin }
    allowProductionAdmin: true
`;

const person = (name: string, active = true) => ({
  id: `u-${name}`,
  userName: `${name}@example.com`,
  email: `${name}@example.com`,
  displayName: `${name[0]?.toUpperCase()}${name.slice(1)} Example`,
  active,
});

/** A small company in the IdP; dave has left (inactive) but is still in a group. */
export function idpE2eDirectory(): SeedDirectory {
  return {
    users: [person('admin'), person('alice'), person('bob'), person('carol'), person('dave', false)],
    groups: [
      { id: 'g-admins', displayName: 'Heap Admins', members: ['u-admin'] },
      { id: 'g-analysts', displayName: 'Heap Analysts', members: ['u-alice', 'u-bob', 'u-carol', 'u-dave'] },
      { id: 'g-prod-admins', displayName: 'Heap Prod Admins', members: ['u-carol'] },
    ],
  };
}

/**
 * The real runtime (config file, SQLite store, mapping, sync service) with one IdP source, given as its YAML
 * flow mapping, and a SCIM target at `scimUrl`; secrets through `env`.
 */
export async function startIdpRuntime(options: {
  sourceYaml: string;
  scimUrl: string;
  env: Record<string, string>;
}): Promise<{ rt: Runtime; dir: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-idp-e2e-'));
  fs.mkdirSync(path.join(dir, 'mappings'));
  fs.writeFileSync(path.join(dir, 'mappings', 'acme.yaml'), IDP_E2E_MAPPING);
  const configFile = path.join(dir, 'heap-access-sync.yaml');
  fs.writeFileSync(
    configFile,
    [
      'mappings: ./mappings',
      'store: { sqlite: ./data/store.db }',
      'sources:',
      `  - ${options.sourceYaml}`,
      `target: { type: scim, url: "${options.scimUrl}", retries: 0, timeoutMs: 10000, writesPerSecond: 1000 }`,
      'server: { port: 0 }',
      'schedule: null',
      'alerts: [{ type: log }]',
      'logLevel: silent',
      '',
    ].join('\n'),
  );
  const rt = await createRuntime({
    configFile,
    env: { HEAP_SCIM_TOKEN: HEAP_TOKEN, ADMIN_TOKEN: 'a', VIEWER_TOKEN: 'v', ...options.env },
    cwd: dir,
    logger: pino({ level: 'silent' }),
  });
  return {
    rt,
    dir,
    close: async () => {
      await rt.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The stand-in's teammates as email -> access. */
export async function heapAccess(standInUrl: string): Promise<Map<string, Record<string, string>>> {
  const res = await fetch(`${standInUrl}/api/teammates`, { headers: { authorization: `Bearer ${HEAP_TOKEN}` } });
  if (!res.ok) throw new Error(`GET /api/teammates: ${res.status}`);
  const body = (await res.json()) as { teammates: { email: string; access: Record<string, string> }[] };
  return new Map(body.teammates.map((t) => [t.email, t.access]));
}
