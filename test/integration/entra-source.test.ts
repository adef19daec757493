import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../src/ports/identity-source.js';
import type { EntraSourceOptions } from '../../src/sources/graph/create-entra-source.js';
import { createEntraSource } from '../../src/sources/graph/create-entra-source.js';
import { captureLogger } from '../fakes/capture-logger.js';
import type { EntraTokenFake, EntraTokenFakeOptions } from '../fakes/entra-token-fake.js';
import { startEntraTokenFake } from '../fakes/entra-token-fake.js';
import type { GraphFake, GraphFakeOptions } from '../fakes/graph-fake.js';
import { graphThrottleFault, startGraphFake } from '../fakes/graph-fake.js';
import type { SeedDirectory } from '../fakes/seed-directory.js';
import { toGraphDirectory } from '../fakes/seed-directory.js';

const FAST_RETRY = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

interface World {
  graph: GraphFake;
  idp: EntraTokenFake;
  source(options?: Partial<EntraSourceOptions>): ReturnType<typeof createEntraSource>;
}

async function given(
  seed: SeedDirectory,
  graphOptions: GraphFakeOptions = {},
  tokenOptions: EntraTokenFakeOptions = {},
): Promise<World> {
  const idp = await startEntraTokenFake(tokenOptions);
  const graph = await startGraphFake({ ...toGraphDirectory(seed), token: idp.accessToken, ...graphOptions });
  servers.push(idp, graph);
  return {
    graph,
    idp,
    source: (options = {}) =>
      createEntraSource({
        tenantId: idp.tenantId,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        authorityHost: idp.authorityHost,
        graphBaseUrl: graph.baseUrl,
        groupPrefix: 'Heap ',
        retry: FAST_RETRY,
        ...options,
      }),
  };
}

const user = (id: string, active = true) => ({
  id,
  userName: `${id}@acme.test`,
  email: `${id}@acme.test`,
  displayName: `User ${id}`,
  active,
});

/** Heap Admins ⊃ Heap Platform (nested) ⊃ Platform Oncall (nested, outside the prefix); Sales outside the prefix. */
function nestedDirectory(): SeedDirectory {
  return {
    users: ['ada', 'bob', 'cy', 'dee', 'eve'].map((id) => user(id, id !== 'eve')),
    groups: [
      { id: 'g-admins', displayName: 'Heap Admins', members: ['ada', 'g-platform'] },
      { id: 'g-platform', displayName: 'Heap Platform', members: ['bob', 'g-oncall'] },
      { id: 'g-oncall', displayName: 'Platform Oncall', members: ['cy', 'eve'] },
      { id: 'g-sales', displayName: 'Sales', members: ['dee'] },
      { id: 'g-empty', displayName: 'Heap Empty', members: [] },
    ],
  };
}

function wideDirectory(groups: number, perGroup: number): SeedDirectory {
  const users = Array.from({ length: perGroup * 2 }, (_, i) => user(`u${String(i).padStart(3, '0')}`));
  return {
    users,
    groups: Array.from({ length: groups }, (_, g) => ({
      id: `g${String(g).padStart(3, '0')}`,
      displayName: `Heap Team ${g}`,
      members: Array.from({ length: perGroup }, (_, k) => users[(g + k) % users.length]?.id ?? ''),
    })),
  };
}

const membership = (snap: { groups: { id: string; members: string[] }[] }) =>
  Object.fromEntries(snap.groups.map((g) => [g.id, g.members]));

