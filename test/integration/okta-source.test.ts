import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../src/ports/identity-source.js';
import type { OktaSourceOptions } from '../../src/sources/okta/create-okta-source.js';
import { createOktaSource } from '../../src/sources/okta/create-okta-source.js';
import { captureLogger } from '../fakes/capture-logger.js';
import type { OktaFake, OktaFakeOptions } from '../fakes/okta-fake.js';
import { oktaRateLimitFault, startOktaFake } from '../fakes/okta-fake.js';
import type { SeedDirectory } from '../fakes/seed-directory.js';
import { toOktaDirectory } from '../fakes/seed-directory.js';

const FAST_RETRY = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };

let fake: OktaFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function given(seed: SeedDirectory, options: OktaFakeOptions = {}): Promise<OktaFake> {
  fake = await startOktaFake({ ...toOktaDirectory(seed), ...options });
  return fake;
}

function sourceFor(f: OktaFake, options: Partial<OktaSourceOptions> = {}) {
  return createOktaSource({ orgUrl: f.orgUrl, token: f.token, groupPrefix: 'Heap ', retry: FAST_RETRY, ...options });
}

/** `groups` groups of `perGroup` users each (users shared across groups round-robin), plus one group outside the prefix. */
function directory(groups: number, perGroup: number, users = perGroup * 2): SeedDirectory {
  const seedUsers = Array.from({ length: users }, (_, i) => ({
    id: `u${String(i).padStart(4, '0')}`,
    userName: `u${i}@acme.test`,
    email: `u${i}@acme.test`,
    displayName: `User ${i}`,
    active: true,
  }));
  const seedGroups = Array.from({ length: groups }, (_, g) => ({
    id: `g${String(g).padStart(4, '0')}`,
    displayName: `Heap Team ${g}`,
    members: Array.from({ length: perGroup }, (_, k) => seedUsers[(g + k) % users]?.id ?? ''),
  }));
  seedGroups.push({ id: 'gzzz', displayName: 'Sales', members: [seedUsers[0]?.id ?? ''] });
  return { users: seedUsers, groups: seedGroups };
}

