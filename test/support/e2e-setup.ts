import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, parseJsonOutput, type CliResult } from './cli.js';

export const SCIM_TOKEN = 'e2e-heap-token';

export interface DirectoryUser {
  id: string;
  userName: string;
  email: string;
  displayName?: string;
  active?: boolean;
}
export interface Directory {
  users: DirectoryUser[];
  groups: { id: string; displayName: string; members: string[] }[];
}

/** A small company: the mapping the end-to-end tests drive through the CLI. */
export function e2eMapping(
  policy: {
    manualOverrides?: 'revert' | 'keep';
    maxRevocations?: number;
    maxRevocationPercent?: number;
    ownedAssets?: 'warn' | 'hold';
    /** default 0s: most end-to-end tests revert a manual change on the next sync; grace tests give one */
    revertAfter?: string;
  } = {},
): string {
  return `apiVersion: heap-access-sync/v1
projects:
  - { key: web-prod, name: Web App, environment: production }
  - { key: web-staging, name: Web App (staging), environment: staging }
policy:
  multiGroup: highest
  unmappedUsers: deactivate
  manualOverrides: ${policy.manualOverrides ?? 'revert'}
  revertAfter: ${policy.revertAfter ?? '0s'}
  match: email
  guards:
    lastProjectAdmin: true
    lastOrgAdmin: true
    maxOrgAdmins: 5
    maxRevocations: ${policy.maxRevocations ?? 25}${policy.maxRevocationPercent !== undefined ? `\n    maxRevocationPercent: ${policy.maxRevocationPercent}` : ''}
    productionAdminNeedsAllow: true${policy.ownedAssets ? `\n    ownedAssets: ${policy.ownedAssets}` : ''}
rules:
  - name: org-admins
    group: Heap Admins
    orgRole: Admin
    projects: { web-staging: Admin }
  - name: analysts
    group: Analytics
    projects: { web-prod: Member, web-staging: Admin }
    modules:
      govern: { web-prod: viewer }
  - name: prod-admins
    group: Heap Prod Admins
    projects: { web-prod: Admin }
    allowProductionAdmin: true
  - name: viewers
    group: Viewers
    projects: { web-prod: Viewer, web-staging: Viewer }
`;
}

export function e2eDirectory(): Directory {
  const user = (name: string, active = true): DirectoryUser => ({
    id: `u-${name}`,
    userName: `${name}@example.com`,
    email: `${name}@example.com`,
    displayName: name[0]!.toUpperCase() + name.slice(1),
    active,
  });
  return {
    users: [user('admin'), user('alice'), user('bob'), user('carol'), user('dave', false)],
    groups: [
      { id: 'g-admins', displayName: 'Heap Admins', members: ['u-admin'] },
      { id: 'g-analytics', displayName: 'Analytics', members: ['u-alice', 'u-bob', 'u-carol', 'u-dave'] },
      { id: 'g-prod-admins', displayName: 'Heap Prod Admins', members: ['u-carol'] },
    ],
  };
}

/** A working folder with a config, a mapping folder and a directory file, pointed at a Heap stand-in. */
export function makeWorkspace(standInScimUrl: string, options: { store?: string; timeoutMs?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'has-e2e-'));
  fs.mkdirSync(path.join(dir, 'mappings'));
  const files = {
    config: path.join(dir, 'heap-access-sync.yaml'),
    mapping: path.join(dir, 'mappings', 'acme.yaml'),
    directory: path.join(dir, 'directory.json'),
    store: path.join(dir, 'data', 'store.db'),
  };
  fs.writeFileSync(
    files.config,
    `mappings: ./mappings
store: ${options.store ?? '{ sqlite: ./data/store.db }'}
sources:
  - { type: file, path: ./directory.json }
target: { type: scim, url: ${standInScimUrl}, tokenEnv: HEAP_SCIM_TOKEN, retries: 2, timeoutMs: ${options.timeoutMs ?? 5000}, writesPerSecond: 1000 }
schedule: null
alerts: [ { type: log } ]
logLevel: warn
`,
  );
  const writeMapping = (text: string) => fs.writeFileSync(files.mapping, text);
  const writeDirectory = (d: Directory) => fs.writeFileSync(files.directory, JSON.stringify(d, null, 2));
  writeMapping(e2eMapping());
  writeDirectory(e2eDirectory());
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(['--config', files.config, ...args], { cwd: dir, env: { HEAP_SCIM_TOKEN: SCIM_TOKEN, ...env } });
  return {
    dir,
    files,
    writeMapping,
    writeDirectory,
    cli,
    json: async <T>(args: string[], env: Record<string, string> = {}) =>
      parseJsonOutput<T>(await cli([...args, '--json'], env)),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The stand-in's `GET /api/teammates`, as a map email -> access. */
export async function teammates(baseUrl: string): Promise<Map<string, Record<string, string>>> {
  const res = await fetch(`${baseUrl}/api/teammates`, { headers: { authorization: `Bearer ${SCIM_TOKEN}` } });
  if (!res.ok) throw new Error(`GET /api/teammates: ${res.status}`);
  const body = (await res.json()) as { teammates: { email: string; access: Record<string, string> }[] };
  return new Map(body.teammates.map((t) => [t.email, t.access]));
}

/** Changes access by hand, as an administrator in Heap's UI would. */
export async function changeByHand(
  baseUrl: string,
  email: string,
  entitlement: string,
  value: string | null,
  actor?: string,
) {
  const res = await fetch(`${baseUrl}/api/teammates/${encodeURIComponent(email)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ entitlement, value, ...(actor && { actor }) }),
  });
  if (!res.ok) throw new Error(`PATCH teammate: ${res.status} ${await res.text()}`);
}
