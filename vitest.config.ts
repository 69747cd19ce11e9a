import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` runs pure code on arrays and files; `integration` (files `*.int.test.ts`)
 * runs against a real Orthanc and a real PostgreSQL cluster that each test file starts on free ports
 * with its own temp data (`server/test/services.ts`), so files never share state.
 */
export default defineConfig({
  test: {
    // Two at a time: integration files spend most of their time waiting on Orthanc, PostgreSQL and
    // the browser, and each starts its own services, so they do not share state.
    maxWorkers: 2,
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
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
        },
      },
    ],
  },
});
