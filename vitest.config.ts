import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Spawned CLIs and loopback servers need more than the default 5 s on a loaded 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' },
  },
});
