/** The whole system (the composition root) on a fresh test database, with a temporary data directory and a fixed clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { composeSystem, type Clock, type ComposeOptions, type System } from '../../src/compose.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';

export class TestClock implements Clock {
  constructor(public t = new Date('2026-01-15T08:00:00.000Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export interface TestContext extends System {
  testDb: TestDatabase;
  tmpDir: string;
  clock: TestClock;
}

export async function createTestContext(env: Record<string, string> = {}, opts: Partial<ComposeOptions> = {}): Promise<TestContext> {
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'datadeed-test-'));
  const testDb = await openTestDatabase();
  // Tests move the registry's clock back and forth (validity, renewal windows); the log's
  // guard against a clock going back is tested on its own (tests/ledger/publisher.test.ts).
  const config: Config = loadConfig({
    DATADEED_DATA_DIR: tmpDir,
    DATADEED_ORIGIN: 'test.datadeed.localhost/log',
    DATADEED_MAX_CLOCK_SKEW_MS: String(50 * 365 * 86_400_000),
    // every in-process request comes from one address ('unknown') at one instant: rate limits
    // and the sign-in back-off are off unless a test sets DATADEED_RATE_LIMIT itself
    DATADEED_RATE_LIMIT: 'off',
    // the registry tests count the notice in calendar days on their moving clock (10 days);
    // the working-day count (the default) has its own tests (tests/registry/rules19.test.ts)
    ...(env.DATADEED_NOTICE_WORKING_DAYS ? {} : { DATADEED_NOTICE_DAYS: '10' }),
    ...env,
  });
  const clock = new TestClock();
  const ctx = await composeSystem(config, { ...opts, database: testDb, clock });
  return {
    ...ctx,
    clock,
    testDb,
    tmpDir,
    close: async () => {
      await ctx.close();
      await testDb.close();
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/** Start the whole system (the composition root) on `config`. */
export { composeSystem as startSystem };
