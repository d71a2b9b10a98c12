/** A full AppContext on a fresh test database, with a temporary key file and a fixed clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createContext, type AppContext, type Clock } from '../../src/context.ts';
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

export interface TestContext extends AppContext {
  testDb: TestDatabase;
  tmpDir: string;
  clock: TestClock;
}

export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const tmpDir = mkdtempSync(path.join(tmpdir(), 'datadeed-test-'));
  const testDb = await openTestDatabase();
  const config: Config = loadConfig({ DATADEED_DATA_DIR: tmpDir, DATADEED_ORIGIN: 'test.datadeed.localhost/log', ...env });
  const clock = new TestClock();
  const ctx = await createContext(config, { database: testDb, clock });
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
