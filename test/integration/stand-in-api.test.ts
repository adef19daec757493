import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/domain/model.js';
import { startTestStandIn, type TestStandIn } from '../support/stand-in.js';

type Body = Record<string, unknown>;

describe("Heap stand-in's UI at /api", () => {
  let standIn: TestStandIn;

  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${standIn.url}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${standIn.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Body };
  };
  const scimCreate = async (userName: string, roles: string[]) => {
    const res = await fetch(`${standIn.scimUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName, displayName: userName.split('@')[0], roles: roles.map((value) => ({ value })) }),
    });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    standIn = await startTestStandIn({ projects: ['web-prod', 'web-staging'], model: DEFAULT_MODEL });
    await scimCreate('alice@example.com', ['org:Member', 'project:web-prod:Member', 'module:govern:web-prod:viewer']);
  });
  afterAll(async () => {
    await standIn?.close();
  });

  it('needs the bearer token', async () => {
    const res = await fetch(`${standIn.url}/api/teammates`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as Body).error).toMatch(/Bearer/);
  });

  it('lists every teammate with access as entitlements', async () => {
    const { status, body } = await api('GET', '/teammates');
    expect(status).toBe(200);
    expect(body.teammates).toEqual([
      {
        email: 'alice@example.com',
        userName: 'alice@example.com',
        displayName: 'alice',
        access: {
          membership: 'active',
          org: 'Member',
          'project:web-prod': 'Member',
          'module:govern:web-prod': 'viewer',
        },
        ownedAssets: 0,
      },
    ]);
  });

  it('changes access by hand, recorded in the activity log as a UI change, newest first', async () => {
    const changed = await api(
      'PATCH',
      '/teammates/Alice@Example.com',
      { entitlement: 'project:web-prod', value: 'Admin' },
      {
        'x-heap-actor': 'it-admin@example.com',
      },
    );
    expect(changed.status).toBe(200);
    expect((changed.body.access as Body)['project:web-prod']).toBe('Admin');
    await api('PATCH', '/teammates/alice@example.com', { entitlement: 'module:govern:web-prod', value: null });
    const { body } = await api('GET', '/activity?limit=2');
    expect(body.activity).toEqual([
      expect.objectContaining({
        via: 'ui',
        actor: 'admin',
        teammate: 'alice@example.com',
        entitlement: 'module:govern:web-prod',
        from: 'viewer',
        to: null,
      }),
      expect.objectContaining({
        via: 'ui',
        actor: 'it-admin@example.com',
        teammate: 'alice@example.com',
        entitlement: 'project:web-prod',
        from: 'Member',
        to: 'Admin',
      }),
    ]);
    const all = (await api('GET', '/activity?teammate=alice@example.com')).body.activity as Body[];
    expect(all.at(-1)).toMatchObject({ via: 'scim', entitlement: 'membership', from: null, to: 'active' });
    expect(Date.parse((all[0] as Body).at as string)).not.toBeNaN();
  });

  it('deactivates and removes teammates through membership', async () => {
    await api('POST', '/teammates', { email: 'temp@example.com', access: { org: 'Member' }, ownedAssets: 3 });
    expect(
      (await api('PATCH', '/teammates/temp@example.com', { entitlement: 'membership', value: 'deactivated' })).body,
    ).toMatchObject({
      access: { membership: 'deactivated', org: 'Member' },
      ownedAssets: 3,
    });
    expect((await api('PATCH', '/teammates/temp@example.com', { entitlement: 'membership', value: null })).status).toBe(
      204,
    );
    expect((await api('GET', '/teammates/temp@example.com')).status).toBe(404);
  });

  it('refuses bad changes with 400 listing the problem, and unknown teammates with 404', async () => {
    const bad = async (body: unknown) => {
      const res = await api('PATCH', '/teammates/alice@example.com', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      return res.body.error as string;
    };
    expect(await bad({ entitlement: 'project:web-prd', value: 'Admin' })).toMatch(/unknown project "web-prd"/);
    expect(await bad({ entitlement: 'project:web-prod', value: 'Owner' })).toMatch(/not a value of project:web-prod/);
    expect(await bad({ entitlement: 'module:teleport:web-prod', value: 'enabled' })).toMatch(/unknown module/);
    expect(await bad({ entitlement: 'membership', value: 'paused' })).toMatch(/membership/);
    expect(await bad({ entitlement: 'projects', value: 'Admin' })).toMatch(/unknown entitlement/);
    expect(await bad({ entitlement: 'org' })).toMatch(/"value" is required/);
    expect(await bad('not json')).toMatch(/not valid JSON/);
    expect(await bad([1])).toMatch(/JSON object/);
    expect((await api('PATCH', '/teammates/nobody@example.com', { entitlement: 'org', value: 'Admin' })).status).toBe(
      404,
    );
    expect((await api('GET', '/activity?limit=0')).status).toBe(400);
    expect((await api('POST', '/teammates', { email: 'alice@example.com' })).status).toBe(409);
    expect((await api('POST', '/teammates', { access: { org: 'Boss' } })).body.details).toHaveLength(2);
  });

  it('switches faults at run time and counts SCIM traffic', async () => {
    const before = (await api('GET', '/stats')).body as { writes: number };
    expect((await api('PUT', '/faults', { faults: { share: 1, kinds: ['429'], retryAfterSeconds: 7 } })).status).toBe(
      200,
    );
    const res = await fetch(`${standIn.scimUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ userName: 'limited@example.com' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect((await api('PUT', '/faults', { faults: { share: 5 } })).status).toBe(400);
    await api('PUT', '/faults', { faults: null });
    const after = (await api('GET', '/stats')).body as { writes: number; faults: Record<string, number> };
    expect(after.writes).toBe(before.writes + 1);
    expect(after.faults['429']).toBe(1);
  });
});
