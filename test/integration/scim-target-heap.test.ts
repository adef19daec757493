import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetReadError, TargetWriteError } from '../../src/ports/access-target.js';
import type { StandInOptions } from '../../src/stand-in/index.js';
import { DEFAULT_ROLE_ENCODING } from '../../src/targets/role-encoding.js';
import { createScimTarget, type ScimTargetOptions } from '../../src/targets/scim/index.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';
import { apiClient } from '../support/stand-in-client.js';

let standIn: TestStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const start = async (options: Partial<StandInOptions> = {}) => (standIn = await startTestStandIn(options));
const targetFor = (s: TestStandIn, options: Partial<ScimTargetOptions> = {}) =>
  createScimTarget({ url: s.scimUrl, token: s.token, roleEncoding: DEFAULT_ROLE_ENCODING, retryBaseMs: 5, ...options });
const ALICE = 'alice@example.com';

/** A port nothing listens on: bound, then closed. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/scim/v2`;
}

const waitFor = async (what: string, done: () => boolean) => {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

describe('SCIM target errors say which system failed', () => {
  it('names Heap, its URL and the token variable when Heap refuses the token', async () => {
    const s = await start();
    const target = targetFor(s, { token: 'wrong', tokenEnv: 'ACME_HEAP_TOKEN' });
    const read = await target.readAll().catch((e: unknown) => e);
    expect(read).toBeInstanceOf(TargetReadError);
    expect((read as Error).message).toBe(
      `Heap SCIM at ${s.scimUrl}: GET /Users?startIndex=1&count=200: HTTP 401: the bearer token is not valid (check ACME_HEAP_TOKEN)`,
    );
    const write = await target
      .applyUserChanges({ user: ALICE, set: { membership: 'active' } })
      .catch((e: unknown) => e);
    expect(write).toBeInstanceOf(TargetWriteError);
    expect((write as Error).message).toMatch(
      new RegExp(`^Heap SCIM at ${s.scimUrl}: ${ALICE}: .*HTTP 401.*\\(check ACME_HEAP_TOKEN\\)$`),
    );
  });

  it('says "connection refused" with the URL when nothing listens there, and calls such a write definite', async () => {
    const url = await deadUrl();
    const target = createScimTarget({
      url,
      token: 't',
      roleEncoding: DEFAULT_ROLE_ENCODING,
      retries: 1,
      retryBaseMs: 1,
    });
    const read = await target.readAll().catch((e: unknown) => e);
    expect((read as Error).message).toBe(
      `Heap SCIM at ${url}: GET /Users?startIndex=1&count=200: connection refused after 2 attempt(s)`,
    );
    const write = (await target
      .applyUserChanges({ user: ALICE, set: { membership: 'active' } }, {})
      .catch((e: unknown) => e)) as TargetWriteError;
    expect(write.message).toMatch(/connection refused/);
    // nothing reached Heap: the outcome is known
    expect(write.ambiguous).toBe(false);
  });
});

describe('SCIM target writes whose outcome is unknown', () => {
  it('calls a write that timed out ambiguous; the stand-in applies it after its stall all the same', async () => {
    const s = await start();
    // the request (body and all) reaches the stand-in well within the time-out, even on a loaded machine; then it stalls
    const target = targetFor(s, { retries: 0, timeoutMs: 1000 });
    await target.readAll();
    s.faults.set({ share: 1, kinds: ['stall'], stallMs: 1500 });
    const error = (await target
      .applyUserChanges({ user: ALICE, set: { membership: 'active', org: 'Admin' } })
      .catch((e: unknown) => e)) as TargetWriteError;
    s.faults.set(undefined);
    expect(error).toBeInstanceOf(TargetWriteError);
    expect(error.ambiguous).toBe(true);
    expect(error.message).toMatch(/no answer within 1000 ms/);
    expect(target.requestTimeoutMs).toBe(1000);
    await waitFor('the stalled write to land', () => s.faults.stats().stalledApplied === 1);
    expect((await targetFor(s).readAll()).map((t) => [t.email, t.access])).toEqual([
      [ALICE, { membership: 'active', org: 'Admin' }],
    ]);
  });

  it('calls a write Heap refused definite, and counts every attempt, including those that change nothing', async () => {
    const s = await start({ projects: ['web-prod'] });
    const target = targetFor(s);
    await target.readAll();
    const before = s.faults.stats();
    await target.applyUserChanges({ user: ALICE, set: { membership: 'active', org: 'Member' } });
    // the same grant again, by an instance that has not read: one PATCH that changes nothing
    await targetFor(s).applyUserChanges({ user: ALICE, set: { org: 'Member' } });
    const refused = (await target
      .applyUserChanges({ user: ALICE, set: { 'project:web-prd': 'Admin' } })
      .catch((e: unknown) => e)) as TargetWriteError;
    expect(refused.ambiguous).toBe(false);
    expect(refused.status).toBe(400);
    const after = s.faults.stats();
    expect(after.writes - before.writes).toBe(3);
    expect(after.writesChanged - before.writesChanged).toBe(1);
  });
});

describe('SCIM target and the runs it writes for', () => {
  it('names the run in every write, so Heap can tell two runs apart; the activity log keeps the run', async () => {
    const s = await start();
    const target = targetFor(s);
    await target.readAll();
    await target.applyUserChanges(
      { user: ALICE, set: { membership: 'active', 'team:Ops': 'member' } },
      { runId: 'r1' },
    );
    await target.applyUserChanges({ user: 'bob@example.com', set: { membership: 'active' } }, { runId: 'r2' });
    await target.applyUserChanges({ user: 'bob@example.com', set: { org: 'Member' } }, { runId: 'r2' });
    const { windows, overlaps } = s.writeWindows();
    expect(windows.map((w) => [w.runId, w.writes])).toEqual([
      ['r1', 2],
      ['r2', 2],
    ]);
    expect(overlaps).toEqual([]);
    const activity = await target.readActivity!({ users: [ALICE] });
    expect(activity.map((a) => [a.entitlement, a.runId])).toEqual([
      ['membership', 'r1'],
      ['team:Ops', 'r1'],
    ]);
  });

  it('records overlapping write windows when two runs write at once', async () => {
    const s = await start();
    const target = targetFor(s);
    await target.readAll();
    await target.applyUserChanges({ user: ALICE, set: { membership: 'active' } }, { runId: 'a' });
    await target.applyUserChanges({ user: 'bob@example.com', set: { membership: 'active' } }, { runId: 'b' });
    await target.applyUserChanges({ user: ALICE, set: { org: 'Member' } }, { runId: 'a' });
    expect(s.writeWindows().overlaps).toEqual([['a', 'b']]);
    const api = await apiClient(s)('GET', '/write-windows');
    expect(api.body.overlaps).toEqual([['a', 'b']]);
  });
});

describe('SCIM target: what Heap tells about a teammate', () => {
  it("reads owned assets and last activity set in Heap's UI, and the IdP id written on create", async () => {
    const s = await start();
    const target = targetFor(s);
    await target.readAll();
    await target.applyUserChanges({ user: ALICE, externalId: '00u1', set: { membership: 'active' } });
    const api = apiClient(s);
    const set = await api('PATCH', `/teammates/${ALICE}`, { ownedAssets: 12, lastActiveAt: '2030-01-02T03:04:05Z' });
    expect(set.status).toBe(200);
    const [alice] = await target.readAll();
    expect(alice).toMatchObject({ externalId: '00u1', ownedAssets: 12, lastActiveAt: '2030-01-02T03:04:05Z' });
    expect(target.capabilities()).toMatchObject({ assetOwnership: true, lastActivity: true, activityLog: true });
    expect(await target.readUsers([ALICE])).toEqual([alice]);
  });

  it('reads the projects each Team gives from Heap (the stand-in), where it can', async () => {
    const s = await start({ profile: 'heap-documented' });
    const target = targetFor(s, { profile: 'heap-documented', adminApiUrl: `${s.url}/api` });
    await target.readAll();
    await target.applyUserChanges({ user: ALICE, set: { membership: 'active', 'team:Data Science': 'member' } });
    await apiClient(s)('PATCH', '/teams/Data Science', { projects: { 'web-prod': 'Member' } });
    expect(target.capabilities()).toMatchObject({ teamBindings: true });
    expect(await target.readTeams!()).toEqual([
      { name: 'Data Science', projects: { 'web-prod': 'Member' }, members: [ALICE] },
    ]);
  });

  it("declares what Heap's documented SCIM gives: membership and Teams, no roles, no activity log", async () => {
    const s = await start({ profile: 'heap-documented' });
    const target = targetFor(s, { profile: 'heap-documented' });
    await target.applyUserChanges({ user: ALICE, set: { membership: 'active', 'team:Ops': 'member' } });
    expect(await target.readAll()).toEqual([
      expect.objectContaining({ email: ALICE, access: { membership: 'active', 'team:Ops': 'member' } }),
    ]);
    const caps = target.capabilities();
    expect(caps).toMatchObject({ assetOwnership: false, lastActivity: false, activityLog: false, teamBindings: false });
    expect(caps.entitlements).toEqual({
      membership: { observe: true, write: true },
      org: { observe: false, write: false },
      project: { observe: false, write: false },
      module: { observe: false, write: false },
      team: { observe: true, write: true },
    });
    expect(target.readActivity).toBeUndefined();
  });
});

describe('SCIM target write pacing', () => {
  it('slows down when Heap answers 429 and still gets the write through', async () => {
    const s = await start({ faults: { share: 1, kinds: ['429'], retryAfterSeconds: 0 } });
    const target = targetFor(s, { writesPerSecond: 50, retries: 5 });
    const writing = target.applyUserChanges({ user: ALICE, set: { membership: 'active' } });
    await waitFor('a 429', () => s.faults.stats().faults['429'] >= 2);
    s.faults.set(undefined);
    await writing;
    const budget = target.writeBudget();
    expect(budget?.throttled).toBeGreaterThanOrEqual(2);
    expect(budget?.ratePerSecond).toBeLessThan(50);
    expect((await target.readAll()).map((t) => t.email)).toEqual([ALICE]);
  });
});
