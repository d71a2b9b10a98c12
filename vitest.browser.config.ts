import { defineConfig } from 'vitest/config';

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
  },
});
