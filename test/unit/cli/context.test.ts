import { Command } from 'commander';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/domain/errors.js';

/** what the command context opened and closed: the runtime and store are stand-ins that count */
const opened = { runtime: 0, store: 0, closed: [] as string[], failRuntime: false };

vi.mock('../../../src/main.js', () => ({
  createLogger: () => ({}),
  createRuntime: async () => {
    opened.runtime++;
    if (opened.failRuntime) throw new ConfigError(['target.tokenEnv: environment variable HEAP_SCIM_TOKEN is not set']);
    return { kind: 'runtime', store: 'runtime store', close: async () => void opened.closed.push('runtime') };
  },
  openStoreRuntime: async () => {
    opened.store++;
    return { kind: 'store alone', store: 'own store', close: async () => void opened.closed.push('store') };
  },
}));

const { withCommandContext } = await import('../../../src/cli/context.js');

describe('a command context (explain): each part opened at most once, closed once', () => {
  beforeEach(() => Object.assign(opened, { runtime: 0, store: 0, closed: [], failRuntime: false }));

  it('opens one runtime for the sources, Heap and the store, and closes it once', async () => {
    await withCommandContext(new Command('explain'), async (ctx) => {
      await ctx.runtime();
      await ctx.runtime();
      expect(await ctx.store()).toMatchObject({ kind: 'runtime' });
    });
    expect(opened).toMatchObject({ runtime: 1, store: 0, closed: ['runtime'] });
  });

  it('without the secrets, tries the runtime once and opens the store alone once', async () => {
    opened.failRuntime = true;
    await withCommandContext(new Command('explain'), async (ctx) => {
      await expect(ctx.runtime()).rejects.toBeInstanceOf(ConfigError);
      await expect(ctx.runtime()).rejects.toBeInstanceOf(ConfigError);
      expect(await ctx.store()).toMatchObject({ kind: 'store alone' });
      expect(await ctx.store()).toMatchObject({ kind: 'store alone' });
    });
    expect(opened).toMatchObject({ runtime: 1, store: 1, closed: ['store'] });
  });

  it('opens nothing it is not asked for, and refuses a second store', async () => {
    await withCommandContext(new Command('explain'), async () => undefined);
    expect(opened).toMatchObject({ runtime: 0, store: 0, closed: [] });
    await withCommandContext(new Command('explain'), async (ctx) => {
      await ctx.store();
      expect(() => ctx.runtime()).toThrow(/before the store alone/);
    });
    expect(opened).toMatchObject({ runtime: 0, store: 1, closed: ['store'] });
  });
});
