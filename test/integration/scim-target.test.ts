import { afterEach, describe, expect, it } from 'vitest';
import { TargetReadError, TargetWriteError, type UserChangeSet } from '../../src/ports/access-target.js';
import { DEFAULT_ROLE_ENCODING, type RoleEncoding } from '../../src/targets/role-encoding.js';
import { createScimTarget, type ScimTargetOptions } from '../../src/targets/scim/index.js';
import { captureLogger } from '../fakes/capture-logger.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

const CUSTOM: RoleEncoding = {
  org: 'Heap Org {value}',
  project: 'Heap Project {project} {value}',
  module: 'Heap {module} on {project} {value}',
};

let standIn: TestStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const start = async (options: Parameters<typeof startTestStandIn>[0] = {}) =>
  (standIn = await startTestStandIn(options));
const targetFor = (s: TestStandIn, options: Partial<ScimTargetOptions> = {}) =>
  createScimTarget({ url: s.scimUrl, token: s.token, roleEncoding: DEFAULT_ROLE_ENCODING, retryBaseMs: 5, ...options });
const member = (i: number): UserChangeSet => ({
  user: `user-${String(i).padStart(2, '0')}@example.com`,
  set: { membership: 'active', org: 'Member', 'project:web-prod': i % 2 ? 'Viewer' : 'Member' },
});

async function seed(s: TestStandIn, count: number) {
  const loader = targetFor(s);
  await loader.readAll();
  for (let i = 0; i < count; i++) await loader.applyUserChanges(member(i));
}

async function heapAccess(s: TestStandIn): Promise<Map<string, Record<string, string>>> {
  const res = await fetch(`${s.url}/api/teammates`, { headers: { authorization: `Bearer ${s.token}` } });
  const body = (await res.json()) as { teammates: { email: string; access: Record<string, string> }[] };
  return new Map(body.teammates.map((t) => [t.email, t.access]));
}

describe('SCIM target reads', () => {
  it('pages through every user until totalResults, one request per page, then the Teams', async () => {
    const s = await start();
    await seed(s, 25);
    const target = targetFor(s, { pageSize: 10 });
    const teammates = await target.readAll();
    expect(teammates.map((t) => t.email)).toEqual(Array.from({ length: 25 }, (_, i) => member(i).user));
    expect(teammates[3]?.access).toEqual({ membership: 'active', org: 'Member', 'project:web-prod': 'Viewer' });
    // three pages of users, one of Groups (Teams, none here)
    expect(target.stats()).toEqual({ requests: 4, retries: 0 });
    expect(target.capabilities()).toMatchObject({ assetOwnership: true, lastActivity: true });
  });

  it('starts over when users are added between pages, and returns the complete set', async () => {
    const s = await start();
    await seed(s, 12);
    let pages = 0;
    const meddling: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes('startIndex=') && ++pages === 1) await targetFor(s).applyUserChanges(member(40));
      return res;
    };
    const target = targetFor(s, { pageSize: 5, fetch: meddling });
    const teammates = await target.readAll();
    expect(teammates).toHaveLength(13);
    // page 2 saw 13 where page 1 said 12: the read restarted and took 3 more pages, then one of Groups
    expect(target.stats().requests).toBe(6);
  });

  it('never returns a partial read: a failing page or a short page chain throws TargetReadError', async () => {
    const s = await start();
    await seed(s, 12);
    let calls = 0;
    const failSecondPage: typeof fetch = async (input, init) =>
      ++calls === 2 ? new Response('{"detail":"boom"}', { status: 500 }) : fetch(input, init);
    await expect(targetFor(s, { pageSize: 5, retries: 1, fetch: failSecondPage }).readAll()).resolves.toHaveLength(12);
    calls = 0;
    const alwaysFailSecond: typeof fetch = async (input, init) =>
      ++calls >= 2 ? new Response('{"detail":"boom"}', { status: 503 }) : fetch(input, init);
    await expect(targetFor(s, { pageSize: 5, retries: 2, fetch: alwaysFailSecond }).readAll()).rejects.toThrow(
      TargetReadError,
    );
    const truncating: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = (await res.json()) as { Resources?: unknown[]; startIndex?: number };
      if (body.startIndex === 6) body.Resources = [];
      return new Response(JSON.stringify(body), { status: res.status });
    };
    await expect(targetFor(s, { pageSize: 5, fetch: truncating }).readAll()).rejects.toThrow(
      /empty page at startIndex 6/,
    );
    const noTotal: typeof fetch = async () => new Response('{"Resources":[]}', { status: 200 });
    await expect(targetFor(s, { fetch: noTotal }).readAll()).rejects.toThrow(/totalResults/);
  });

  it('reads only asked users, one filtered request each, and the Teams once', async () => {
    const s = await start();
    await seed(s, 5);
    const target = targetFor(s);
    const read = await target.readUsers([member(3).user, member(1).user.toUpperCase(), 'nobody@example.com']);
    expect(read.map((t) => t.email)).toEqual([member(1).user, member(3).user]);
    expect(target.stats().requests).toBe(4);
  });

  it('reads asked users by the fewer requests: one each, or the pages of a full read when they are more', async () => {
    const s = await start();
    await seed(s, 25);
    const target = targetFor(s, { pageSize: 10 });
    await target.readAll();
    const before = target.stats().requests;
    // 12 users one by one is 12 requests; the organisation is 3 pages
    const many = Array.from({ length: 12 }, (_, i) => member(i * 2).user);
    const read = await target.readUsers([...many, 'nobody@example.com']);
    expect(read.map((t) => t.email)).toEqual(many);
    expect(read[1]?.access).toEqual({ membership: 'active', org: 'Member', 'project:web-prod': 'Member' });
    expect(target.stats().requests - before).toBe(4);
    // 2 users: 2 filtered requests and the Teams
    const few = await target.readUsers([member(5).user, member(7).user]);
    expect(few.map((t) => t.email)).toEqual([member(5).user, member(7).user]);
    expect(target.stats().requests - before).toBe(4 + 3);
  });
});