describe('Entra source, full reads (delta off)', () => {
  it('reads every page of the prefixed groups and of their members, with user properties', async () => {
    const w = await given(wideDirectory(5, 4), { pageCap: 2 });
    const snap = await w.source({ delta: false }).read();
    expect(snap.groups).toHaveLength(5);
    expect(snap.groups.every((g) => g.members.length === 4)).toBe(true);
    expect(snap.users[0]).toEqual({
      id: 'u000',
      userName: 'u000@acme.test',
      email: 'u000@acme.test',
      displayName: 'User u000',
      active: true,
      source: 'entra',
    });
    expect(snap.requests).toBe(3 + 5 * 2);
    const first = w.graph.requests.find((r) => r.path === '/v1.0/groups');
    expect(first?.query.get('$filter')).toBe("startswith(displayName,'Heap ')");
    expect(first?.query.get('$top')).toBe('999');
    expect(first?.headers.authorization).toBe(`Bearer ${w.idp.accessToken}`);
  });

  it('reads explicit group ids and fails on an unknown one', async () => {
    const w = await given(nestedDirectory());
    const snap = await w.source({ delta: false, groupPrefix: undefined, groupIds: ['g-sales'] }).read();
    expect(membership(snap)).toEqual({ 'g-sales': ['dee'] });
    await expect(w.source({ delta: false, groupIds: ['g-gone'] }).read()).rejects.toThrow(/not found: g-gone/);
  });

  it.each([false, true])(
    'fails the read when groupPrefix matches no group (the "Heap_" typo), naming the filter (delta %s)',
    async (delta) => {
      const w = await given(nestedDirectory());
      const read = w.source({ delta, groupPrefix: 'Heap_' }).read();
      await expect(read).rejects.toBeInstanceOf(SourceReadError);
      await expect(read).rejects.toThrow('entra: no Entra group displayName starts with groupPrefix "Heap_"');
    },
  );

  it('direct members only, unless transitive: then nested groups count, through any depth', async () => {
    const w = await given(nestedDirectory());
    expect(membership(await w.source({ delta: false }).read())).toEqual({
      'g-admins': ['ada'],
      'g-empty': [],
      'g-platform': ['bob'],
    });
    const transitive = await w.source({ delta: false, transitive: true }).read();
    expect(membership(transitive)).toEqual({
      'g-admins': ['ada', 'bob', 'cy', 'eve'],
      'g-empty': [],
      'g-platform': ['bob', 'cy', 'eve'],
    });
    expect(transitive.users.find((u) => u.id === 'eve')?.active).toBe(false);
    expect(w.graph.count(/transitiveMembers$/)).toBe(3);
  });

  it('asks the token endpoint once per source instance', async () => {
    const w = await given(nestedDirectory());
    const source = w.source({ delta: false });
    await source.read();
    await source.read();
    expect(w.idp.tokenRequests).toBe(1);
    expect(w.idp.discoveryRequests).toBe(1);
  });

  it('authenticates with a certificate instead of a secret', async () => {
    const thumbprint = crypto.randomBytes(32).toString('hex');
    const w = await given(nestedDirectory(), {}, { certificateThumbprint: thumbprint });
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const source = w.source({
      delta: false,
      clientSecret: undefined,
      certificate: { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), thumbprint },
    });
    expect((await source.read()).groups).toHaveLength(3);
  });
});

describe('Entra source, delta', () => {
  it('reads everything first, then only changes: members added and removed, a group deleted, a user disabled', async () => {
    const w = await given(nestedDirectory());
    const source = w.source({ transitive: true });
    const first = await source.read();
    expect(membership(first)).toEqual({
      'g-admins': ['ada', 'bob', 'cy', 'eve'],
      'g-empty': [],
      'g-platform': ['bob', 'cy', 'eve'],
    });
    expect(w.graph.requests.map((r) => r.path)).toEqual(['/v1.0/groups/delta', '/v1.0/users/delta']);

    w.graph.addMember('g-empty', 'dee');
    w.graph.removeMember('g-oncall', 'eve');
    w.graph.deleteGroup('g-platform');
    w.graph.upsertUser({ id: 'ada', userPrincipalName: 'ada@acme.test', mail: 'ada@new.test', accountEnabled: false });
    w.graph.upsertGroup({ id: 'g-new', displayName: 'Heap New', members: ['g-oncall'] });
    const second = await source.read();
    expect(membership(second)).toEqual({ 'g-admins': ['ada'], 'g-empty': ['dee'], 'g-new': ['cy'] });
    expect(second.users.find((u) => u.id === 'ada')).toMatchObject({ email: 'ada@new.test', active: false });
    expect(second.requests).toBe(2);

    const third = await source.read();
    expect(third.requests).toBe(2);
    expect(membership(third)).toEqual(membership(second));
  });

  it('a poll with no changes costs two requests, also from a new instance sharing the state store', async () => {
    const w = await given(wideDirectory(30, 10), { pageCap: 7 });
    let stored: unknown = null;
    const stateStore = { get: () => stored, put: (s: unknown) => void (stored = s) };
    const initial = await w.source({ stateStore }).read();
    expect(initial.requests).toBeGreaterThan(2);
    const again = await w.source({ stateStore }).read();
    expect(again.requests).toBe(2);
    expect(again.users).toEqual(initial.users);
    expect(again.groups).toEqual(initial.groups);
  });

  it.each(['syncStateNotFound', 'resyncRequired'] as const)(
    'an expired delta link (%s) falls back to a full round',
    async (as) => {
      const w = await given(nestedDirectory());
      const { logger, records } = captureLogger();
      const source = w.source({ logger });
      await source.read();
      w.graph.addMember('g-admins', 'dee');
      w.graph.expireDeltaTokens(as);
      const snap = await source.read();
      expect(membership(snap)['g-admins']).toEqual(['ada', 'dee']);
      expect(snap.requests).toBe(3); // the refused delta link, then groups/delta and users/delta from scratch
      expect(records.some((r) => r.msg === 'delta link expired; reading everything again')).toBe(true);
      expect((await source.read()).requests).toBe(2);
    },
  );

  it('a failed round changes nothing: the next round applies the same changes once', async () => {
    const w = await given(nestedDirectory());
    const source = w.source();
    await source.read();
    w.graph.addMember('g-empty', 'ada');
    w.graph.inject({ path: /\/users\/delta$/, action: 'malformed' });
    await expect(source.read()).rejects.toBeInstanceOf(SourceReadError);
    w.graph.removeMember('g-empty', 'ada');
    w.graph.addMember('g-empty', 'bob');
    expect(membership(await source.read())['g-empty']).toEqual(['bob']);
  });

  it('refuses users without accountEnabled rather than guess they are disabled', async () => {
    const w = await given(nestedDirectory());
    w.graph.inject({
      path: /\/users\/delta$/,
      action: {
        status: 200,
        body: JSON.stringify({
          value: [{ id: 'ada', userPrincipalName: 'ada@acme.test' }],
          '@odata.deltaLink': `${w.graph.baseUrl}/v1.0/users/delta?$deltatoken=x`,
        }),
      },
    });
    await expect(w.source().read()).rejects.toThrow(/accountEnabled/);
  });
});

