import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/domain/errors.js';
import { parseFaults } from '../../../src/stand-in/faults.js';
import { faultsFrom } from '../../../src/cli/commands/stand-in.js';

describe('fault options', () => {
  it('reads STAND_IN_FAULTS', () => {
    expect(parseFaults('{"share":0.25,"kinds":["500","429"],"seed":7,"retryAfterSeconds":2}')).toEqual({
      share: 0.25,
      kinds: ['500', '429'],
      seed: 7,
      retryAfterSeconds: 2,
    });
  });

  it('lists every problem at once', () => {
    try {
      parseFaults('{"share":2,"kinds":["503"],"extra":true}');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(3);
      expect((err as ConfigError).problems.join('\n')).toMatch(/STAND_IN_FAULTS\.share/);
    }
    expect(() => parseFaults('{share')).toThrow(/not valid JSON/);
  });

  it('lets CLI flags override the environment, field by field', () => {
    const env = { STAND_IN_FAULTS: '{"share":0.1,"kinds":["stall"],"stallMs":100}' };
    expect(faultsFrom(env, { failWrites: 0.5, fault: ['429'] })).toEqual({ share: 0.5, kinds: ['429'], stallMs: 100 });
    expect(faultsFrom({}, {})).toBeUndefined();
    expect(() => faultsFrom({}, { fault: ['500'] })).toThrow(/--fail-writes/);
  });
});