describe('Okta source', () => {
  it('reads every page of groups and of each group’s members', async () => {
    const f = await given(directory(7, 5), { pageCap: 2 });
    const snap = await sourceFor(f).read();
    expect(snap.groups.map((g) => g.displayName)).toEqual(Array.from({ length: 7 }, (_, g) => `Heap Team ${g}`));
    expect(snap.groups.every((g) => g.members.length === 5)).toBe(true);
    expect(snap.users).toHaveLength(10);
    // 4 pages of groups + 3 pages of members for each of 7 groups
    expect(snap.requests).toBe(4 + 7 * 3);
    expect(f.count()).toBe(snap.requests);
    expect(f.requests.find((r) => r.path === '/api/v1/groups')?.query.get('search')).toBe('profile.name sw "Heap "');
  });

  it('maps login, email, name and status: credential trouble stays active, suspended and deactivated do not', async () => {
    const f = await given({ users: [], groups: [] });
    const statuses = [
      'ACTIVE',
      'PASSWORD_EXPIRED',
      'LOCKED_OUT',
      'RECOVERY',
      'PROVISIONED',
      'STAGED',
      'SUSPENDED',
      'DEPROVISIONED',
    ] as const;
    f.seed({
      users: statuses.map((status, i) => ({
        id: `u${i}`,
        status,
        login: `${status.toLowerCase()}@acme.test`,
        email: i === 0 ? null : `e${i}@acme.test`,
        firstName: 'Ada',
        lastName: `L${i}`,
      })),
      groups: [{ id: 'g1', name: 'Heap Everyone', members: statuses.map((_, i) => `u${i}`) }],
    });
    const snap = await sourceFor(f).read();
    expect(Object.fromEntries(snap.users.map((u) => [u.userName.split('@')[0], u.active]))).toEqual({
      active: true,
      password_expired: true,
      locked_out: true,
      recovery: true,
      provisioned: true,
      staged: false,
      suspended: false,
      deprovisioned: false,
    });
    expect(snap.users[0]).toEqual({
      id: 'u0',
      userName: 'active@acme.test',
      email: null,
      displayName: 'Ada L0',
      active: true,
      source: 'okta',
    });
  });

  it('selects explicit groups by id or exact name, and fails when one does not exist', async () => {
    const f = await given(directory(3, 2));
    const snap = await sourceFor(f, { groupPrefix: undefined, groups: ['g0001', 'Sales'] }).read();
    expect(snap.groups.map((g) => g.id)).toEqual(['g0001', 'gzzz']);
    await expect(sourceFor(f, { groupPrefix: undefined, groups: ['g0001', 'Nope'] }).read()).rejects.toThrow(
      /not found: Nope/,
    );
  });

  it('fails the read when groupPrefix matches no group (the "Heap_" typo), naming the filter', async () => {
    const f = await given(directory(3, 2));
    const read = sourceFor(f, { groupPrefix: 'Heap_' }).read();
    await expect(read).rejects.toBeInstanceOf(SourceReadError);
    await expect(read).rejects.toThrow('okta: no Okta group name starts with groupPrefix "Heap_"');
  });

  it('still fails on a prefix that matches nothing when explicit groups match', async () => {
    const f = await given(directory(3, 2));
    await expect(sourceFor(f, { groupPrefix: 'Heap_', groups: ['Sales'] }).read()).rejects.toThrow(
      /groupPrefix "Heap_"/,
    );
  });

  it('names Okta, its URL and the token variable when Okta refuses the token', async () => {
    const f = await given(directory(1, 1));
    const read = sourceFor(f, { token: 'wrong', credentialVariable: 'OKTA_API_TOKEN' }).read();
    await expect(read).rejects.toThrow(`okta: Okta at ${f.orgUrl}: HTTP 401`);
    await expect(read).rejects.toThrow(/\(check OKTA_API_TOKEN\)$/);
  });

  it('names Okta and its URL when it cannot be reached', async () => {
    const f = await given(directory(1, 1));
    const orgUrl = f.orgUrl;
    await f.close();
    fake = undefined;
    const read = createOktaSource({ orgUrl, token: 't', groupPrefix: 'Heap ', retry: { retries: 0 } }).read();
    await expect(read).rejects.toThrow(`okta: Okta at ${orgUrl}: cannot reach it (ECONNREFUSED)`);
  });

  it('retries a 429 after X-Rate-Limit-Reset, as the SDK does', async () => {
    const f = await given(directory(2, 3));
    f.inject({ path: /\/users$/, times: 2, action: oktaRateLimitFault() });
    const snap = await sourceFor(f).read();
    expect(snap.groups.map((g) => g.members.length)).toEqual([3, 3]);
    expect(f.requests.filter((r) => r.status === 429)).toHaveLength(2);
    expect(f.requests.some((r) => r.headers['x-okta-retry-count'] === '1')).toBe(true);
  });

  it('retries 5xx answers and network resets with backoff', async () => {
    const f = await given(directory(2, 3));
    f.inject({ path: /\/users$/, times: 2, action: { status: 503, body: '{"errorCode":"E0000009"}' } });
    f.inject({ path: /^\/api\/v1\/groups$/, times: 1, action: 'reset' });
    const snap = await sourceFor(f).read();
    expect(snap.groups).toHaveLength(2);
    expect(f.requests.filter((r) => r.fault)).toHaveLength(3);
  });

  it('gives up on a stalled Okta after the attempt timeout, then retries', async () => {
    const f = await given(directory(1, 2));
    f.inject({ path: /\/users$/, action: 'stall' });
    const snap = await sourceFor(f, { requestTimeoutMs: 300 }).read();
    expect(snap.groups[0]?.members).toHaveLength(2);
  });

  it('skips the null item the SDK yields for an empty page that links a next page', async () => {
    const f = await given(directory(1, 3));
    f.inject({
      path: /\/groups\/g0000\/users$/,
      action: {
        status: 200,
        headers: { Link: `<${f.orgUrl}/api/v1/groups/g0000/users?limit=1000&after=>; rel="next"` },
        body: '[]',
      },
    });
    const snap = await sourceFor(f).read();
    expect(snap.groups[0]?.members).toHaveLength(3);
  });

  describe('fails the whole read, never a partial snapshot', () => {
    it.each([
      [
        'a 5xx that outlasts the retries',
        { path: /\/users$/, times: Infinity, action: { status: 500, body: '{}' } },
        /HTTP 500/,
      ],
      [
        'a page chain that breaks midway',
        {
          path: /\/users$/,
          query: /after=/,
          times: Infinity,
          action: { status: 404, body: '{"errorCode":"E0000007","errorSummary":"Not found"}' },
        },
        /HTTP 404/,
      ],
      ['a malformed page', { path: /\/users$/, action: 'malformed' as const }, /JSON|Unexpected|Unterminated/],
      [
        'a 401',
        {
          path: /groups$/,
          action: { status: 401, body: '{"errorCode":"E0000011","errorSummary":"Invalid token provided"}' },
        },
        /HTTP 401/,
      ],
    ])('%s', async (_label, fault, message) => {
      const f = await given(directory(3, 4), { pageCap: 2 });
      f.inject(fault);
      const read = sourceFor(f).read();
      await expect(read).rejects.toBeInstanceOf(SourceReadError);
      await expect(read).rejects.toThrow(message);
    });

    it('a permanent 5xx is tried 1 + retries times', async () => {
      const f = await given(directory(1, 1));
      f.inject({ path: /\/users$/, times: Infinity, action: { status: 502, body: '' } });
      await expect(sourceFor(f).read()).rejects.toBeInstanceOf(SourceReadError);
      expect(f.count(/\/users$/)).toBe(1 + FAST_RETRY.retries);
    });

    it('an aborted read', async () => {
      const f = await given(directory(1, 1));
      f.inject({ path: /\/users$/, action: 'stall' });
      const controller = new AbortController();
      const read = sourceFor(f).read({ signal: controller.signal });
      setTimeout(() => controller.abort(new Error('run cancelled')), 50);
      await expect(read).rejects.toBeInstanceOf(SourceReadError);
    });
  });

  it('slows down before the rate limit runs out: no 429 with an enforced budget', async () => {
    // 25 requests against 10 per 1 s window: the read must wait for two resets
    const f = await given(directory(6, 6), { pageCap: 2, rateLimit: { limit: 10, windowMs: 1000, enforce: true } });
    const { logger, records } = captureLogger();
    const snap = await sourceFor(f, { logger }).read();
    expect(snap.groups).toHaveLength(6);
    expect(f.rateLimited).toBe(0);
    expect(f.requests.every((r) => r.status === 200)).toBe(true);
    expect(snap.requests).toBe(3 + 6 * 3);
    expect(records.some((r) => r.msg === 'okta rate limit nearly spent; waiting for the window to reset')).toBe(true);
  });

  it('authenticates with OAuth private-key client credentials, one token per source instance', async () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const f = await given(directory(2, 2), {
      oauth: { clientId: '0oaHEAP', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    });
    const source = sourceFor(f, {
      token: undefined,
      oauth: {
        clientId: '0oaHEAP',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        keyId: 'kid-1',
      },
    });
    expect((await source.read()).groups).toHaveLength(2);
    expect((await source.read()).groups).toHaveLength(2);
    expect(f.tokenRequests).toBe(1);
    expect(f.requests.find((r) => r.path.startsWith('/api/'))?.headers.authorization).toBe('Bearer okta-oauth-at-1');
  });
});
