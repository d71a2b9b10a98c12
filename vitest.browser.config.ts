import { defineConfig } from 'vitest/config';
import { longestFirst } from './tests/helpers/sequencer.ts';

/**
 * The browser suite (tests/browser): Chromium through playwright-core. Run with
 * `npx vitest run --config vitest.browser.config.ts`. Without /usr/bin/chromium it
 * warns loudly and skips, unless DATADEED_REQUIRE_BROWSER=1 (then it fails).
 */
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['tests/helpers/build-setup.ts'],
    // the page checks (one long file) beside the three short ones: 176 s -> about the long file's time
    maxWorkers: 2,
    // the long page checks first, the others beside them (it started last on a fresh checkout: 199 s)
    sequence: { sequencer: longestFirst(['tests/browser/pages.test.ts', 'tests/browser/journey.test.ts', 'tests/browser/fingerprint.test.ts']) },
  },
});
