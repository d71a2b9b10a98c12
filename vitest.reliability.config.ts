import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability` (issue 20): fail-over of two instances on PostgreSQL, a
 * misconfigured instance, ten SIGKILLs per database and the crash test of `datadeed
 * audit`. Run by `.ci/run` with DATABASE_URL set, in the same CI run as the bad-input
 * fuzz (10,000 requests) and the route × role table, which `npm test` runs on both
 * databases (not a third time here).
 */
export default defineConfig({
  test: {
    include: ['tests/reliability/**/*.test.ts', 'tests/crash/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['tests/helpers/build-setup.ts', 'tests/helpers/global-setup.ts'],
  },
});
