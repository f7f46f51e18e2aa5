import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real servers on loopback and real upstream HTTP: allow for slow CI machines, never for hangs.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file in its own process: servers, ports and telemetry globals never leak between files.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