describe('SCIM target role encoding', () => {
  it('round-trips entitlements through a non-default encoding', async () => {
    const s = await start({ roleEncoding: CUSTOM });
    const target = targetFor(s, { roleEncoding: CUSTOM });
    await target.readAll();
    const access = {
      membership: 'active',
      org: 'Admin',
      'project:web-prod': 'Member',
      'module:govern:web-prod': 'editor',
    };
    await target.applyUserChanges({ user: 'ann@example.com', set: access });
    expect((await target.readAll())[0]?.access).toEqual(access);
    const res = await fetch(`${s.scimUrl}/Users?filter=${encodeURIComponent('userName eq "ann@example.com"')}`, {
      headers: { authorization: `Bearer ${s.token}` },
    });
    const body = (await res.json()) as { Resources: { roles: { value: string }[] }[] };
    expect(body.Resources[0]?.roles.map((r) => r.value)).toEqual([
      'Heap Org Admin',
      'Heap Project web-prod Member',
      'Heap govern on web-prod editor',
    ]);
    expect((await heapAccess(s)).get('ann@example.com')).toEqual(access);
  });

  it('keeps role values it cannot map out of the access, and logs each one once', async () => {
    const s = await start();
    await seed(s, 3);
    const { logger, records } = captureLogger();
    const target = targetFor(s, { roleEncoding: CUSTOM, logger });
    const teammates = await target.readAll();
    await target.readAll();
    expect(teammates[0]?.access).toEqual({ membership: 'active' });
    const warned = records.filter(
      (r) => r.msg === 'Heap user has a role value the role encoding does not map; it is ignored',
    );
    expect(warned.map((r) => r.role).sort()).toEqual([
      'org:Member',
      'project:web-prod:Member',
      'project:web-prod:Viewer',
    ]);
  });
});

describe('SCIM target writes under faults', () => {
  it('retries 500s and succeeds', async () => {
    const s = await start({ faults: { share: 0.5, kinds: ['500'], seed: 11 } });
    const target = targetFor(s, { retries: 8 });
    await target.readAll();
    for (let i = 0; i < 10; i++) await target.applyUserChanges(member(i));
    expect(target.stats().retries).toBeGreaterThan(0);
    expect(s.faults.stats().faults['500']).toBe(target.stats().retries);
    s.faults.set(undefined);
    const heap = await heapAccess(s);
    expect(heap.size).toBe(10);
    expect(heap.get(member(4).user)).toEqual({ membership: 'active', ...member(4).set });
  });

  it('honours Retry-After on a 429', async () => {
    const s = await start({ faults: { share: 1, kinds: ['429'], retryAfterSeconds: 1 } });
    const { logger, records } = captureLogger();
    const target = targetFor(s, { retries: 3, logger });
    await target.readAll();
    const applying = target.applyUserChanges(member(1));
    while (s.faults.stats().faults['429'] < 1) await new Promise((r) => setTimeout(r, 5));
    s.faults.set(undefined);
    await applying;
    const retry = records.find((r) => r.msg === 'SCIM call failed; retrying');
    expect(retry).toMatchObject({ status: 429, attempt: 1 });
    expect(retry?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(retry?.delayMs).toBeLessThanOrEqual(1100);
    expect((await heapAccess(s)).has(member(1).user)).toBe(true);
  });

  it('gives up with TargetWriteError after retries + 1 attempts of a write that keeps failing', async () => {
    const s = await start();
    const target = targetFor(s, { retries: 2 });
    await target.readAll();
    s.faults.set({ share: 1, kinds: ['500'] });
    const before = s.faults.stats().writes;
    const error = await target.applyUserChanges(member(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetWriteError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect((error as Error).message).toMatch(/user-01@example.com: POST \/Users: HTTP 500 after 3 attempt/);
    expect(s.faults.stats().writes - before).toBe(3);
  });

  it('aborts a stalled call after timeoutMs and retries it; the late original does no harm', async () => {
    const s = await start();
    const { logger, records } = captureLogger();
    const target = targetFor(s, { retries: 3, timeoutMs: 300, logger });
    await target.readAll();
    await target.applyUserChanges(member(1));
    s.faults.set({ share: 1, kinds: ['stall'], stallMs: 600 });
    const writes = s.faults.stats().writes;
    const applying = target.applyUserChanges({ user: member(1).user, set: { 'project:web-prod': 'Admin' } });
    while (s.faults.stats().writes === writes) await new Promise((r) => setTimeout(r, 5));
    s.faults.set(undefined);
    await applying;
    expect(records.find((r) => r.msg === 'SCIM call failed; retrying')).toMatchObject({ error: 'timed out' });
    // the stalled PATCH lands after the retry: its remove no longer matches, and nothing changes
    await new Promise((r) => setTimeout(r, 700));
    expect((await heapAccess(s)).get(member(1).user)).toEqual({
      membership: 'active',
      org: 'Member',
      'project:web-prod': 'Admin',
    });
  });

  it('does not retry a client error, and names it', async () => {
    const s = await start({ projects: ['web-prod'] });
    const target = targetFor(s, { retries: 3 });
    await target.readAll();
    const error = await target
      .applyUserChanges({ user: 'x@example.com', set: { membership: 'active', 'project:web-prd': 'Admin' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TargetWriteError', status: 400, retryable: false });
    expect((error as Error).message).toMatch(/\[invalidValue\].*unknown project "web-prd"/);
    expect(target.stats().retries).toBe(0);
  });
});
