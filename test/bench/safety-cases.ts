/**
 * `npm run bench -- safety-cases`: the paths issue 9 found revoking the wrong access, each run as a user would
 * (the CLI against the Heap stand-in, the Okta source against the Okta fake), printing what the run did.
 * Not a timing: the figures are outcomes (exit code, hold, changes applied, users left in Heap).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createOktaSource } from '../../src/sources/okta/create-okta-source.js';
import { startOktaFake } from '../fakes/okta-fake.js';
import { toOktaDirectory } from '../fakes/seed-directory.js';
import { SCIM_TOKEN, e2eDirectory, e2eMapping, makeWorkspace, teammates } from '../support/e2e-setup.js';
import { startTestStandIn } from '../support/stand-in.js';

interface SyncJson {
  status?: string;
  plan?: { held?: boolean; heldBy?: string | null; holdReason?: string | null } | null;
  results?: { outcome: string }[];
  renames?: { outcome: string }[];
}

async function withWorkspace(fn: (ws: ReturnType<typeof makeWorkspace>, heapUrl: string) => Promise<string>) {
  const standIn = await startTestStandIn({ token: SCIM_TOKEN });
  const ws = makeWorkspace(standIn.scimUrl);
  try {
    return await fn(ws, standIn.url);
  } finally {
    ws.cleanup();
    await standIn.close();
  }
}

/** `sync --json` and a one-line account of it. */
async function sync(ws: ReturnType<typeof makeWorkspace>): Promise<string> {
  const res = await ws.cli(['sync', '--json']);
  let body: SyncJson;
  try {
    body = JSON.parse(res.stdout) as SyncJson;
  } catch {
    return `exit ${res.code}: ${res.stderr.trim().split('\n').at(-1)}`;
  }
  const applied = (body.results ?? []).filter((r) => r.outcome === 'applied').length;
  const blocked = (body.results ?? []).filter((r) => r.outcome === 'blocked').length;
  const hold = body.plan?.held ? `, held by ${body.plan.heldBy}: ${body.plan.holdReason}` : '';
  const renamed = (body.renames ?? []).filter((r) => r.outcome === 'applied').length;
  return `exit ${res.code}, ${body.status ?? '?'}, ${applied} applied, ${blocked} blocked, ${renamed} renamed${hold}`;
}

const active = async (heapUrl: string) =>
  [...(await teammates(heapUrl)).values()].filter((a) => a['membership'] === 'active').length;

const cases: { name: string; run(): Promise<string> }[] = [
  {
    name: 'empty read (file source {"users":[],"groups":[]})',
    run: () =>
      withWorkspace(async (ws, heap) => {
        await ws.cli(['sync']);
        const before = await active(heap);
        ws.writeDirectory({ users: [], groups: [] });
        const did = await sync(ws);
        return `${did}; active teammates ${before} -> ${await active(heap)}`;
      }),
  },
  {
    name: 'Okta groupPrefix typo ("Heap_")',
    async run() {
      const users = Array.from({ length: 4 }, (_, i) => ({
        id: `u${i}`,
        userName: `u${i}@acme.test`,
        email: `u${i}@acme.test`,
        displayName: `User ${i}`,
        active: true,
      }));
      const okta = await startOktaFake(
        toOktaDirectory({ users, groups: [{ id: 'g1', displayName: 'Heap Admins', members: ['u0', 'u1'] }] }),
      );
      try {
        await createOktaSource({ orgUrl: okta.orgUrl, token: okta.token, groupPrefix: 'Heap_' }).read();
        return 'read succeeded (WRONG: a typo must fail the read)';
      } catch (err) {
        return `the read fails, so no plan and no write: ${(err as Error).message}`;
      } finally {
        await okta.close();
      }
    },
  },
  {
    name: 'symlinked mapping file',
    run: () =>
      withWorkspace(async (ws, heap) => {
        const real = path.join(ws.dir, 'real-acme.yaml');
        fs.renameSync(ws.files.mapping, real);
        fs.symlinkSync(real, ws.files.mapping);
        const validate = await ws.cli(['validate']);
        const did = await sync(ws);
        return `validate exit ${validate.code} (${validate.stdout.trim().split('\n').at(-1)}); sync ${did}; active teammates ${await active(heap)}`;
      }),
  },
  {
    name: 'top role renamed (orgRoles: [User, Administrator]); the only Administrator leaves the admin group',
    run: () =>
      withWorkspace(async (ws, heap) => {
        const mapping = e2eMapping({ maxRevocations: 10_000 })
          .replace('rules:', 'model:\n  orgRoles: [User, Administrator]\nrules:')
          .replace('orgRole: Admin', 'orgRole: Administrator');
        ws.writeMapping(mapping);
        const first = await sync(ws);
        const dir = e2eDirectory();
        dir.groups = dir.groups.map((g) => (g.displayName === 'Heap Admins' ? { ...g, members: [] } : g));
        ws.writeDirectory(dir);
        const did = await sync(ws);
        const admins = [...(await teammates(heap)).values()].filter((a) => a['org'] === 'Administrator').length;
        return `first sync ${first}; then ${did}; org Administrators left in Heap: ${admins}`;
      }),
  },
  {
    name: 'e-mail renamed in the IdP (same id)',
    run: () =>
      withWorkspace(async (ws, heap) => {
        await ws.cli(['sync']);
        const before = (await teammates(heap)).size;
        const dir = e2eDirectory();
        dir.users = dir.users.map((u) =>
          u.id === 'u-alice' ? { ...u, userName: 'alice.new@example.com', email: 'alice.new@example.com' } : u,
        );
        ws.writeDirectory(dir);
        const did = await sync(ws);
        const after = await teammates(heap);
        return `${did}; teammates ${before} -> ${after.size}; alice.new is ${after.get('alice.new@example.com')?.['membership'] ?? 'absent'}, old address ${after.has('alice@example.com') ? 'still there' : 'gone'}`;
      }),
  },
];

export async function run(): Promise<void> {
  for (const c of cases) {
    let outcome: string;
    try {
      outcome = await c.run();
    } catch (err) {
      outcome = `ERROR ${(err as Error).message}`;
    }
    console.log(`${c.name}\n  -> ${outcome}`);
  }
}
