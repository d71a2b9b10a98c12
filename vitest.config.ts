import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { databaseTestFiles } from './tests/helpers/database-tests.ts';
import { longestFirst } from './tests/helpers/sequencer.ts';

const EXCLUDED = ['tests/browser', 'tests/reliability', 'tests/crash'];
// DATADEED_TEST_DATABASE_ONLY=1 (`.ci/run`'s PostgreSQL pass): only the files that can
// behave differently on another database (tests/helpers/database-tests.ts); the pure
// ones already ran on PGlite in the same CI run
const databaseOnly = process.env.DATADEED_TEST_DATABASE_ONLY === '1';

export default defineConfig({
  test: {
    include: databaseOnly ? databaseTestFiles(fileURLToPath(new URL('.', import.meta.url)), EXCLUDED) : ['tests/**/*.test.ts'],
    exclude: [...EXCLUDED.map((d) => `${d}/**`), 'node_modules/**'],
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
    // the slowest files of the last CI run (both databases), started first
    sequence: {
      sequencer: longestFirst([
        'tests/api/fuzz.test.ts',
        'tests/ledger/audit.test.ts',
        'tests/witness/cli.test.ts',
        'tests/ledger/rollback.test.ts',
        'tests/keys/cli.test.ts',
        'tests/api/serve-timeouts.test.ts',
        'tests/state/audit.test.ts',
        'tests/witness/server.test.ts',
        'tests/api/rate-limit.test.ts',
        'tests/fingerprint/cli.test.ts',
        'tests/program.test.ts',
        'tests/db/tiles-migration.test.ts',
        'tests/evidence/cli.test.ts',
        'tests/registry/pledges.test.ts',
        'tests/registry/workflow.test.ts',
        'tests/ledger/witnesses.test.ts',
      ]),
    },
  },
});
