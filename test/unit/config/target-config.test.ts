import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';

const target = (t: Record<string, unknown>) =>
  configSchema.safeParse({ target: { type: 'scim', url: 'https://heap.example.com/scim/v2', ...t } });

describe('target config: profile, write budget, admin API', () => {
  it('defaults to the full profile at 5 writes per second, with the admin API left to the profile', () => {
    const parsed = target({});
    expect(parsed.success).toBe(true);
    expect(parsed.data?.target).toMatchObject({ profile: 'full', writesPerSecond: 5 });
    expect(parsed.data?.target?.adminApiUrl).toBeUndefined();
  });

  it("takes Heap's documented profile, another rate and an explicit (or no) admin API", () => {
    expect(target({ profile: 'heap-documented', writesPerSecond: 0.5, adminApiUrl: null }).data?.target).toMatchObject({
      profile: 'heap-documented',
      writesPerSecond: 0.5,
      adminApiUrl: null,
    });
    expect(target({ adminApiUrl: 'http://127.0.0.1:9100/api' }).data?.target?.adminApiUrl).toBe(
      'http://127.0.0.1:9100/api',
    );
  });

  it('names every bad key at once', () => {
    const parsed = target({ profile: 'documented', writesPerSecond: 0, adminApiUrl: 'not a url' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'target.adminApiUrl',
      'target.profile',
      'target.writesPerSecond',
    ]);
  });
});
