import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from '../../../../src/targets/scim/http.js';
import { readScimUser } from '../../../../src/targets/scim/transform.js';
import { createRoleCodec, DEFAULT_ROLE_ENCODING } from '../../../../src/targets/role-encoding.js';

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 0.5)).toBe(600);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
  });
});

describe('reading a SCIM user as a teammate', () => {
  const codec = createRoleCodec(DEFAULT_ROLE_ENCODING);

  it('maps roles to entitlements and active to membership, keeping unknown roles out', () => {
    const unknown: string[] = [];
    const { teammate, remote } = readScimUser(
      {
        id: 'u1',
        userName: 'Alice',
        active: 'False',
        name: { formatted: 'Alice Example' },
        emails: [{ value: 'other@example.com' }, { value: 'alice@example.com', primary: true }],
        roles: [
          { value: 'org:Admin' },
          { value: 'Owner', type: 'legacy' },
          { value: 'org:Member' },
          { display: 'no value' },
        ],
        'urn:heap-access-sync:scim:schemas:extension:heap:2.0:User': {
          ownedAssets: 4,
          lastActiveAt: '2030-01-01T00:00:00Z',
        },
      },
      codec,
      (r) => unknown.push(r),
    );
    expect(teammate).toEqual({
      email: 'alice@example.com',
      userName: 'Alice',
      displayName: 'Alice Example',
      access: { membership: 'deactivated', org: 'Admin' },
      ownedAssets: 4,
      lastActiveAt: '2030-01-01T00:00:00Z',
    });
    expect(remote).toEqual({ id: 'u1', userName: 'Alice', active: false, access: { org: 'Admin' } });
    expect(unknown).toEqual(['Owner', 'org:Member']);
  });

  it('calls a user without id or userName malformed', () => {
    expect(() => readScimUser({ userName: 'x' }, codec, () => undefined)).toThrow(/without/);
    expect(() => readScimUser({ id: 'x' }, codec, () => undefined)).toThrow(/without/);
  });
});
