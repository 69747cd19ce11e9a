import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs pure code on arrays and files; `integration` (files `*.int.test.ts`)
 * runs against the real Orthanc and PostgreSQL that `server/test/global-setup.ts` starts on free ports.
 */
export default defineConfig({
  test: {
    reporters: ['default', './server/test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'viewer/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['server/**/*.int.test.ts', 'viewer/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./server/test/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
