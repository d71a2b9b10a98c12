/**
 * Launching Debian's Chromium (`apt-get install -y chromium`) through playwright-core for
 * the browser suite and the browser benchmark, with a fresh profile directory.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.DATADEED_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the Chromium binary is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** True when CI demands the browser suite run (env DATADEED_REQUIRE_BROWSER=1). */
export function browserRequired(): boolean {
  return /^(1|true|yes)$/i.test(process.env.DATADEED_REQUIRE_BROWSER ?? '');
}

/** The warning printed when the suite is skipped. */
export function missingChromiumWarning(): string {
  const bar = '!'.repeat(78);
  return `\n${bar}\n!!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH}.\n!!! Install it with: apt-get install -y chromium   (or set DATADEED_CHROMIUM)\n!!! Set DATADEED_REQUIRE_BROWSER=1 to make this a failure.\n${bar}\n`;
}

export interface Chromium {
  context: BrowserContext;
  /** The `--user-data-dir` of this instance (every Chromium process names it on its command line). */
  profile: string;
  close(): Promise<void>;
}

/** Launches headless Chromium with a new, temporary `--user-data-dir` (removed on close). */
export async function launchChromium(): Promise<Chromium> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'dd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return {
    context,
    profile,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
