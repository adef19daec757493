/**
 * IdP read figures (issue 5): 10,000 users in 500 groups on the Okta and Graph fakes, read through the real SDKs.
 * - requests for a full read against the minimum possible (every list in pages of the largest size the API allows)
 * - wall time
 * - Entra: requests for a delta poll with no change (and with one change)
 * - Okta with an enforced budget of 600 requests a minute: the full read finishes with no 429.
 *   The budget is enforced as 60 requests per 6-second window, the same rate in finer windows: with 60-second
 *   windows the ~510 requests of the read would fit in the first window and prove nothing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { SourceSnapshot } from '../../src/ports/identity-source.js';
import { createEntraSource } from '../../src/sources/graph/create-entra-source.js';
import { GRAPH_MAX_TOP } from '../../src/sources/graph/read-full.js';
import { createOktaSource } from '../../src/sources/okta/create-okta-source.js';
import { OKTA_MAX_PAGE_SIZE } from '../../src/sources/okta/page-sizes.js';
import { captureLogger } from '../fakes/capture-logger.js';
import { startEntraTokenFake } from '../fakes/entra-token-fake.js';
import { GRAPH_PAGE, startGraphFake } from '../fakes/graph-fake.js';
import { startOktaFake } from '../fakes/okta-fake.js';
import type { SeedDirectory } from '../fakes/seed-directory.js';
import { buildLargeDirectory, toGraphDirectory, toOktaDirectory } from '../fakes/seed-directory.js';

const USERS = 10_000;
const GROUPS = 500;
const PREFIX = 'Heap ';
const BUDGET = { limit: 60, windowMs: 6_000 };

const here = path.dirname(fileURLToPath(import.meta.url));
const CERT = path.resolve(here, '../fixtures/tls/cert.pem');

const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));

function minimumFullRead(directory: SeedDirectory, sizes: { groups: number; members: number }): number {
  return (
    pages(directory.groups.length, sizes.groups) +
    directory.groups.reduce((n, g) => n + pages(g.members.length, sizes.members), 0)
  );
}

async function timed(read: () => Promise<SourceSnapshot>): Promise<{ snap: SourceSnapshot; ms: number }> {
  const t0 = performance.now();
  const snap = await read();
  return { snap, ms: performance.now() - t0 };
}

function row(label: string, requests: number | string, minimum: number | string, ms: number, extra = ''): void {
  console.log(
    `${label.padEnd(48)} ${String(requests).padStart(8)} ${String(minimum).padStart(8)} ${`${(ms / 1000).toFixed(2)} s`.padStart(9)}  ${extra}`,
  );
}

async function benchOkta(directory: SeedDirectory): Promise<void> {
  const fake = await startOktaFake(toOktaDirectory(directory));
  try {
    const minimum = minimumFullRead(directory, {
      groups: OKTA_MAX_PAGE_SIZE.groups,
      members: OKTA_MAX_PAGE_SIZE.groupUsers,
    });
    const source = createOktaSource({ orgUrl: fake.orgUrl, token: fake.token, groupPrefix: PREFIX });
    const full = await timed(() => source.read());
    check(full.snap, directory);
    row(
      'okta full read',
      full.snap.requests ?? '?',
      minimum,
      full.ms,
      '(groups in pages of 200, as Okta recommends; 10,000 allowed)',
    );

    fake.setRateLimit({ ...BUDGET, enforce: true });
    const { logger, records } = captureLogger();
    const paced = createOktaSource({ orgUrl: fake.orgUrl, token: fake.token, groupPrefix: PREFIX, logger });
    const before = fake.count();
    const limited = await timed(() => paced.read());
    check(limited.snap, directory);
    const pauses = records.filter(
      (r) => r.msg === 'okta rate limit nearly spent; waiting for the window to reset',
    ).length;
    row(
      `okta full read, ${BUDGET.limit} req/${BUDGET.windowMs / 1000} s enforced`,
      limited.snap.requests ?? '?',
      minimum,
      limited.ms,
      `429 answers: ${fake.rateLimited} (of ${fake.count() - before} requests), pause notices: ${pauses}`,
    );
    if (fake.rateLimited !== 0) throw new Error(`the paced read met ${fake.rateLimited} 429 answers`);
  } finally {
    await fake.close();
  }
}

async function benchEntra(directory: SeedDirectory): Promise<void> {
  const idp = await startEntraTokenFake();
  const graph = await startGraphFake({ ...toGraphDirectory(directory), token: idp.accessToken });
  const options = {
    tenantId: idp.tenantId,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    authorityHost: idp.authorityHost,
    graphBaseUrl: graph.baseUrl,
    groupPrefix: PREFIX,
  };
  try {
    const minimum = minimumFullRead(directory, { groups: GRAPH_MAX_TOP, members: GRAPH_MAX_TOP });
    const full = await timed(() => createEntraSource({ ...options, delta: false }).read());
    check(full.snap, directory);
    row(
      'entra full read (delta off)',
      full.snap.requests ?? '?',
      minimum,
      full.ms,
      '(+1 discovery GET, 1 token POST per source instance)',
    );

    let stored: unknown = null;
    const source = createEntraSource({ ...options, stateStore: { get: () => stored, put: (s) => void (stored = s) } });
    const entries = directory.groups.reduce((n, g) => n + pages(g.members.length, GRAPH_PAGE.deltaLinksPerEntry), 0);
    const deltaMinimum =
      pages(entries, GRAPH_PAGE.deltaObjects) + pages(directory.users.length, GRAPH_PAGE.deltaObjects);
    const initial = await timed(() => source.read());
    check(initial.snap, directory);
    row(
      'entra first delta round (groups+users delta)',
      initial.snap.requests ?? '?',
      deltaMinimum,
      initial.ms,
      `(state ${(JSON.stringify(stored).length / 1e6).toFixed(1)} MB)`,
    );

    const idle = await timed(() => source.read());
    row('entra delta poll, no change', idle.snap.requests ?? '?', 2, idle.ms);

    graph.addMember('g00001', 'u000000');
    graph.upsertUser({
      id: 'u000002',
      userPrincipalName: 'user000002@example.test',
      mail: null,
      accountEnabled: false,
    });
    const changed = await timed(() => source.read());
    const ok =
      changed.snap.groups.find((g) => g.id === 'g00001')?.members.includes('u000000') &&
      changed.snap.users.find((u) => u.id === 'u000002')?.active === false;
    if (!ok) throw new Error('the delta poll missed a change');
    row('entra delta poll, one member + one user change', changed.snap.requests ?? '?', 2, changed.ms);
    console.log(
      `entra token endpoint: ${idp.discoveryRequests} discovery GETs, ${idp.tokenRequests} token POSTs for 2 source instances`,
    );
  } finally {
    await graph.close();
    await idp.close();
  }
}

function check(snap: SourceSnapshot, directory: SeedDirectory): void {
  const memberships = directory.groups.reduce((n, g) => n + g.members.length, 0);
  const read = snap.groups.reduce((n, g) => n + g.members.length, 0);
  if (
    snap.groups.length !== directory.groups.length ||
    snap.users.length !== directory.users.length ||
    read !== memberships
  ) {
    throw new Error(`incomplete read: ${snap.groups.length} groups, ${snap.users.length} users, ${read} memberships`);
  }
}

export async function run(): Promise<void> {
  // the Graph and msal fakes are https with the test certificate, trusted only through NODE_EXTRA_CA_CERTS at start-up
  if (path.resolve(process.env.NODE_EXTRA_CA_CERTS ?? '') !== CERT) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, path.join(here, 'run.ts'), '--child', 'idp-read.ts'],
      {
        stdio: 'inherit',
        env: { ...process.env, NODE_EXTRA_CA_CERTS: CERT, HTTPS_PROXY: '', https_proxy: '' },
      },
    );
    if (child.status !== 0) throw new Error(`idp-read child failed (exit ${child.status ?? child.signal})`);
    return;
  }
  const directory = buildLargeDirectory({ users: USERS, groups: GROUPS, prefix: PREFIX, inactiveEvery: 50 });
  const memberships = directory.groups.reduce((n, g) => n + g.members.length, 0);
  console.log(`${USERS} users, ${GROUPS} groups, ${memberships} memberships (one group holds everyone)`);
  console.log(`${'read'.padEnd(48)} ${'requests'.padStart(8)} ${'minimum'.padStart(8)} ${'wall'.padStart(9)}`);
  await benchOkta(directory);
  await benchEntra(directory);
}