describe('Entra source, throttling and failures', () => {
  it.each([429, 503, 504] as const)('honours Retry-After on %i and retries', async (status) => {
    const w = await given(nestedDirectory());
    w.graph.inject({ path: /\/users\/delta$/, times: 2, action: graphThrottleFault(status) });
    const snap = await w.source().read();
    expect(snap.groups).toHaveLength(3);
    expect(snap.requests).toBe(4);
    expect(w.graph.requests.at(-1)?.headers['retry-attempt']).toBe('2');
  });

  it('retries 500, 502 and network resets with backoff', async () => {
    const w = await given(nestedDirectory());
    w.graph.inject({
      path: /\/groups\/delta$/,
      action: { status: 500, body: '{"error":{"code":"generalException","message":"x"}}' },
    });
    w.graph.inject({ path: /\/groups\/delta$/, action: { status: 502, body: '' } });
    w.graph.inject({ path: /\/users\/delta$/, action: 'reset' });
    expect((await w.source().read()).groups).toHaveLength(3);
  });

  it('times out a stalled request and retries it', async () => {
    const w = await given(nestedDirectory());
    w.graph.inject({ path: /\/users\/delta$/, action: 'stall' });
    expect((await w.source({ requestTimeoutMs: 300 }).read()).groups).toHaveLength(3);
  });

  describe('fails the whole read, never a partial snapshot', () => {
    it.each([
      [
        'a 500 that outlasts the retries',
        { path: /\/members$/, times: Infinity, action: { status: 500, body: '{}' } },
        /HTTP 500/,
      ],
      [
        'throttling that outlasts the retries',
        { path: /\/members$/, times: Infinity, action: graphThrottleFault(429) },
        /HTTP 429/,
      ],
      [
        'a page chain that breaks midway',
        {
          path: /\/members$/,
          query: /skiptoken/,
          times: Infinity,
          action: { status: 404, body: '{"error":{"code":"Request_ResourceNotFound","message":"gone"}}' },
        },
        /HTTP 404/,
      ],
      [
        'a malformed page',
        { path: /\/members$/, skip: 1, action: 'malformed' as const },
        /JSON|Unexpected|Unterminated/,
      ],
      [
        'a page without a value array',
        { path: /\/groups$/, action: { status: 200, body: '{"items":[]}' } },
        /malformed Graph response/,
      ],
    ])('%s', async (_label, fault, message) => {
      const w = await given(wideDirectory(3, 4), { pageCap: 2 });
      w.graph.inject(fault);
      const read = w.source({ delta: false, throttleRetries: 2 }).read();
      await expect(read).rejects.toBeInstanceOf(SourceReadError);
      await expect(read).rejects.toThrow(message);
    });

    it('a token endpoint that refuses the client', async () => {
      const w = await given(nestedDirectory());
      await expect(w.source({ clientSecret: 'wrong' }).read()).rejects.toThrow(/invalid_client|AADSTS7000215/);
      expect(w.graph.count()).toBe(0);
    });

    it('names the sign-in, its authority and the secret variable when the client is refused', async () => {
      const w = await given(nestedDirectory());
      const read = w
        .source({ clientSecret: 'wrong', credentialVariable: 'ENTRA_CLIENT_SECRET', retry: { retries: 0 } })
        .read();
      await expect(read).rejects.toThrow(
        `entra: Entra ID sign-in at ${w.idp.authorityHost} (tenant ${w.idp.tenantId}) failed: `,
      );
      await expect(read).rejects.toThrow(/\(check ENTRA_CLIENT_SECRET\)$/);
    });

    it('names Microsoft Graph and its URL when Graph refuses the token', async () => {
      const w = await given(nestedDirectory());
      w.graph.inject({
        path: /\/groups$/,
        times: Infinity,
        action: {
          status: 403,
          body: '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}',
        },
      });
      const read = w.source({ delta: false }).read();
      await expect(read).rejects.toThrow(`entra: Microsoft Graph at ${new URL(w.graph.baseUrl).origin}: HTTP 403`);
      await expect(read).rejects.toThrow(/GroupMember\.Read\.All/);
    });
  });
});
