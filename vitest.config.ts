import { defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `npx vitest run`:
 * - `unit`: fast tests with no outside services;
 * - `integration` (`*.int.test.ts`): real ClickHouse, Kafka and Redis, provisioned once by the
 *   global setup (env URL → testcontainers → local processes) and handed to tests via `inject()`.
 *   If a service cannot be provided the setup throws and the run fails: nothing is skipped.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: integration tests start real servers, so more workers only make them fight.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/browser/**', 'node_modules/**', 'dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: ['test/browser/**', 'node_modules/**', 'dist/**'],
          globalSetup: ['test/setup/services.global.ts'],
        },
      },
    ],
  },
});
