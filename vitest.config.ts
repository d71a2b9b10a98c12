import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/browser/**', 'tests/reliability/**', 'tests/crash/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // three on two cores: files that wait (timeouts, child processes, sleeps) leave a core idle with two
    maxWorkers: 3,
    // one module graph per worker, shared by the files it runs: importing the whole system
    // again for every file cost ~200 s of the suite (tests keep no module-level state and
    // mock no modules)
    isolate: false,
    globalSetup: ['tests/helpers/build-setup.ts', 'tests/helpers/global-setup.ts'],
  },
});
